/** The histories of every run of a workflow that continued as new, and what they scheduled. */
import type { Client } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';

/** First run first: walks back from the last run through each run's first event, which names the run it continued. */
export async function runHistories(client: Client, workflowId: string): Promise<History[]> {
  const histories: History[] = [];
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).runId;
  for (let i = 0; i < 100 && runId; i++) {
    const history: History = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.unshift(history);
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return histories;
}

/** Activities scheduled on a task queue (not local ones, which leave markers), counted by type. */
export function scheduledActivityCounts(histories: readonly History[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const history of histories) {
    for (const event of history.events ?? []) {
      const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
      if (type) counts.set(type, (counts.get(type) ?? 0) + 1);
    }
  }
  return counts;
}
