/**
 * Where a workflow's activities spent their time, from its histories, by activity type: how long each
 * waited on its task queue for a worker (scheduled → started, the last attempt) and how long it ran
 * (started → completed or failed). Benchmark 5 uses it to say which step of a crowded timeline is slow.
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { temporal } from '@temporalio/proto';
import { percentileOf, rounded, sumOf } from './samples.js';

export interface ActivityTime {
  type: string;
  count: number;
  waitedMedianMs: number;
  waitedTotalMs: number;
  ranMedianMs: number;
  ranTotalMs: number;
}

const timeMs = (event: temporal.api.history.v1.IHistoryEvent): number =>
  Number(event.eventTime?.seconds ?? 0) * 1_000 + (event.eventTime?.nanos ?? 0) / 1e6;

export function activityTimes(histories: readonly History[]): ActivityTime[] {
  const byType = new Map<string, { waited: number[]; ran: number[] }>();
  for (const history of histories) {
    const byId = new Map<number, temporal.api.history.v1.IHistoryEvent>();
    for (const event of history.events ?? []) byId.set(Number(event.eventId ?? 0), event);
    for (const event of history.events ?? []) {
      const closed = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes;
      if (!closed) continue;
      const started = byId.get(Number(closed.startedEventId ?? 0));
      const scheduled = byId.get(Number(closed.scheduledEventId ?? 0));
      const type = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name;
      if (!started || !scheduled || !type) continue;
      const entry = byType.get(type) ?? { waited: [], ran: [] };
      entry.waited.push(timeMs(started) - timeMs(scheduled));
      entry.ran.push(timeMs(event) - timeMs(started));
      byType.set(type, entry);
    }
  }
  return [...byType.entries()]
    .map(([type, { waited, ran }]) => ({
      type,
      count: ran.length,
      waitedMedianMs: rounded(percentileOf(waited, 50)),
      waitedTotalMs: rounded(sumOf(waited)),
      ranMedianMs: rounded(percentileOf(ran, 50)),
      ranTotalMs: rounded(sumOf(ran)),
    }))
    .sort((a, b) => b.waitedTotalMs + b.ranTotalMs - (a.waitedTotalMs + a.ranTotalMs));
}
