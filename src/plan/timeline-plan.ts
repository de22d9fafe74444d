/**
 * What the plan says about the timeline that the cutover's readers need after the start: the zone planned
 * times are shown in, the rehearsal this cutover follows, and each stage's gate, approval window and
 * estimate. The workflow keeps it in its status, so `calendar`, `compare` and the report read one cutover
 * without the plan file it was started from. Pure code, so the workflow builds it too.
 */
import type { Role, StageId } from '../runbook/stages.js';
import type { CutoverPlan } from './normalise.js';

/** Where a plan names no zone, planned times are shown in UTC, as they always were. */
export const DEFAULT_TIME_ZONE = 'UTC';

export interface TimelineStagePlan {
  id: StageId;
  gate: Role[];
  approvalTimeoutMs: number;
  /** How long the stage is expected to take, wall time; absent when the plan gives no estimate. */
  estimateMs?: number;
}

export interface TimelinePlan {
  timeZone: string;
  /** The workflow id of the rehearsal this cutover follows. */
  rehearsalOf?: string;
  stages: TimelineStagePlan[];
}

export function timelinePlanOf(plan: CutoverPlan): TimelinePlan {
  return {
    timeZone: plan.timeZone ?? DEFAULT_TIME_ZONE,
    ...(plan.rehearsalOf !== undefined && { rehearsalOf: plan.rehearsalOf }),
    stages: plan.stages.map((stage) => ({
      id: stage.id,
      gate: stage.gate,
      approvalTimeoutMs: stage.approvalTimeoutMs,
      ...(stage.estimateMs !== undefined && { estimateMs: stage.estimateMs }),
    })),
  };
}
