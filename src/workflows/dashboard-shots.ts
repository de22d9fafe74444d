/**
 * At the debrief and at the end of the watch, the plan's dashboards are screenshotted for the launch report.
 * The record keeps paths and digests only; a dashboard that did not load is named with the reason. It is
 * best effort: one attempt with a short timeout, and a failure of the activity itself is recorded, not raised.
 */
import { isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { CutoverActivities } from '../activities/index.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { CutoverStatus } from './cutover-state.js';
import type { DashboardShot } from './dashboard-shot-types.js';

/** Cutovers started before screenshots were taken replay without the activity. */
export const DASHBOARD_SHOTS_PATCH = 'dashboard-screenshots';

/** A debrief retried many times would otherwise grow the record; the latest are what the report shows. */
export const MAX_DASHBOARD_SHOTS_KEPT = 24;

const PER_DASHBOARD_MS = 20_000;

export interface DashboardShotContext {
  plan: CutoverPlan;
  status: CutoverStatus;
  workflowId: string;
  nowIso(): string;
}

export async function recordDashboardShots(ctx: DashboardShotContext, moment: DashboardShot['moment']): Promise<void> {
  const dashboards = ctx.plan.postLaunch.dashboards;
  if (dashboards.length === 0 || !patched(DASHBOARD_SHOTS_PATCH)) return;
  const { takeDashboardShots } = proxyActivities<Pick<CutoverActivities, 'takeDashboardShots'>>({
    startToCloseTimeout: 60_000 + dashboards.length * PER_DASHBOARD_MS,
    retry: { maximumAttempts: 1 },
    summary: `${moment === 'debrief' ? 'debrief' : "watch's end"}: screenshots of ${dashboards.length} dashboard(s)`,
  });
  let shots: DashboardShot[];
  try {
    shots = await takeDashboardShots({ cutoverId: ctx.workflowId, moment, dashboards });
  } catch (err) {
    // An abort cancels the checks in flight, this one included: that is the abort's to handle.
    if (isCancellation(err)) throw err;
    const failed = `the screenshot activity failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300);
    shots = dashboards.map((d) => ({ ...d, moment, at: ctx.nowIso(), failed }));
  }
  ctx.status.dashboardShots = [...(ctx.status.dashboardShots ?? []), ...shots].slice(-MAX_DASHBOARD_SHOTS_KEPT);
}
