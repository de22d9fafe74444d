/** The rehearsal a cutover names: checked at the start, read for the launch report (compared when it can be read, the reason when not). */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { compareWithRehearsal } from '../operations/rehearsal-comparison.js';
import { readStatus } from '../operations/read-status.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import type { LaunchRehearsal } from './format/launch-report/model.js';

export async function rehearsalFor(client: Client, live: CutoverStatus): Promise<LaunchRehearsal | undefined> {
  const workflowId = live.timeline?.rehearsalOf;
  if (workflowId === undefined) return undefined;
  try {
    return { workflowId, comparison: compareWithRehearsal(await readStatus(client, workflowId), live) };
  } catch (err) {
    // The report of the live run still goes out: a rehearsal deleted by retention must not withhold it.
    return { workflowId, comparison: null, unavailable: err instanceof Error ? err.message : String(err) };
  }
}

/** Whether Temporal knows a cutover by this id, so a mistyped `--rehearsal-of` is caught at the start. */
export async function cutoverKnown(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
