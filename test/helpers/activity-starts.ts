/** Who started which activity, and when, read from a workflow's history. */
import type { temporal } from '@temporalio/proto';

export interface ActivityStart {
  activityType: string;
  taskQueue: string;
  identity: string;
  startedAtMs: number;
}

function toMs(ts: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  return Number(ts?.seconds ?? 0) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6);
}

export function activityStarts(history: temporal.api.history.v1.IHistory): ActivityStart[] {
  const scheduled = new Map<string, { activityType: string; taskQueue: string }>();
  const starts: ActivityStart[] = [];
  for (const event of history.events ?? []) {
    const scheduling = event.activityTaskScheduledEventAttributes;
    if (scheduling) {
      scheduled.set(String(event.eventId), {
        activityType: scheduling.activityType?.name ?? '',
        taskQueue: scheduling.taskQueue?.name ?? '',
      });
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const origin = scheduled.get(String(started.scheduledEventId));
      if (!origin) throw new Error(`activity started event ${String(event.eventId)} has no scheduled event`);
      starts.push({ ...origin, identity: started.identity ?? '', startedAtMs: toMs(event.eventTime) });
    }
  }
  return starts;
}

/** The most activities started within any window of `windowMs`. */
export function busiestWindow(starts: ActivityStart[], windowMs: number): number {
  const times = starts.map((s) => s.startedAtMs).sort((a, b) => a - b);
  let most = 0;
  let from = 0;
  for (let to = 0; to < times.length; to++) {
    while ((times[to] ?? 0) - (times[from] ?? 0) >= windowMs) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
}
