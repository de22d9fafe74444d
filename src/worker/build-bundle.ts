/**
 * Bundles the workflow code once, at build time, so a worker starts without running webpack.
 * `npm run build` runs this after tsc; the worker falls back to bundling on the fly when the file is missing.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from './paths.js';

async function main(): Promise<void> {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietLogger() });
  await mkdir(dirname(WORKFLOW_BUNDLE_PATH), { recursive: true });
  await writeFile(WORKFLOW_BUNDLE_PATH, code);
}

function quietLogger() {
  const noop = () => undefined;
  return { log: noop, trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error };
}

main().catch((err: unknown) => {
  console.error('could not bundle the workflows:', err instanceof Error ? err.message : err);
  process.exit(1);
});
