/**
 * The timeline as entries: one per stage (and, once plans declare them, per task), with when it was planned
 * and when it ran. Calendars, the rehearsal comparison and the report read a cutover through these, so a
 * new kind of timeline entry is added in `timelineEntries` alone.
 */
import type { Role } from '../runbook/stages.js';
import { DEFAULT_TIME_ZONE } from '../plan/timeline-plan.js';
import type { CutoverStatus, StageStatus } from '../workflows/cutover-state.js';

export interface TimelineEntry {
  id: string;
  title: string;
  /** The lane it runs in: the runbook's built-in stages share one. */
  stream: string;
  owner: Role;
  status: StageStatus;
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
}

export const RUNBOOK_STREAM = 'runbook';

export function timeZoneOf(status: CutoverStatus): string {
  return status.timeline?.timeZone ?? DEFAULT_TIME_ZONE;
}

export function timelineEntries(status: CutoverStatus): TimelineEntry[] {
  return status.stages.map((stage) => {
    const planned = status.timeline?.stages.find((s) => s.id === stage.id);
    // Cutovers started before the status kept gates: their approvals name the roles that answered.
    const gate = planned?.gate ?? [...new Set(stage.approvals.map((a) => a.role))];
    const estimateMs = planned?.estimateMs;
    const passed = stage.status === 'passed' && stage.startedAt !== undefined && stage.finishedAt !== undefined;
    return {
      id: stage.id,
      title: stage.title,
      stream: RUNBOOK_STREAM,
      owner: stage.owner,
      status: stage.status,
      plannedStart: stage.plannedAt,
      ...(estimateMs !== undefined && { estimateMs, plannedEnd: new Date(Date.parse(stage.plannedAt) + estimateMs).toISOString() }),
      ...(stage.startedAt !== undefined && { actualStart: stage.startedAt }),
      ...(stage.finishedAt !== undefined && { actualEnd: stage.finishedAt }),
      ...(passed && { durationMs: Date.parse(stage.finishedAt as string) - Date.parse(stage.startedAt as string) }),
      gate,
      ...(planned && { approvalTimeoutMs: planned.approvalTimeoutMs }),
    };
  });
}
