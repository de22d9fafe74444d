/** Who Temporal sees polling a task queue now: the workers that can take its tasks. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** Workers long-poll for about a minute; a poller not seen for longer than this has gone. */
export const POLLER_FRESH_MS = 90_000;

export type PollerKind = 'workflow' | 'activity';

/** The pollers of `taskQueue` seen within the last `POLLER_FRESH_MS`. */
export async function freshPollers(
  client: Client,
  options: { namespace: string; taskQueue: string; kind: PollerKind; now?: () => number },
): Promise<temporal.api.taskqueue.v1.IPollerInfo[]> {
  const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
  const answer = await client.workflowService.describeTaskQueue({
    namespace: options.namespace,
    taskQueue: { name: options.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: options.kind === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  const now = (options.now ?? Date.now)();
  return (answer.pollers ?? []).filter((poller) => now - Number(poller.lastAccessTime?.seconds ?? 0) * 1000 <= POLLER_FRESH_MS);
}
