/**
 * The demo's post-launch watch: one alert made to happen in plain sight, and the words that say how this
 * compressed watch differs from a real one. The alert is a burst of failed webhook deliveries injected at
 * the production simulator; the simulator dates it "now", so it lands in the watch's current 5-minute
 * window, opens the webhook failure-rate alert on the next read and recovers on the read after.
 */
import { formatDuration, formatOffset } from '../plan/duration.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import { hasRolledForward } from '../workflows/rolled-forward.js';

const percent = (fraction: number) => `${Number((fraction * 100).toFixed(2))}%`;

/** Failed and good deliveries in the burst: 3% of the window's attempts, above the runbook's 1%. */
export const DEMO_WEBHOOK_BURST = { failed: 6, succeeded: 194 } as const;

/** Why the demo's lead ends the watch early: said in the reason itself, so the report tells a rehearsal apart. */
export function endWatchReason(plan: CutoverPlan): string {
  return (
    'rehearsal: the injected webhook alert opened and recovered and the day-1 fees reconciled; ' +
    `a real cutover keeps watching to ${formatOffset(plan.postLaunch.watch.windowMs)}`
  );
}

/**
 * The burst goes in once the lead has rolled forward on the quiet hours the watch from T summed up, so the
 * debrief's pack and the decision stay those of a clean launch and the alert is seen after it.
 */
export function readyForBurst(status: CutoverStatus): boolean {
  return hasRolledForward(status) && status.watch?.status === 'watching' && status.watch.summaries.length >= 1;
}

export function burstAnnouncement(plan: CutoverPlan): string {
  const { failed, succeeded } = DEMO_WEBHOOK_BURST;
  const rate = failed / (failed + succeeded);
  return (
    `injecting a webhook failure burst at PayCA (simulator): ${failed} failed deliveries beside ${succeeded} good ones, ` +
    `${percent(rate)} of this ${formatDuration(plan.postLaunch.watch.intervalMs)} window; the rule alerts above ${percent(plan.postLaunch.alerts.webhookFailureRate)}`
  );
}

export async function injectWebhookBurst(productionUrl: string): Promise<void> {
  const res = await fetch(new URL('/_sim/inject/webhook-failures', productionUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ count: DEMO_WEBHOOK_BURST.failed, succeeded: DEMO_WEBHOOK_BURST.succeeded }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = await res.text();
  if (!res.ok) throw new Error(`${productionUrl}/_sim/inject/webhook-failures answered HTTP ${res.status}: ${body}`);
}

/** What the watch does, what a real cutover would do, and what this run does instead. */
export function watchIntroLines(plan: CutoverPlan, status: CutoverStatus, fullWatch: boolean): string[] {
  const { watch, alerts, feeReconciliation } = plan.postLaunch;
  const fees = plan.stages.find((s) => s.id === 'fee-reconciliation');
  const wallLeftMs = status.watch ? Math.max(0, Date.parse(status.watch.endsAt) - Date.now()) : 0;
  const window = formatOffset(watch.windowMs);
  const lines = [
    `  every ${formatDuration(watch.intervalMs)} of plan time the watch reads PayCA's metrics and balances and checks the runbook's alert rules: ` +
      `webhook failures above ${percent(alerts.webhookFailureRate)} per interval, a master account below its low-balance threshold, an ErrRateLimited spike, a decline-rate shift; ` +
      `each alert is notified once when it opens and once when it recovers`,
    `  a summary goes to Analytics (${(plan.approvers.analytics ?? []).join(', ') || 'nobody'}) every ${formatDuration(watch.summaryEveryMs)}; ` +
      `the watch continues as new every ${formatDuration(watch.segmentMs)} of plan time so its history stays short; quiet hours are shown here six at a time`,
    ...(fees
      ? [
          `  ${formatOffset(fees.offsetMs)}: Finance's day-1 fee reconciliation, statement against metrics (tolerance ${feeReconciliation.tolerance}); a difference holds for Finance`,
        ]
      : []),
    fullWatch
      ? `  this run watches the whole window to ${window}, as a real cutover does: about ${formatDuration(Math.round(wallLeftMs / 1_000) * 1_000)} of wall time`
      : `  a real cutover watches to ${window}; this rehearsal ends the watch early once the day-1 fees reconcile and the alert it injects has recovered ` +
        `(\`--full-watch\` runs the whole window, about ${formatDuration(Math.round(wallLeftMs / 1_000) * 1_000)} of wall time from here)`,
  ];
  return lines;
}
