import { join, resolve } from 'node:path';

/** Compiled workflow entry (dist/src/workflows/index.js). */
export const WORKFLOWS_PATH = resolve(__dirname, '..', 'workflows', 'index.js');
/** The prebuilt bundle `npm run build` writes. */
export const WORKFLOW_BUNDLE_PATH = join(resolve(__dirname, '..', '..'), 'workflow-bundle.js');
