/**
 * The post-launch watch's first input, from the cutover's plan and clock: one builder for the watch started
 * after roll-forward (`post-launch.ts`) and the one started at go-live (`live-window.ts`), so both read the
 * same settings and route their notices the same way.
 */
import type { CutoverContext } from './cutover-context.js';
import { noticeRouting } from './notices.js';
import type { WatchInput } from './watch-protocol.js';

export function firstWatchInput(
  ctx: Pick<CutoverContext, 'workflowId' | 'plan' | 'status' | 'timeScale' | 'clock'>,
  window: { startPlanMs: number; endsPlanMs: number },
): WatchInput {
  const { plan } = ctx;
  return {
    cutoverWorkflowId: ctx.workflowId,
    programme: plan.programme,
    postLaunch: plan.postLaunch,
    paycaBaseUrl: plan.payca.production.baseUrl,
    paycaRetryBudgetMs: plan.paycaRetryBudgetMs,
    notifyWebhookUrl: plan.notifications.webhookUrl,
    notifyRetryBudgetMs: plan.notifications.retryBudgetMs,
    notifyAttemptTimeoutMs: plan.notifications.attemptTimeoutMs,
    notifyRouting: noticeRouting(plan),
    analysts: plan.approvers.analytics ?? [],
    timeScale: ctx.timeScale,
    anchorMs: ctx.clock.anchorMs,
    startPlanMs: window.startPlanMs,
    goLive: ctx.status.goLive,
    endsPlanMs: window.endsPlanMs,
  };
}
