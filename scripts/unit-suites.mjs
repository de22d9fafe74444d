#!/usr/bin/env node
/**
 * The unit suites: the built suites that start nothing, chosen by what they load rather than by a list kept
 * by hand. A suite needs more than Node when any module it loads, followed through the project's own files,
 * is one that starts something:
 *   - `@temporalio/testing` (a Temporal server) or the dev stack (`src/dev/stack.js`);
 *   - the PayCA simulator or the webhook receiver (`src/simulator/server.js`, `webhook-receiver.js`);
 *   - `playwright-core` (Chromium);
 *   - `node:child_process` (the CLI, a worker process, openssl, docker-compose, a server binary).
 * Everything else runs in the test process alone, in seconds.
 *
 *   node scripts/unit-suites.mjs [MOCHA OPTIONS]   runs them with Mocha (`--grep`, `--bail`…)
 *   node scripts/unit-suites.mjs --list     lists every suite and, for the others, what it starts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = join(ROOT, 'dist', 'test');

const STARTS_PACKAGES = new Map([
  ['@temporalio/testing', 'a Temporal server'],
  ['playwright-core', 'Chromium'],
  ['node:child_process', 'a child process'],
  ['child_process', 'a child process'],
]);
const STARTS_FILES = new Map([
  ['dist/src/dev/stack.js', 'the dev stack'],
  ['dist/src/simulator/server.js', 'the PayCA simulator'],
  ['dist/src/simulator/webhook-receiver.js', 'the webhook receiver'],
]);

/** A module loaded at start (`require`) or when first used (`import()`, kept as written by the compiler). */
const REQUIRE = /\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g;

/** What the module at `file` loads that starts something, following the project's own modules once each. */
function startsOf(file, seen = new Map()) {
  if (seen.has(file)) return seen.get(file);
  const found = new Set();
  seen.set(file, found);
  const fromRoot = relative(ROOT, file).split('\\').join('/');
  if (STARTS_FILES.has(fromRoot)) found.add(STARTS_FILES.get(fromRoot));
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(REQUIRE)) {
    if (specifier.startsWith('.')) {
      const target = resolve(dirname(file), specifier);
      const path = existsSync(target) ? target : `${target}.js`;
      if (existsSync(path) && path.endsWith('.js')) for (const what of startsOf(path, seen)) found.add(what);
    } else if (STARTS_PACKAGES.has(specifier)) {
      found.add(STARTS_PACKAGES.get(specifier));
    }
  }
  return found;
}

export function classifySuites() {
  if (!existsSync(SUITES)) throw new Error('dist/test is missing: run `npm run build` first');
  const seen = new Map();
  return readdirSync(SUITES, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.test.js'))
    .sort()
    .map((name) => {
      const file = join(SUITES, name);
      return { file: relative(ROOT, file), starts: [...startsOf(file, seen)].sort() };
    });
}

function main(args) {
  const suites = classifySuites();
  if (args.includes('--list')) {
    for (const { file, starts } of suites)
      console.log(`${starts.length ? 'server' : 'unit  '}  ${file}${starts.length ? `  (${starts.join(', ')})` : ''}`);
    return 0;
  }
  const unit = suites.filter((suite) => suite.starts.length === 0).map((suite) => suite.file);
  const mochaArgs = args.filter((arg) => arg !== '--');
  const mocha = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const result = spawnSync(process.execPath, [mocha, ...mochaArgs, ...unit], { cwd: ROOT, stdio: 'inherit' });
  return result.status ?? 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
