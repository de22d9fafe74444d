/**
 * The programs some suites drive besides Node: Chromium, openssl, docker-compose and pdftoppm. `npm test` runs
 * `scripts/setup.mjs --test-tools`, which finds or installs each and writes `.tools/test-tools.json`; this
 * reads it. A suite whose program could not be had is pending with the reason, never failed for it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

export type TestTool = 'chromium' | 'openssl' | 'dockerCompose' | 'pdftoppm';

interface ToolEntry {
  path: string | null;
  source: string;
  reason?: string;
}

const ENV_VARS: Record<TestTool, string> = {
  chromium: 'CHROMIUM_PATH',
  openssl: 'OPENSSL_PATH',
  dockerCompose: 'DOCKER_COMPOSE_PATH',
  pdftoppm: 'PDFTOPPM_PATH',
};

function manifest(): Partial<Record<TestTool, ToolEntry>> {
  const file = join(ROOT, '.tools', 'test-tools.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<TestTool, ToolEntry>>) : {};
}

/** The program's path, or why there is none. */
export function findTestTool(tool: TestTool): { path: string } | { reason: string } {
  const explicit = process.env[ENV_VARS[tool]];
  if (explicit)
    return existsSync(explicit)
      ? { path: explicit }
      : { reason: `${ENV_VARS[tool]}=${explicit} does not exist: point it at the program or unset it` };
  const entry = manifest()[tool];
  if (entry?.path && existsSync(entry.path)) return { path: entry.path };
  return {
    reason: entry?.reason ?? `${tool} is not set up: run \`node scripts/setup.mjs --test-tools\` (npm test does) or set ${ENV_VARS[tool]}`,
  };
}

/** The program's path; throws the reason when there is none. */
export function testToolPath(tool: TestTool): string {
  const found = findTestTool(tool);
  if ('reason' in found) throw new Error(found.reason);
  return found.path;
}

/** For a `before` hook: the program's path, or the suite becomes pending, saying why. */
export function requireTestTool(context: Mocha.Context, tool: TestTool): string {
  const found = findTestTool(tool);
  if ('path' in found) return found.path;
  console.log(`    pending: ${found.reason}`);
  context.skip();
}
