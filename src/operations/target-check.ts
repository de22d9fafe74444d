/**
 * After a start: wait for the worker's answer on the plan's targets (`src/workflows/target-check.ts`), so
 * whoever started a plan the worker refuses learns it now, with the reason, rather than at T-24h.
 */
import { WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { PAYCA_TASK_QUEUE } from '../workflows/definitions.js';
import { targetCheckUpdate, type TargetCheck } from '../workflows/target-check.js';
import { readCutover } from './read-status.js';
import { translateTemporalError } from './temporal-errors.js';

/** Workers long-poll for about a minute; a poller not seen for longer than this has gone. */
const POLLER_FRESH_MS = 90_000;

export type TargetCheckAnswer = TargetCheck | { state: 'no-worker' } | { state: 'timed-out'; waitedMs: number };

/** Whether a worker polls the PayCA queue now, so the check can be answered soon. */
async function paycaWorkerPolling(client: Client): Promise<boolean> {
  const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
  const described = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: PAYCA_TASK_QUEUE, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  const now = Date.now();
  return (described.pollers ?? []).some((poller) => now - Number(poller.lastAccessTime?.seconds ?? 0) * 1000 <= POLLER_FRESH_MS);
}

/** The worker's answer, waiting at most `waitMs`; without a PayCA worker polling, it does not wait. */
export async function awaitTargetCheck(client: Client, workflowId: string, waitMs: number): Promise<TargetCheckAnswer> {
  if (waitMs <= 0 || !(await paycaWorkerPolling(client))) return { state: 'no-worker' };
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
