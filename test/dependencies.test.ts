/**
 * Temporal's SDK packages move in lockstep: one exact version for all of them, in package.json and in the
 * lock file, so a worker never mixes a workflow runtime and a core bridge from different releases. The
 * testing package stays a dev dependency: the production image installs without it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.js';

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

interface LockFile {
  packages: Record<string, { version?: string; dev?: boolean }>;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as LockFile;

function temporalEntries(deps: Record<string, string>): [string, string][] {
  return Object.entries(deps).filter(([name]) => name.startsWith('@temporalio/'));
}

describe('Temporal SDK dependencies', () => {
  it('pins every @temporalio package to the same exact version', () => {
    const entries = [...temporalEntries(manifest.dependencies), ...temporalEntries(manifest.devDependencies)];
    assert.ok(entries.length >= 7, `expected the SDK packages in package.json, found ${entries.length}`);
    const versions = new Set(entries.map(([, version]) => version));
    assert.equal(versions.size, 1, `one version for all: ${JSON.stringify(Object.fromEntries(entries))}`);
    const [version] = versions;
    assert.match(version ?? '', /^\d+\.\d+\.\d+$/, 'an exact version, no range');
  });

  it('installs that one version of every @temporalio package the lock file holds', () => {
    const [[, version] = ['', '']] = temporalEntries(manifest.dependencies);
    const locked = Object.entries(lock.packages).filter(([path]) => /^node_modules\/@temporalio\/[^/]+$/.test(path));
    assert.ok(locked.length > 0, 'the lock file lists the SDK');
    for (const [path, entry] of locked) assert.equal(entry.version, version, path);
  });

  it('keeps @temporalio/testing a dev dependency', () => {
    assert.equal(manifest.dependencies['@temporalio/testing'], undefined);
    assert.ok(manifest.devDependencies['@temporalio/testing']);
    assert.equal(lock.packages['node_modules/@temporalio/testing']?.dev, true);
  });
});
