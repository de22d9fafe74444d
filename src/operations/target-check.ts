/**
 * After a start: wait for the worker's answer on the plan's targets (`src/workflows/target-check.ts`), so
 * whoever started a plan the worker refuses learns it now, with the reason, rather than at T-24h.
 */
import { WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { CUTOVER_TASK_QUEUE, PAYCA_TASK_QUEUE } from '../workflows/messages.js';
import { targetCheckUpdate, type TargetCheck } from '../workflows/target-check.js';
import { freshPollers } from '../temporal/task-queue-pollers.js';
import { readCutover } from './read-status.js';
import { translateTemporalError } from './temporal-errors.js';

export type TargetCheckAnswer = TargetCheck | { state: 'not-waited' } | { state: 'no-worker' } | { state: 'timed-out'; waitedMs: number };

/** The worker's answer, waiting at most `waitMs`; without any worker polling, it does not wait. */
export async function awaitTargetCheck(client: Client, workflowId: string, waitMs: number): Promise<TargetCheckAnswer> {
  if (waitMs <= 0) return { state: 'not-waited' };
  if (!(await anyWorker(client))) return { state: 'no-worker' };
  const handle = client.workflow.getHandle(workflowId);
  try {
    return await client.withDeadline(Date.now() + waitMs, () => handle.executeUpdate(targetCheckUpdate));
  } catch (err) {
    if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return { state: 'timed-out', waitedMs: waitMs };
    // A refused cutover can end before the update reaches it: its status keeps the answer.
    const { status } = await readCutover(client, workflowId).catch(() => ({ status: undefined }));
    if (status?.targetCheck && status.targetCheck.state !== 'checking') return status.targetCheck;
    throw translateTemporalError(err, workflowId);
  }
}

/**
 * A PayCA worker whose slots are all busy stops polling its queue for a while, so a worker counts as there
 * when either queue has a fresh poller: a running cutover worker means the check will be taken.
 */
async function anyWorker(client: Client): Promise<boolean> {
  const { namespace } = client.options;
  const payca = await freshPollers(client, { namespace, taskQueue: PAYCA_TASK_QUEUE, kind: 'activity' });
  if (payca.length > 0) return true;
  const cutover = await freshPollers(client, { namespace, taskQueue: CUTOVER_TASK_QUEUE, kind: 'workflow' });
  return cutover.length > 0;
}
