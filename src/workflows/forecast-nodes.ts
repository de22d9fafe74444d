/**
 * The built-in stages as forecast nodes: each after the one before it and after the tasks that feed it, no
 * earlier than its offset from T, taking its plan `estimate` (plan time; none given, it takes no time). With
 * a length, a stage that runs long moves what waits for it, so the critical path through the stages holds.
 * Pure code over the plan and the stages' status.
 */
import type { CutoverPlan } from '../plan/schema.js';
import { TIMELINE_STAGE_IDS, type StageId } from '../runbook/stages.js';
import type { ForecastInput, ForecastNodeStatus } from '../runbook/task-graph.js';

export interface StageProgress {
  status: string;
  startedAt?: string;
  finishedAt?: string;
}

export const forecastStatus = (status: string): ForecastNodeStatus =>
  status === 'done' || status === 'passed'
    ? 'done'
    : status === 'failed' || status === 'skipped'
      ? 'skipped'
      : status === 'running' || status === 'holding' || status === 'rejected'
        ? 'running'
        : 'pending';

/**
 * `planMs` turns a wall-clock time into plan time; `withEstimates` is false for runs started when stages
 * took no time in the forecast, so they keep the timers they set.
 */
export function stageForecastNodes(
  plan: CutoverPlan,
  stage: (id: StageId) => StageProgress,
  goLiveMs: number,
  planMs: (wallIso?: string) => number | undefined,
  withEstimates: boolean,
): ForecastInput[] {
  const tasks = plan.tasks ?? [];
  return TIMELINE_STAGE_IDS.map((id, i): ForecastInput => {
    const planned = plan.stages.find((s) => s.id === id)!;
    const state = stage(id);
    return {
      id,
      after: [...(i > 0 ? [TIMELINE_STAGE_IDS[i - 1]!] : []), ...tasks.filter((t) => t.before.includes(id)).map((t) => t.id)],
      notBeforeAt: goLiveMs + planned.offsetMs,
      estimateMs: withEstimates ? (planned.estimateMs ?? 0) : 0,
      status: forecastStatus(state.status),
      startedAt: planMs(state.startedAt),
      finishedAt: planMs(state.finishedAt),
    };
  });
}
