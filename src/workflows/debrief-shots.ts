/**
 * The debrief's dashboard screenshots are taken beside its hold, not before it: a dashboard that does not
 * answer would otherwise hold the lead's decision back by its load timeout. The record gains the shots when
 * they arrive; until then the run neither continues as new nor ends, as for a notice in flight.
 */
import { isCancellation, log, patched } from '@temporalio/workflow';
import { recordDashboardShots, type DashboardShotContext } from './dashboard-shots.js';

/** Cutovers started while the shots ran before the hold replay that way. */
export const DEBRIEF_SHOTS_BESIDE_HOLD_PATCH = 'debrief-shots-beside-hold';

export interface DebriefShotContext extends DashboardShotContext {
  /** Keeps best-effort work in flight until it settles (the notices' tracker). */
  sideWork?(work: Promise<void>): void;
}

export async function takeDebriefShots(ctx: DebriefShotContext): Promise<void> {
  const { sideWork } = ctx;
  if (!sideWork || ctx.plan.postLaunch.dashboards.length === 0 || !patched(DEBRIEF_SHOTS_BESIDE_HOLD_PATCH)) {
    return recordDashboardShots(ctx, 'debrief');
  }
  sideWork(
    recordDashboardShots(ctx, 'debrief').catch((err: unknown) => {
      // An abort cancels the checks in flight, these shots included: the cutover is undoing, not waiting for them.
      if (!isCancellation(err)) log.warn('the debrief screenshots failed', { error: String(err) });
    }),
  );
}
