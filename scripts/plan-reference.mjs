#!/usr/bin/env node
/**
 * Writes docs/plan-reference.md and docs/plan.schema.json from the plan schema (src/plan/reference.ts), after
 * `npm run build` or the type-check-only build `npm run docs:plan` runs first.
 *
 *   node scripts/plan-reference.mjs           writes both files
 *   node scripts/plan-reference.mjs --check   writes nothing; exits 1 when a committed file differs
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(ROOT, 'dist', 'src', 'plan', 'reference.js');
if (!existsSync(built)) {
  console.error('dist/src/plan/reference.js is missing: run `npm run build` first');
  process.exit(2);
}
const { PLAN_REFERENCE_FILE, PLAN_SCHEMA_FILE, planReference, planSchemaText } = createRequire(import.meta.url)(built);

const files = [
  [PLAN_REFERENCE_FILE, planReference()],
  [PLAN_SCHEMA_FILE, planSchemaText()],
];
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of files) {
  const path = join(ROOT, file);
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === text) continue;
  if (check) {
    console.error(`${file} differs from what the plan schema generates: run \`npm run docs:plan\``);
    stale++;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${file}`);
  }
}
process.exit(stale === 0 ? 0 : 1);
