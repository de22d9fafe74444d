/**
 * The cutover workflow as the CLI and the dev stack know it: by type name and signature, so starting or listing
 * cutovers never loads workflow code.
 */
import type { CutoverInput, CutoverStatus } from '../workflows/cutover-state.js';

export const CUTOVER_WORKFLOW_TYPE = 'cutoverWorkflow';
export type CutoverWorkflow = (input: CutoverInput) => Promise<CutoverStatus>;
