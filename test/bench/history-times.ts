/** Server timestamps out of a workflow history, in milliseconds since the epoch. */
import type { temporal } from '@temporalio/proto';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export function eventTimeMs(event: HistoryEvent): number {
  const ts = event.eventTime;
  return Number(ts?.seconds ?? 0) * 1000 + (ts?.nanos ?? 0) / 1e6;
}

/** When the activity scheduled by `scheduledEventId` started, or undefined if it has not. */
export function activityStartedAtMs(events: readonly HistoryEvent[], scheduledEventId: number): number | undefined {
  const started = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1) === scheduledEventId);
  return started ? eventTimeMs(started) : undefined;
}

/** When the activity scheduled by `scheduledEventId` completed, or undefined if it has not. */
export function activityCompletedAtMs(events: readonly HistoryEvent[], scheduledEventId: number): number | undefined {
  const done = events.find((e) => Number(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? -1) === scheduledEventId);
  return done ? eventTimeMs(done) : undefined;
}

/** Scheduled events of one activity type, in history order. */
export function scheduledActivities(events: readonly HistoryEvent[], activityType: string): HistoryEvent[] {
  return events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType);
}
