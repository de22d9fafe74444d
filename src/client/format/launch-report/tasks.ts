/** The report's record of the plan's tasks: each in its stream, planned against actual, with its slack and the forecast. */
import { formatDuration } from '../../../plan/duration.js';
import { timelineEntries } from '../../../operations/timeline-entries.js';
import type { CutoverStatus } from '../../../workflows/cutover-state.js';
import type { TaskStatus } from '../../../workflows/task-state.js';
import { code, markdownCell, markdownTable } from '../checklist-document.js';
import { roleTitle } from '../checklist.js';
import { plannedHeading, plannedTime, shortTime } from '../time.js';
import type { LaunchReport, LaunchTaskEntry, LaunchTasks } from './model.js';

/**
 * Plan times onto the wall clock, read off the last stage (one already due at the start is due then, not
 * at its planned time): the plan's clock runs `timeScale` times as fast, so in a rehearsal the picture's
 * wall-clock axis holds tasks and stages alike.
 */
function wallClock(status: CutoverStatus): (planIso: string) => string {
  const last = status.stages.at(-1);
  if (!last) return (planIso) => planIso;
  const planMs = Date.parse(last.plannedAt);
  const wallMs = Date.parse(last.dueAt);
  return (planIso) => new Date(wallMs + (Date.parse(planIso) - planMs) / status.timeScale).toISOString();
}

/** Absent when the plan has no tasks, so a report of a cutover without them reads as before. */
export function tasksOf(status: CutoverStatus): LaunchTasks | undefined {
  if (!status.tasks?.length) return undefined;
  const wall = wallClock(status);
  const all = timelineEntries(status);
  const entries: LaunchTaskEntry[] = all
    .filter((e) => e.kind === 'task')
    .map((e) => ({
      id: e.id,
      title: e.title,
      stream: e.stream,
      owner: e.owner,
      after: [...e.after],
      before: all.filter((s) => s.kind === 'stage' && s.after.includes(e.id)).map((s) => s.id),
      status: e.status as TaskStatus,
      planned: e.plannedStart,
      due: wall(e.plannedStart),
      dueEnd: wall(e.plannedEnd ?? e.plannedStart),
      estimateMs: e.estimateMs ?? 0,
      started: e.actualStart ?? null,
      finished: e.actualEnd ?? null,
      slackMs: e.slackMs ?? null,
      late: e.late === true,
      critical: e.critical === true,
      gate: [...e.gate],
    }));
  const forecast = status.forecast;
  return {
    entries,
    forecast: forecast
      ? {
          at: forecast.at,
          goNoGoAt: forecast.goNoGoAt,
          varianceMs: forecast.varianceMs,
          crossesT: forecast.crossesT,
          criticalPath: [...forecast.criticalPath],
          late: [...forecast.late],
        }
      : null,
  };
}

export const slackText = (ms: number | null) => (ms === null ? '-' : ms < 0 ? `-${formatDuration(-ms)}` : formatDuration(ms));

/** The Markdown timeline's task table, with the forecast's go/no-go time and critical path above it. */
export function taskLines(report: LaunchReport): string[] {
  const tasks = report.tasks;
  if (!tasks) return [];
  const f = tasks.forecast;
  const forecastLine = f
    ? [
        `Forecast at ${shortTime(f.at)} (plan time): go/no-go ${shortTime(f.goNoGoAt)}, ${f.varianceMs > 0 ? `${formatDuration(f.varianceMs)} after T` : 'on time'}; critical path ${f.criticalPath.map(code).join(' → ')}${f.late.length ? `; late: ${f.late.map(code).join(', ')}` : ''}.`,
        '',
      ]
    : [];
  return [
    '',
    ...forecastLine,
    ...markdownTable(
      [
        'task',
        'stream',
        'owner',
        'after',
        plannedHeading(report.timeZone),
        'estimate',
        'started',
        'finished',
        'status',
        'slack',
        'critical',
      ],
      tasks.entries.map((t) => [
        `${markdownCell(t.title)}<br>${code(t.id)}`,
        markdownCell(t.stream),
        markdownCell(roleTitle(t.owner)),
        t.after.length ? t.after.map(code).join(', ') : '-',
        plannedTime(t.planned, report.timeZone),
        formatDuration(t.estimateMs),
        shortTime(t.started ?? undefined),
        shortTime(t.finished ?? undefined),
        t.late ? `${t.status} (late)` : t.status,
        slackText(t.slackMs),
        t.critical ? 'yes' : '-',
      ]),
    ),
  ];
}
