/** The report's post-launch sections: the watch, the day-1 fee reconciliation and the closing lines. */
import type { CurrencyFees } from '../../../plan/fee-reconciliation.js';
import { formatDuration } from '../../../plan/duration.js';
import { feeRowsOf, findStage, recorded, stageEvidence } from '../../../operations/evidence.js';
import type { CutoverStatus, StageState } from '../../../workflows/cutover-state.js';
import { isClosed, roleTitle } from '../checklist.js';
import { shortTime } from '../time.js';
import { dueText, openAlerts, planOffset, planTimeText, postLaunchItems } from '../watch.js';
import type { LaunchFeeReconciliation, LaunchFeeResult, LaunchFinalOutcome, LaunchReportOutcome, LaunchWatch } from './model.js';

/** Why post-launch work did not run, or undefined when it may still run or did. */
function notRunReason(status: CutoverStatus): string | undefined {
  const decided = status.decision
    ? ` (${status.decision.decision} decided by ${status.decision.by} at ${shortTime(status.decision.at)}: ${status.decision.reason})`
    : '';
  if (status.phase === 'rolled-back' || status.decision?.decision === 'roll-back')
    return `the cutover rolled back at the debrief${decided}`;
  if (status.phase === 'aborted' || status.abort) {
    const abort = status.abort;
    return `the cutover was aborted${abort ? ` by ${abort.by} at ${shortTime(abort.at)}: ${abort.reason}` : ''}`;
  }
  return undefined;
}

export function watchOf(status: CutoverStatus): LaunchWatch {
  const watch = status.watch;
  const empty = {
    workflowId: null,
    windowMs: null,
    startedAt: null,
    startedPlanAt: null,
    endsAt: null,
    endsPlanAt: null,
    finishedAt: null,
    reads: 0,
    runs: 0,
    decisions: [],
  };
  if (!watch) {
    const why = notRunReason(status);
    if (why) return { ...empty, state: 'not-run', summary: `The post-launch watch did not run because ${why}.` };
    if (status.phase === 'completed') {
      return { ...empty, state: 'not-run', summary: 'The post-launch watch did not run: this cutover finished before the watch existed.' };
    }
    return {
      ...empty,
      state: 'not-started',
      summary:
        'The post-launch watch has not started: it starts when the go-live smoke tests pass, or at the roll-forward in a plan that says so.',
    };
  }
  const windowMs = Date.parse(watch.endsPlanAt) - Date.parse(watch.startedPlanAt);
  const span = `from ${planOffset(status.goLive, watch.startedPlanAt)} to ${planOffset(status.goLive, watch.endsPlanAt)} (${formatDuration(Math.max(0, windowMs), { largestUnit: 'h' })} of plan time)`;
  const open = openAlerts(watch.alerts).length;
  const tally = `${watch.reads} metric reads, ${watch.summaries.length} summaries, ${watch.alerts.length} alert(s)${open ? `, ${open} still open` : ''}`;
  const ended = watch.decisions.find((d) => d.kind === 'end');
  const summary =
    watch.status === 'watching'
      ? `The post-launch watch is running ${span}: ${tally} so far.`
      : watch.status === 'ended-early'
        ? `The post-launch watch ended early${ended ? ` (decided by ${ended.by} at ${shortTime(ended.at)}: ${ended.reason})` : ''}; it was to run ${span}: ${tally}.`
        : `The post-launch watch completed its window ${span}: ${tally}.`;
  return {
    state: watch.status,
    summary,
    workflowId: watch.workflowId,
    windowMs: Number.isFinite(windowMs) ? windowMs : null,
    startedAt: watch.startedAt,
    startedPlanAt: watch.startedPlanAt,
    endsAt: watch.endsAt,
    endsPlanAt: watch.endsPlanAt,
    finishedAt: watch.finishedAt ?? null,
    reads: watch.reads,
    runs: watch.runs,
    decisions: watch.decisions.map((d) => ({ ...d })),
  };
}

/** The stage's evidence, per currency, whether recorded per currency or (by older runs) for one currency only. */
function feeResultOf(stage: StageState<'fee-reconciliation'> | undefined): LaunchFeeResult | null {
  const result = stageEvidence(stage).feeReconciliation;
  const currencies = feeRowsOf(result);
  if (!result || !currencies) return null;
  return {
    date: result.date ?? null,
    tolerance: result.tolerance ?? 0,
    matches: result.matches === true,
    currencies,
    requestIds: { metrics: result.requestIds?.metrics ?? null, statement: result.requestIds?.statement ?? null },
  };
}

export const FINDING_TEXT: Record<NonNullable<CurrencyFees['finding']>, string> = {
  'missing-from-statement': 'no line on the statement',
  'unexpected-currency': 'a currency the plan does not use',
  'above-tolerance': 'above the tolerance',
};

/** "the 2026-12-01 statement bills 1350 GBP, PayCA's metrics count 1200: difference +150; …": one clause per currency. */
function feeFound(result: LaunchFeeResult): string {
  const clauses = result.currencies.map(
    (row) =>
      `${recorded(row.statementFees)} ${recorded(row.currency)}, PayCA's metrics count ${recorded(row.metricsFees)}: difference ${signed(row.difference)}` +
      (row.finding && row.finding !== 'above-tolerance' ? ` (${FINDING_TEXT[row.finding]})` : ''),
  );
  return `the ${recorded(result.date ?? undefined)} statement bills ${clauses.join('; ')} against a tolerance of ${result.tolerance}`;
}

export function feeReconciliationOf(status: CutoverStatus): LaunchFeeReconciliation {
  const stage = findStage(status, 'fee-reconciliation');
  const result = feeResultOf(stage);
  const base = {
    planned: stage?.plannedAt ?? null,
    result,
    acceptedBy: [] as LaunchFeeReconciliation['acceptedBy'],
    problems: [...(stage?.problems ?? [])],
  };
  const why = notRunReason(status);
  if (!stage || (why && !stage.startedAt) || stage.status === 'skipped') {
    return {
      ...base,
      state: 'not-run',
      summary: why
        ? `The day-1 fee reconciliation did not run because ${why}.`
        : 'The day-1 fee reconciliation did not run: this cutover has no fee-reconciliation stage.',
    };
  }
  const found = result ? feeFound(result) : 'no reconciliation evidence was recorded';
  switch (stage.status) {
    case 'pending':
    case 'waiting':
      return {
        ...base,
        state: 'pending',
        summary: `The day-1 fee reconciliation is due at ${planTimeText(status.goLive, stage.plannedAt)} (Finance).`,
      };
    case 'running':
      return { ...base, state: 'running', summary: 'The day-1 fee reconciliation is running now.' };
    case 'holding':
      return {
        ...base,
        state: 'holding',
        summary: `The day-1 fee reconciliation holds for Finance: ${stage.problems.join('; ') || found}.`,
      };
    case 'rejected':
      return { ...base, state: 'rejected', summary: `The day-1 fee reconciliation was rejected: ${found}.` };
    case 'failed':
      return {
        ...base,
        state: 'failed',
        summary: `The day-1 fee reconciliation did not finish${why ? ` because ${why}` : ''}: ${stage.problems.join('; ') || found}.`,
      };
    default: {
      const acceptedBy = stage.approvals
        .filter((a) => a.attempt === stage.attempts && a.decision === 'approved')
        .map((a) => ({ by: a.by, at: a.at, note: a.note ?? null }));
      if (result?.matches && stage.problems.length === 0) {
        return { ...base, state: 'matched', summary: `Day-1 fees reconcile: ${found}.` };
      }
      const who = acceptedBy.map((a) => `${a.by} at ${shortTime(a.at)}${a.note ? ` (${a.note})` : ''}`).join(', ');
      return {
        ...base,
        acceptedBy,
        state: 'accepted',
        summary: `Day-1 fees did not reconcile (${found}) and were accepted${who ? ` by ${who}` : ''}.`,
      };
    }
  }
}

/** "+150", "-3", "0"; "not recorded" when the evidence lacks it. */
export const signed = (n: number | undefined) => (n === undefined ? recorded(n) : n > 0 ? `+${n}` : String(n));

export function finalOutcomeOf(
  status: CutoverStatus,
  outcome: LaunchReportOutcome,
  watch: LaunchWatch,
  fees: LaunchFeeReconciliation,
): LaunchFinalOutcome {
  const why = notRunReason(status);
  if (why && !status.watch) {
    return { state: outcome.state, summary: outcome.summary, postLaunch: [`No post-launch work ran because ${why}.`] };
  }
  const items = postLaunchItems(status);
  const open = items.filter((item) => !isClosed(item));
  const alerts = openAlerts(status.watch?.alerts ?? []);
  return {
    state: outcome.state,
    summary: outcome.summary,
    postLaunch: [
      watch.summary,
      ...(alerts.length ? [`Alerts still open: ${alerts.map((a) => a.id).join(', ')}.`] : []),
      fees.summary,
      items.length === 0
        ? 'No post-launch items in the checklist.'
        : open.length === 0
          ? `All ${items.length} post-launch items are done or waived.`
          : `Post-launch items open: ${open.map((item) => `${item.id} (${roleTitle(item.owner)}, ${dueText(status.goLive, item)})`).join('; ')}.`,
    ],
  };
}
