/**
 * The timeline as entries: one per stage and one per plan task, with when it was planned and when it ran.
 * Calendars, the rehearsal comparison and the report read a cutover through these, so a new kind of
 * timeline entry is added in `timelineEntries` alone.
 */
import type { Role } from '../runbook/stages.js';
import { DEFAULT_TIME_ZONE } from '../plan/timeline-plan.js';
import type { CutoverStatus, StageStatus } from '../workflows/cutover-state.js';
import type { TaskStatus } from '../workflows/task-state.js';
import { planTaskEntries } from './task-timeline-entries.js';

export interface TimelineEntry {
  id: string;
  /** A built-in stage of the runbook, or a task the plan adds. */
  kind: 'stage' | 'task';
  title: string;
  /** The lane it runs in: the runbook's built-in stages share one. */
  stream: string;
  owner: Role;
  status: StageStatus | TaskStatus;
  /** The entries it waits for: a stage for the stage before it and the tasks due before it. */
  after: string[];
  /** On the plan's clock (T + offset). */
  plannedStart: string;
  /** plannedStart plus the estimate; absent when there is none. */
  plannedEnd?: string;
  estimateMs?: number;
  /** Wall clock. */
  actualStart?: string;
  actualEnd?: string;
  /** actualEnd minus actualStart, once it has passed. */
  durationMs?: number;
  /** Roles that must each approve before it passes. */
  gate: Role[];
  /** How long its gate waits before it escalates. */
  approvalTimeoutMs?: number;
  /** From the workflow's forecast, for cutovers whose plan has tasks: expected finish (plan time), slack towards go-live. */
  expectedEnd?: string;
  slackMs?: number;
  late?: boolean;
  /** On the forecast's critical path to the go-live gate. */
  critical?: boolean;
}

export const RUNBOOK_STREAM = 'runbook';

export function timeZoneOf(status: CutoverStatus): string {
  return status.timeline?.timeZone ?? DEFAULT_TIME_ZONE;
}

export function timelineEntries(status: CutoverStatus): TimelineEntry[] {
  const tasks = status.tasks ?? [];
  const stages = status.stages.map((stage, index): TimelineEntry => {
    const planned = status.timeline?.stages.find((s) => s.id === stage.id);
    // Cutovers started before the status kept gates: their approvals name the roles that answered.
    const gate = planned?.gate ?? [...new Set(stage.approvals.map((a) => a.role))];
    const estimateMs = planned?.estimateMs;
    const passed = stage.status === 'passed' && stage.startedAt !== undefined && stage.finishedAt !== undefined;
    const previous = index > 0 ? [status.stages[index - 1]!.id] : [];
    return {
      id: stage.id,
      kind: 'stage',
      title: stage.title,
      stream: RUNBOOK_STREAM,
      owner: stage.owner,
      status: stage.status,
      after: [...previous, ...tasks.filter((t) => t.before.includes(stage.id)).map((t) => t.id)],
      plannedStart: stage.plannedAt,
      ...(estimateMs !== undefined && { estimateMs, plannedEnd: new Date(Date.parse(stage.plannedAt) + estimateMs).toISOString() }),
      ...(stage.startedAt !== undefined && { actualStart: stage.startedAt }),
      ...(stage.finishedAt !== undefined && { actualEnd: stage.finishedAt }),
      ...(passed && { durationMs: Date.parse(stage.finishedAt as string) - Date.parse(stage.startedAt as string) }),
      gate,
      ...(planned && { approvalTimeoutMs: planned.approvalTimeoutMs }),
    };
  });
  return planTaskEntries(status, stages);
}
