/**
 * Where a workflow's wall time went, from its history: the time between each pair of consecutive events,
 * summed by the kind of step (say "activity task started → activity task completed"). On the time-skipping
 * server the event clock runs at real speed except when the server skips it forward, so gaps longer than
 * `skippedAboveMs` are skips, not work; their real cost is what is left of the wall time afterwards.
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { temporal } from '@temporalio/proto';

export interface StepTime {
  step: string;
  count: number;
  totalMs: number;
}

const typeName = (type: temporal.api.enums.v1.EventType | null | undefined): string =>
  (temporal.api.enums.v1.EventType[type ?? 0] ?? 'UNKNOWN')
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');

const timeMs = (event: temporal.api.history.v1.IHistoryEvent): number =>
  Number(event.eventTime?.seconds ?? 0) * 1_000 + (event.eventTime?.nanos ?? 0) / 1e6;

export function stepTimes(histories: readonly History[], skippedAboveMs = 60_000): { steps: StepTime[]; realMs: number; skips: number } {
  const byStep = new Map<string, StepTime>();
  let realMs = 0;
  let skips = 0;
  for (const history of histories) {
    const events = history.events ?? [];
    for (let i = 1; i < events.length; i++) {
      const before = events[i - 1];
      const after = events[i];
      if (!before || !after) continue;
      const gap = timeMs(after) - timeMs(before);
      if (gap > skippedAboveMs) {
        skips += 1;
        continue;
      }
      const step = `${typeName(before.eventType)} → ${typeName(after.eventType)}`;
      const entry = byStep.get(step) ?? { step, count: 0, totalMs: 0 };
      entry.count += 1;
      entry.totalMs += gap;
      byStep.set(step, entry);
      realMs += gap;
    }
  }
  return { steps: [...byStep.values()].sort((a, b) => b.totalMs - a.totalMs), realMs, skips };
}

/**
 * Median workflow-task time (started → completed) in the first and the last tenth of each run's tasks.
 * A cached workflow costs the same early and late in its run; one replayed from the start for every task
 * (no sticky cache) costs more the longer its history grows.
 */
export function workflowTaskGrowth(histories: readonly History[]): { earlyMs: number; lateMs: number } {
  const early: number[] = [];
  const late: number[] = [];
  for (const history of histories) {
    const events = history.events ?? [];
    const durations: number[] = [];
    for (let i = 1; i < events.length; i++) {
      const before = events[i - 1];
      const after = events[i];
      if (
        before &&
        after &&
        typeName(before.eventType) === 'workflow task started' &&
        typeName(after.eventType) === 'workflow task completed'
      ) {
        durations.push(timeMs(after) - timeMs(before));
      }
    }
    const tenth = Math.max(1, Math.floor(durations.length / 10));
    early.push(...durations.slice(0, tenth));
    late.push(...durations.slice(-tenth));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  return { earlyMs: median(early), lateMs: median(late) };
}
