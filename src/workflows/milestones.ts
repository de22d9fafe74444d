/**
 * The cutover's milestones as notices: started, go/no-go, live, the debrief decision, the watch's end.
 * Worded by the plan's templates or the defaults (`src/plan/notice-routes.ts`), routed as `milestone`
 * notices. Sent only by plans that route notices, so a plan on the single webhook hears what it always did.
 */
import { patched } from '@temporalio/workflow';
import { milestoneText, routesNotices, type MilestoneId } from '../plan/notice-routes.js';
import type { CutoverContext } from './cutover-context.js';
import type { StageState } from './cutover-state.js';
import { currentApprovals } from './message-rules.js';

/** Cutovers started before milestones were sent replay without them. */
export const MILESTONE_NOTICES_PATCH = 'milestone-notices';

type MilestoneContext = Pick<CutoverContext, 'plan' | 'status' | 'notify' | 'planNow'>;

export async function milestone(ctx: MilestoneContext, id: MilestoneId, values: Record<string, string>): Promise<void> {
  const { plan, status } = ctx;
  if (!routesNotices(plan.notifications) || !patched(MILESTONE_NOTICES_PATCH)) return;
  const text = milestoneText(plan.notifications, id, {
    programme: plan.programme,
    goLive: status.goLive,
    at: ctx.planNow(),
    monitoringRoom: plan.notifications.monitoringRoom,
    ...values,
  });
  await ctx.notify('milestone', text, undefined, `milestone ${id}`);
}

/** The go-live stage passing is going live; the debrief passing is its decision. */
export async function stagePassedMilestone(ctx: MilestoneContext, stage: StageState): Promise<void> {
  if (stage.id === 'go-live') {
    await milestone(ctx, 'live', {
      approvedBy:
        currentApprovals(stage)
          .map((a) => a.by)
          .join(', ') || 'nobody (no gate)',
    });
  } else if (stage.id === 'debrief' && ctx.status.decision) {
    const { decision, by, reason } = ctx.status.decision;
    await milestone(ctx, 'debriefDecision', { decision, by, reason });
  }
}

export async function watchEndedMilestone(ctx: MilestoneContext): Promise<void> {
  const watch = ctx.status.watch;
  if (!watch) return;
  await milestone(ctx, 'watchEnded', {
    status: watch.status,
    alerts: String(watch.alerts.length),
    summaries: String(watch.summaries.length),
  });
}
