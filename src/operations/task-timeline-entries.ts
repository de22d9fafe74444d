/**
 * The plan's tasks as timeline entries, beside the stages. A task's planned slot is where the plan alone
 * puts it: its not-before time, after what it waits for, each taking its estimate, from the cutover's
 * start. What the workflow forecasts since (expected finish, slack, the critical path) is added to tasks
 * and stages alike, so every view marks the same path the workflow warns about.
 */
import { forecast, type Forecast, type ForecastInput } from '../runbook/task-graph.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import type { TaskState } from '../workflows/task-state.js';
import type { TimelineEntry } from './timeline-entries.js';

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The cutover's start on the plan's clock, read off the last stage's planned and wall-clock due times: a
 * stage already due when the cutover started is due at its start, so only the latest ties the two clocks.
 */
function startOnPlanClock(status: CutoverStatus): number | undefined {
  const last = status.stages.at(-1);
  if (!last || !status.startedAt) return undefined;
  return Date.parse(last.plannedAt) + (Date.parse(status.startedAt) - Date.parse(last.dueAt)) * status.timeScale;
}

/** The plan's own schedule: every node pending, so actual times play no part. */
function plannedSchedule(status: CutoverStatus, stages: readonly TimelineEntry[], tasks: readonly TaskState[]): Forecast | undefined {
  const nodes: ForecastInput[] = [
    ...stages.map((s) => ({
      id: s.id,
      after: s.after,
      notBeforeAt: Date.parse(s.plannedStart),
      // A stage takes its estimate, so what waits for it is planned after it ends.
      estimateMs: s.estimateMs ?? 0,
      status: 'pending' as const,
    })),
    ...tasks.map((t) => ({
      id: t.id,
      after: t.after,
      ...(t.notBeforePlanAt !== undefined && { notBeforeAt: Date.parse(t.notBeforePlanAt) }),
      estimateMs: t.estimateMs,
      status: 'pending' as const,
    })),
  ];
  const earliest = Math.min(...nodes.flatMap((n) => (n.notBeforeAt === undefined ? [] : [n.notBeforeAt])));
  try {
    return forecast(nodes, startOnPlanClock(status) ?? earliest);
  } catch {
    // A graph the plan check let through always has an order; a status that lost it still lists its entries.
    return undefined;
  }
}

function taskEntry(task: TaskState, planned: Forecast | undefined, goLive: string): TimelineEntry {
  const slot = planned?.nodes[task.id];
  const plannedStart = slot ? iso(slot.expectedStart) : (task.notBeforePlanAt ?? task.startedPlanAt ?? goLive);
  const done = task.status === 'done' && task.startedAt !== undefined && task.finishedAt !== undefined;
  return {
    id: task.id,
    kind: 'task',
    title: task.title,
    stream: task.stream,
    owner: task.owner,
    status: task.status,
    after: [...task.after],
    plannedStart,
    plannedEnd: slot ? iso(slot.expectedFinish) : iso(Date.parse(plannedStart) + task.estimateMs),
    estimateMs: task.estimateMs,
    ...(task.startedAt !== undefined && { actualStart: task.startedAt }),
    ...(task.finishedAt !== undefined && { actualEnd: task.finishedAt }),
    ...(done && { durationMs: Date.parse(task.finishedAt as string) - Date.parse(task.startedAt as string) }),
    gate: task.gate ?? [...new Set(task.approvals.map((a) => a.role))],
    ...(task.approvalTimeoutMs !== undefined && { approvalTimeoutMs: task.approvalTimeoutMs }),
  };
}

/** The stages' entries followed by one per task, each with the workflow's forecast for it when there is one. */
export function planTaskEntries(status: CutoverStatus, stages: TimelineEntry[]): TimelineEntry[] {
  const tasks = status.tasks ?? [];
  if (tasks.length === 0) return stages;
  const planned = plannedSchedule(status, stages, tasks);
  const entries = [...stages, ...tasks.map((task) => taskEntry(task, planned, status.goLive))];
  const expected = status.forecast;
  if (!expected) return entries;
  return entries.map((entry) => {
    const f = expected.tasks.find((t) => t.id === entry.id);
    return {
      ...entry,
      ...(f && { expectedEnd: f.expectedFinish, late: f.late }),
      ...(f?.slackMs !== undefined && { slackMs: f.slackMs }),
      ...(expected.criticalPath.includes(entry.id) && { critical: true }),
    };
  });
}
