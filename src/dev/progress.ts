/**
 * Turns successive status readings into progress lines a person can follow:
 * "T-24h config-diff passed (2 differences, all allowed)", "readiness: bin-catalogue done", and after the
 * roll-forward the post-launch watch: alerts opening and recovering, summaries, reminders, post-launch
 * items. Evidence is decoded at the edge (`operations/evidence.ts`), typed per stage and per check; a field an
 * older worker did not record reads "not recorded".
 */
import { formatDuration, formatOffset } from '../plan/duration.js';
import type { FundingCheckResult } from '../activities/index.js';
import {
  feeRowsOf,
  itemEvidence,
  recorded,
  stageEvidence,
  type CheckEvidenceRead,
  type FeeReconciliationRead,
  type Recorded,
  type StageEvidenceRead,
} from '../operations/evidence.js';
import type { AutomatedCheck } from '../runbook/readiness-items.js';
import type { StageId } from '../runbook/stages.js';
import { openRequiredItems } from '../workflows/checklist-rules.js';
import type { ChecklistItemState, CutoverStatus, StageState, WatchState } from '../workflows/cutover-state.js';
import type { MetricsTotals, WatchAlert, WatchSummary } from '../workflows/watch-protocol.js';
import type { WatchItemEvidence } from '../workflows/readiness-checks.js';
import type { WebhookDeliveryProof } from '../workflows/webhook-delivery.js';
import { addTotals, emptyTotals } from '../workflows/watch-rules.js';

const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** A count the evidence may not hold: "3 settings", or "settings not recorded". */
const counted = (n: number | undefined, word: string, many = `${word}s`) =>
  n === undefined ? `${many} not recorded` : plural(n, word, many);

function configDiffDetail(evidence: StageEvidenceRead<'config-diff'>): string | undefined {
  const diff = evidence.configDiff;
  if (!diff) return undefined;
  const differences = diff.differences?.length;
  if (differences === undefined) return `differences not recorded (${counted(diff.keysCompared, 'setting')} compared)`;
  if (differences === 0) return `no differences in ${counted(diff.keysCompared, 'setting')}`;
  const unexpected = diff.unexpected?.length;
  if (unexpected === undefined) return `${plural(differences, 'difference')}, which were allowed not recorded`;
  return unexpected === 0
    ? `${plural(differences, 'difference')}, all allowed`
    : `${plural(differences, 'difference')}, ${unexpected} not allowed`;
}

function fundingDetail(funding: Recorded<FundingCheckResult> | undefined): string | undefined {
  if (!funding) return undefined;
  const shortfalls = funding.shortfalls?.length;
  const met =
    shortfalls === undefined ? 'shortfalls not recorded' : shortfalls === 0 ? 'every minimum met' : plural(shortfalls, 'shortfall');
  return `${counted(funding.accounts?.length, 'master account')}, ${met}`;
}

function jobsDetail(evidence: StageEvidenceRead<'disable-sandbox-jobs'>): string | undefined {
  const jobs = evidence.jobs ?? [];
  if (jobs.length === 0) return evidence.note;
  return `paused ${jobs.map((job) => `${recorded(job.name)}${job.wasActive === false ? ' (already paused)' : ''}`).join(', ')}`;
}

function webhookDetail(proof: Recorded<WebhookDeliveryProof>): string | undefined {
  const { delivery, subscription } = proof;
  if (!delivery) return undefined;
  const created = subscription?.created === true ? 'subscription created, ' : subscription ? 'subscription in place, ' : '';
  // PayCA leaves out the endpoint's status on some deliveries; a delivery it counts as succeeded answered 2xx.
  return `${created}test event answered HTTP ${delivery.responseStatus ?? '2xx'} after ${counted(delivery.attempts, 'attempt')}`;
}

function goLiveDetail(evidence: StageEvidenceRead<'go-live'>): string | undefined {
  const smoke = evidence.smokeTests;
  if (!smoke) return undefined;
  const topUpWebhook = smoke.topUpWebhook;
  const parts = [
    smoke.health ? 'health ok' : undefined,
    smoke.issueCard ? `card ${recorded(smoke.issueCard.cardId)} issued` : undefined,
    smoke.topUp ? 'topped up with ledger entry' : undefined,
    topUpWebhook && 'deliveryId' in topUpWebhook && topUpWebhook.deliveryId ? 'card.topup webhook delivered' : undefined,
    smoke.closeCard ? 'card closed' : undefined,
  ].filter((part): part is string => part !== undefined);
  const authorization = evidence.manualAuthorization;
  if (authorization) parts.push(`manual authorization ${recorded(authorization.authorizationId)}`);
  return parts.join(', ') || undefined;
}

/** The one-line detail of each stage once it passed: a stage the runbook adds fails the build here until it has one. */
const STAGE_DETAIL: { [S in StageId]: (evidence: StageEvidenceRead<S>, status: CutoverStatus) => string | undefined } = {
  'config-diff': configDiffDetail,
  'funding-check': (evidence) => fundingDetail(evidence.funding),
  'disable-sandbox-jobs': jobsDetail,
  'webhook-smoke-test': webhookDetail,
  'go-live': goLiveDetail,
  debrief: (_evidence, status) => (status.decision ? `${status.decision.decision} by ${status.decision.by}` : undefined),
  'fee-reconciliation': (evidence) => feeDetail(evidence.feeReconciliation),
};

function stageDetail<S extends StageId>(stage: StageState<S>, status: CutoverStatus): string | undefined {
  const detail = STAGE_DETAIL[stage.id] as ((evidence: StageEvidenceRead<S>, status: CutoverStatus) => string | undefined) | undefined;
  // A stage a newer worker added, unknown to this build, gets no detail.
  return detail?.(stageEvidence(stage), status);
}

/** "statement 1950 GBP = metrics 1950 GBP, statement 0 EUR = metrics 0 EUR for 2026-11-27": minor units, as PayCA reports them. */
function feeDetail(fees: FeeReconciliationRead | undefined): string | undefined {
  const rows = feeRowsOf(fees);
  if (!rows || !fees) return undefined;
  const day = fees.date !== undefined ? ` for ${fees.date}` : '';
  if (fees.matches === true) {
    const pairs = rows.map(
      (row) =>
        `statement ${recorded(row.statementFees)} ${recorded(row.currency)} = metrics ${recorded(row.metricsFees)} ${recorded(row.currency)}`,
    );
    return `${pairs.join(', ')}${day}, within the tolerance of ${fees.tolerance ?? 0}`;
  }
  const off = rows
    .filter((row) => row.matches !== true)
    .map(
      (row) =>
        `statement ${recorded(row.statementFees)} ${recorded(row.currency)} against metrics ${recorded(row.metricsFees)} ${recorded(row.currency)}: difference ${recorded(row.difference)}${row.onStatement === false ? ' (no line on the statement)' : ''}`,
    );
  return `${off.join('; ')}${day}`;
}

/** "watch completed after 552 reads, 46 summaries, 1 alert": the watch item's evidence. */
function watchItemDetail(record: Recorded<WatchItemEvidence>): string {
  const open = record.stillOpen?.length ?? 0;
  return [
    `watch ${recorded(record.watch)}`,
    counted(record.reads, 'read'),
    counted(record.summaries, 'summary', 'summaries'),
    `${counted(record.alerts, 'alert')}${open ? `, ${open} still open` : ''}`,
  ].join(', ');
}

/** The detail of each automated check once done: a check the runbook adds fails the build here until it has one. */
const CHECK_DETAIL: { [C in AutomatedCheck]: (evidence: CheckEvidenceRead<C>) => string | undefined } = {
  'production-credentials': () => undefined,
  'cicd-env': (evidence) => (evidence.keys ? `${plural(evidence.keys.length, 'key')} compared` : undefined),
  'webhook-tls': () => undefined,
  'mutual-tls': () => undefined,
  'bin-catalogue': (evidence) => (evidence.catalogue ? `${plural(evidence.catalogue.length, 'BIN')} as the plan expects` : undefined),
  prefund: (evidence) => (evidence.shortfalls ? fundingDetail(evidence) : undefined),
  'seed-cards': (evidence) =>
    evidence.seeded === undefined
      ? undefined
      : `${plural(evidence.seeded, 'card')} seeded after a dry run of ${counted(evidence.dryRun?.length, 'card')}`,
  'webhook-subscriptions': webhookDetail,
};

function checkDetail(item: ChecklistItemState): string | undefined {
  const read = itemEvidence(item);
  switch (read.kind) {
    case 'check':
      // Each variant pairs a check with its own evidence, which TypeScript cannot follow through the union.
      return CHECK_DETAIL[read.check](read.evidence);
    case 'watch':
      return read.evidence.watch === undefined && read.evidence.reads === undefined ? undefined : watchItemDetail(read.evidence);
    case 'fee-reconciliation':
      return feeDetail(read.evidence);
    case 'attested':
    case 'unknown':
      return undefined;
    default:
      return unhandled(read);
  }
}

/** Takes only `never`, so a kind of item evidence added without a case above fails to compile. */
function unhandled(read: never): undefined {
  void read;
  return undefined;
}

function stageLine(stage: StageState, status: CutoverStatus): string | undefined {
  const head = `${stage.offset.padEnd(5)} ${stage.id}`;
  switch (stage.status) {
    case 'running':
      return `${head} running${stage.attempts > 1 ? ` (attempt ${stage.attempts})` : ''}`;
    case 'holding':
      return `${head} holding: ${stage.hold?.reason ?? 'waiting for people'}`;
    case 'passed': {
      const detail = stageDetail(stage, status);
      return `${head} passed${detail ? ` (${detail})` : ''}`;
    }
    case 'failed':
    case 'rejected':
      return `${head} ${stage.status}${stage.problems.length ? `: ${stage.problems.join('; ')}` : ''}`;
    case 'skipped':
      return `${head} skipped`;
    default:
      return undefined;
  }
}

function itemLine(item: ChecklistItemState): string | undefined {
  const head = `${item.postLaunch ? 'post-launch' : 'readiness'}: ${item.id}`;
  switch (item.status) {
    case 'checking':
      return item.attempts > 1 ? `${head} checking again (attempt ${item.attempts})` : undefined;
    case 'failed':
      return `${head} FAILED: ${item.problems.join('; ') || 'no reason given'}`;
    case 'waived':
      return `${head} waived by ${item.waivedBy ?? 'someone'}: ${item.reason ?? ''}`;
    case 'done': {
      if (item.kind === 'attested') return `${head} done (${item.completedBy ?? 'someone'})`;
      const detail = checkDetail(item);
      return `${head} done${detail ? ` (${detail})` : ''}`;
    }
    default:
      return undefined;
  }
}

/** Cutovers started before the checklist existed have none. */
const checklistOf = (status: CutoverStatus): ChecklistItemState[] => (status as Partial<CutoverStatus>).checklist ?? [];

/** Lines for the checklist items that changed: the readiness items, or the post-launch ones (runbook section 9). */
function checklistLines(before: CutoverStatus | undefined, after: CutoverStatus, postLaunch = false): string[] {
  const lines: string[] = [];
  for (const item of checklistOf(after)) {
    if (Boolean(item.postLaunch) !== postLaunch) continue;
    const previous = before && checklistOf(before).find((i) => i.id === item.id);
    if (previous?.status === item.status && previous.attempts === item.attempts) continue;
    const line = itemLine(item);
    if (line) lines.push(line);
  }
  const openBefore = !postLaunch && before && checklistOf(before).length > 0 ? openRequiredItems(before).size : 0;
  if (openBefore > 0 && openRequiredItems({ ...after, checklist: checklistOf(after) }).size === 0) {
    lines.push('readiness: every required item is done or waived; go/no-go can go ahead');
  }
  return lines;
}

/** "checklist: 27 of 27 done or waived (26 done, 1 waived: webhook-endpoint-tls)". */
export function checklistSummary(status: CutoverStatus): string | undefined {
  const items = checklistOf(status);
  if (items.length === 0) return undefined;
  const done = items.filter((i) => i.status === 'done');
  const waived = items.filter((i) => i.status === 'waived');
  const closed = done.length + waived.length;
  const open = items.filter((i) => i.status !== 'done' && i.status !== 'waived');
  const parts = [
    `${done.length} done`,
    ...(waived.length ? [`${waived.length} waived: ${waived.map((i) => i.id).join(', ')}`] : []),
    ...(open.length ? [`open: ${open.map((i) => `${i.id}${i.optional ? ' (optional)' : ''}`).join(', ')}`] : []),
  ];
  return `checklist: ${closed} of ${items.length} done or waived (${parts.join('; ')})`;
}

// ---------- the post-launch watch ----------

/** Cutovers started before the watch existed have no reminders. */
const remindersOf = (status: CutoverStatus): CutoverStatus['reminders'] => (status as Partial<CutoverStatus>).reminders ?? [];

/** `T+3h05m`: a plan time relative to go-live, to the minute (the watch starts whenever the lead decided). */
function planLabel(status: CutoverStatus, planIso: string | undefined): string {
  const offsetMs = Date.parse(planIso ?? '') - Date.parse(status.goLive);
  if (!Number.isFinite(offsetMs)) return '?';
  return formatOffset(Math.round(offsetMs / 60_000) * 60_000).replace(/h(\d)m$/, 'h0$1m');
}

/** The plan time of a wall-clock moment: the plan clock runs `timeScale` times faster from the start. */
function planTimeOf(status: CutoverStatus, wallIso: string): string | undefined {
  const startedMs = Date.parse(status.startedAt);
  const wallMs = Date.parse(wallIso);
  if (!Number.isFinite(startedMs) || !Number.isFinite(wallMs)) return undefined;
  return new Date(startedMs + (wallMs - startedMs) * status.timeScale).toISOString();
}

/** A line in plan-time order: what a person would read on the launch channel. */
interface TimedLine {
  planMs: number;
  text: string;
}

const watchHead = (label: string) => `${label.padEnd(7)} watch:`;

function timed(status: CutoverStatus, planIso: string | undefined, text: string): TimedLine {
  return { planMs: Date.parse(planIso ?? '') || 0, text: `${watchHead(planLabel(status, planIso))} ${text}` };
}

function alertLines(status: CutoverStatus, before: WatchState | undefined, after: WatchState): TimedLine[] {
  const lines: TimedLine[] = [];
  for (const alert of after.alerts) {
    const seen = before?.alerts.find((a) => a.id === alert.id && a.openedAt === alert.openedAt);
    if (!seen) lines.push(timed(status, alert.openedPlanAt, `ALERT ${alert.severity} ${alert.id} opened: ${alert.opened}`));
    if (alert.recoveredAt && !seen?.recoveredAt) lines.push(timed(status, alert.recoveredPlanAt, recoveredText(alert)));
  }
  return lines;
}

function recoveredText(alert: WatchAlert): string {
  const openMs = Date.parse(alert.recoveredPlanAt ?? '') - Date.parse(alert.openedPlanAt);
  const after = Number.isFinite(openMs) && openMs > 0 ? ` after ${formatDuration(openMs)}` : '';
  return `${alert.id} recovered${after}: ${alert.recovered ?? 'the rule no longer breaches'}`;
}

function totalsText(t: MetricsTotals, openAlerts: string[]): string {
  return [
    `auths ${t.authorizations.approved} approved / ${t.authorizations.declined} declined`,
    `fees ${t.fees.amount} ${t.fees.currency}`,
    `webhooks ${t.webhooks.succeeded} ok / ${t.webhooks.failed} failed`,
    `ErrRateLimited ${t.rateLimited}`,
    `open alerts ${openAlerts.join(', ') || 'none'}`,
  ].join(', ');
}

function sumTotals(summaries: WatchSummary[]): MetricsTotals {
  const total = emptyTotals(summaries[0]?.totals.fees.currency ?? '');
  for (const summary of summaries) addTotals(total, summary.totals);
  return total;
}

/** A summary worth its own line: the first (to show what Analytics gets), or one with anything abnormal in it. */
const notable = (summary: WatchSummary) =>
  summary.period === 1 || summary.openAlerts.length > 0 || summary.totals.webhooks.failed > 0 || summary.totals.rateLimited > 0;

/** Quiet hours are grouped up to each whole six hours from T, so a 48 h watch prints a handful of lines. */
const QUIET_GROUP_MS = 6 * 3_600_000;

/**
 * Every summary line the readings so far call for: a notable summary on its own, quiet ones grouped until
 * a six-hour mark, the next notable one, or the end of the watch. Keyed by the periods a line covers, so
 * two readings' lines can be compared.
 */
function summaryGroups(status: CutoverStatus, watch: WatchState): Map<string, TimedLine> {
  const groups = new Map<string, TimedLine>();
  const summaries = watch.summaries;
  const goLiveMs = Date.parse(status.goLive);
  const ended = watch.status !== 'watching';
  let quiet: WatchSummary[] = [];
  const flush = () => {
    const first = quiet[0];
    const last = quiet[quiet.length - 1];
    if (!first || !last) return;
    const text =
      quiet.length === 1
        ? `${planLabel(status, first.fromPlan)}–${planLabel(status, last.toPlan)} summary to Analytics, quiet: ${totalsText(first.totals, [])}`
        : `${planLabel(status, first.fromPlan)}–${planLabel(status, last.toPlan)}: ${quiet.length} hourly summaries to Analytics, all quiet: ${totalsText(sumTotals(quiet), [])}`;
    groups.set(`${first.period}-${last.period}`, timed(status, last.toPlan, text));
    quiet = [];
  };
  summaries.forEach((summary, index) => {
    if (notable(summary)) {
      flush();
      groups.set(
        `${summary.period}-${summary.period}`,
        timed(
          status,
          summary.toPlan,
          `${planLabel(status, summary.fromPlan)}–${planLabel(status, summary.toPlan)} summary to Analytics: ${totalsText(summary.totals, summary.openAlerts)}`,
        ),
      );
      return;
    }
    quiet.push(summary);
    const atMark = (Date.parse(summary.toPlan) - goLiveMs) % QUIET_GROUP_MS === 0;
    if (atMark || (ended && index === summaries.length - 1)) flush();
  });
  return groups;
}

function summaryLines(status: CutoverStatus, before: WatchState | undefined, after: WatchState): TimedLine[] {
  const shown = before ? summaryGroups(status, before) : new Map<string, TimedLine>();
  return [...summaryGroups(status, after)].filter(([key]) => !shown.has(key)).map(([, line]) => line);
}

function reminderLines(before: CutoverStatus | undefined, after: CutoverStatus): TimedLine[] {
  return remindersOf(after)
    .slice(before ? remindersOf(before).length : 0)
    .map((reminder) => {
      const item = checklistOf(after).find((i) => i.id === reminder.item);
      const due = item?.postLaunch ? ` (due ${planLabel(after, item.postLaunch.dueAt)})` : '';
      const what = reminder.kind === 'reminder' ? 'reminder' : 'OVERDUE notice';
      const planAt = planTimeOf(after, reminder.at);
      return {
        planMs: Date.parse(planAt ?? '') || 0,
        text: `${planLabel(after, planAt).padEnd(7)} ${what} for ${reminder.item}${due} sent to ${reminder.to.join(', ') || 'nobody'}`,
      };
    });
}

function decisionLines(status: CutoverStatus, before: WatchState | undefined, after: WatchState): TimedLine[] {
  return after.decisions.slice(before?.decisions.length ?? 0).map((decision) => {
    const what = decision.kind === 'end' ? 'ended early' : `extended by ${formatDuration(decision.extendByMs ?? 0)}`;
    return timed(status, planTimeOf(status, decision.at), `${what} by ${decision.by}: ${decision.reason}`);
  });
}

function watchEndLine(status: CutoverStatus, watch: WatchState): TimedLine {
  // A watch that ran its window ends at its planned end, even when its reads lag the cutover's clock.
  const planAt = watch.status === 'completed' ? watch.endsPlanAt : (planTimeOf(status, watch.finishedAt ?? '') ?? watch.endsPlanAt);
  const open = watch.alerts.filter((a) => !a.recoveredAt).map((a) => a.id);
  const alerts =
    watch.alerts.length === 0
      ? 'no alerts'
      : `${plural(watch.alerts.length, 'alert')} (${open.length ? `still open: ${open.join(', ')}` : 'all recovered'})`;
  const how = watch.status === 'completed' ? 'completed' : 'ended early';
  return timed(
    status,
    planAt,
    `${how}: ${plural(watch.reads, 'metrics read')} in ${plural(watch.runs, 'workflow run')} (continue-as-new), ${plural(watch.summaries.length, 'hourly summary', 'hourly summaries')}, ${alerts}`,
  );
}

/** The watch's lines between two readings, in plan-time order. */
function watchLines(before: CutoverStatus | undefined, after: CutoverStatus): string[] {
  const watch = after.watch;
  const previous = before?.watch;
  const lines: TimedLine[] = [];
  if (watch) {
    if (!previous) {
      lines.push(
        timed(
          after,
          watch.startedPlanAt,
          `started as ${watch.workflowId}, until ${planLabel(after, watch.endsPlanAt)} (${watch.endsAt.slice(11, 19)}Z on the wall clock)`,
        ),
      );
    }
    lines.push(...alertLines(after, previous, watch), ...summaryLines(after, previous, watch), ...decisionLines(after, previous, watch));
    if (watch.status !== 'watching' && previous?.status !== watch.status) lines.push(watchEndLine(after, watch));
  }
  lines.push(...reminderLines(before, after));
  // Stable: lines at the same plan time keep the order they were added in.
  return lines.sort((a, b) => a.planMs - b.planMs).map((line) => line.text);
}

/**
 * "post-launch: watch ended early at T+24h05m after 265 reads; 1 alert opened, 1 recovered (webhook-failure-rate);
 * 22 hourly summaries; day-1 fees reconciled (…)": the watch in one line, once the cutover has ended.
 */
export function postLaunchSummary(status: CutoverStatus): string | undefined {
  const watch = status.watch;
  if (!watch) return undefined;
  const recovered = watch.alerts.filter((a) => a.recoveredAt);
  const rules = [...new Set(watch.alerts.map((a) => a.rule))];
  const how =
    watch.status === 'watching'
      ? `watch still running (${planLabel(status, watch.endsPlanAt)} planned end)`
      : watch.status === 'completed'
        ? `watch completed at ${planLabel(status, watch.endsPlanAt)}`
        : `watch ended early at ${planLabel(status, planTimeOf(status, watch.finishedAt ?? ''))} by ${watch.decisions.find((d) => d.kind === 'end')?.by ?? 'the lead'}`;
  const fees = status.stages.find((s) => s.id === 'fee-reconciliation');
  const feeText =
    fees?.status === 'passed'
      ? `day-1 fees ${fees.approvals.some((a) => a.attempt === fees.attempts && a.decision === 'approved') ? 'accepted by Finance' : 'reconciled'} (${feeDetail(stageEvidence(fees).feeReconciliation) ?? 'no detail'})`
      : `day-1 fee reconciliation ${fees?.status ?? 'not in the plan'}`;
  return (
    `post-launch: ${how} after ${plural(watch.reads, 'read')}; ` +
    `${plural(watch.alerts.length, 'alert')} opened, ${recovered.length} recovered${rules.length ? ` (${rules.join(', ')})` : ''}; ` +
    `${plural(watch.summaries.length, 'hourly summary', 'hourly summaries')}; ${feeText}`
  );
}

/** Lines describing what changed between two readings (everything noteworthy when `before` is undefined). */
export function progressLines(before: CutoverStatus | undefined, after: CutoverStatus): string[] {
  const lines: string[] = [...checklistLines(before, after)];
  for (const stage of after.stages) {
    const previous = before?.stages.find((s) => s.id === stage.id);
    if (previous?.status === stage.status && previous.attempts === stage.attempts) continue;
    const line = stageLine(stage, after);
    if (line) lines.push(line);
  }
  lines.push(...watchLines(before, after), ...checklistLines(before, after, true));
  // The log keeps only the latest refusals in full, so new ones are counted rather than found by position.
  const keptInAll = (s: CutoverStatus | undefined) => (s ? s.refusals.length + (s.refusalSummary?.omitted ?? 0) : 0);
  const newRefusals = Math.min(after.refusals.length, keptInAll(after) - keptInAll(before));
  for (const refusal of newRefusals > 0 ? after.refusals.slice(-newRefusals) : []) {
    lines.push(`      refused ${refusal.kind}${refusal.by ? ` from ${refusal.by}` : ''} (${refusal.via}): ${refusal.reason}`);
  }
  for (const escalation of after.escalations.slice(before?.escalations.length ?? 0)) {
    lines.push(
      `      ${escalation.stage} escalated to ${escalation.to.join(', ') || 'nobody'}: still waiting for ${escalation.waitingFor.join(', ')}`,
    );
  }
  if (before?.phase !== after.phase && ['compensating', 'completed', 'rolled-back', 'aborted'].includes(after.phase)) {
    lines.push(`cutover ${after.phase}`);
  }
  return lines;
}
