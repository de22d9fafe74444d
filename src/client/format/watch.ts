/**
 * The post-launch watch in words, shared by `cutover status` and the launch report so both describe an
 * alert, a summary and a decision alike. Plan times are named the runbook's way (T+26h) beside the clock.
 */
import { formatDuration, formatOffset } from '../../plan/duration.js';
import type { ChecklistItemState, CutoverStatus } from '../../workflows/cutover-state.js';
import type { WatchAlert, WatchDecision, WatchSummary } from '../../workflows/watch-protocol.js';
import { isClosed } from './checklist.js';
import { shortTime } from './time.js';

/** `T+26h`: a plan time relative to go-live; the ISO text itself when either is not a time. */
export function planOffset(goLive: string, planTime: string | undefined): string {
  if (!planTime) return '-';
  const at = Date.parse(planTime);
  const t = Date.parse(goLive);
  if (Number.isNaN(at) || Number.isNaN(t)) return planTime;
  // The watch starts at the moment of the decision; to the minute is how people read a timeline.
  return formatOffset(Math.round((at - t) / 60_000) * 60_000);
}

/** `2026-12-02 09:00:00Z (T+24h)` */
export function planTimeText(goLive: string, planTime: string | undefined): string {
  if (!planTime) return '-';
  return `${shortTime(planTime)} (${planOffset(goLive, planTime)})`;
}

/** `T+4h–T+5h` */
export function periodText(goLive: string, summary: WatchSummary): string {
  return `${planOffset(goLive, summary.fromPlan)}–${planOffset(goLive, summary.toPlan)}`;
}

/** One summary's totals on one line: what Analytics receives each period. */
export function summaryTotalsText(summary: WatchSummary): string {
  const t = summary.totals;
  return [
    `auths ${t.authorizations.approved} approved / ${t.authorizations.declined} declined`,
    `settlements ${t.settlements.count} (${t.settlements.amount})`,
    `refunds ${t.refunds.count} (${t.refunds.amount})`,
    `fees ${t.fees.amount} ${t.fees.currency}`,
    `webhooks ${t.webhooks.succeeded} ok / ${t.webhooks.failed} failed`,
    `ErrRateLimited ${t.rateLimited}`,
    `open alerts ${summary.openAlerts.length ? summary.openAlerts.join(', ') : 'none'}`,
  ].join(', ');
}

/** `extended by 12h by lara at …: reason` or `ended early by lara at …: reason` */
export function watchDecisionText(decision: WatchDecision): string {
  const what = decision.kind === 'end' ? 'ended early' : `extended by ${formatDuration(decision.extendByMs ?? 0)}`;
  return `${what} by ${decision.by} at ${shortTime(decision.at)}: ${decision.reason}`;
}

export const openAlerts = (alerts: readonly WatchAlert[]): WatchAlert[] => alerts.filter((alert) => !alert.recoveredAt);

/** The post-launch items (runbook section 9) of a status, each with its due time on the plan's clock. */
export function postLaunchItems(status: CutoverStatus): ChecklistItemState[] {
  return ((status as Partial<CutoverStatus>).checklist ?? []).filter((item) => item.postLaunch);
}

/** `due 2026-12-03 09:00:00Z (T+48h), reminded …, overdue since …` */
export function dueText(goLive: string, item: ChecklistItemState): string {
  const due = item.postLaunch;
  if (!due) return '-';
  return [
    `due ${planTimeText(goLive, due.dueAt)}`,
    ...(due.remindedAt ? [`reminded ${shortTime(due.remindedAt)}`] : []),
    ...(due.overdueAt && !isClosed(item) ? [`overdue since ${shortTime(due.overdueAt)}`] : []),
  ].join(', ');
}
