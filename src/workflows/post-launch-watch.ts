/**
 * The post-launch watch (runbook sections 5 and 9): a child of the cutover, started on roll-forward. Every
 * interval (5 min) it reads PayCA's metrics and balances and evaluates the alert rules; every summary
 * period (1 h) it posts totals for Analytics; it reports each alert change and summary to its cutover.
 * Each run covers one segment (6 h) of plan time, then continues as new with its state, so no run's
 * history grows long however far the watch is extended.
 *
 * A read whose interval is seconds of wall time apart or more (a real watch: 5 minutes) runs as a local
 * activity: one workflow task per read where a queued activity takes two and an activity task, which is
 * what a read costs. Compressed rehearsals read a fraction of a second apart, so their reads stay on the
 * payca queue, where many of them wait for a worker rather than in the workflow's own. Either way each call
 * takes a permit from the worker's PayCA call limiter (docs/payca-rate.md). A watch that wakes
 * behind its plan clock reads the overdue intervals with one activity and judges each as its own read; a
 * compressed watch (reads under a second of wall time apart) sleeps until a batch of intervals is due and
 * reads it the same way, so it costs a few workflow tasks per plan hour, not a few per read.
 */
import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, log, patched, setHandler } from '@temporalio/workflow';
import { formatDuration, formatOffset } from '../plan/duration.js';
import type { WatchMetricsWindowsResult } from '../activities/post-launch/watch-metrics.js';
import { activityProblem, paycaActivities, paycaLocalReads, type ActivityProblem } from './activity-proxies.js';
import {
  watchControlSignal,
  watchEventSignal,
  watchStatusQuery,
  type WatchAlert,
  type WatchCarriedState,
  type WatchDecision,
  type WatchEvent,
  type WatchInput,
  type Linked,
  type WatchResult,
  type WatchSummary,
} from './watch-protocol.js';
import { createNotices } from './notices.js';
import { planClock } from './plan-clock.js';
import { addTotals, emptyTotals, evaluateRules, updateBaseline, type RuleVerdict, type WatchReading } from './watch-rules.js';

/** A watch whose cutover may continue as new tells it the result by message, addressed by workflow id. */
export const WATCH_REPORTS_FINISH_PATCH = 'watch-reports-finish';

/** At most this many intervals in one catch-up read: each is a PayCA call within one activity. */
const MAX_CATCH_UP_READS = 12;

/** Reads at least this far apart on the wall clock run locally: at most two PayCA calls per watch per 10 s. */
const LOCAL_READ_MIN_WALL_MS = 10_000;

/**
 * A compressed watch reads together the intervals that fall due within this much wall time, by design
 * rather than only when behind: at 3000× an hour of reads is 1.2 s, so an alert is judged at most that late
 * on the wall clock, and still opens at the interval that saw it.
 */
const BATCH_READS_WITHIN_WALL_MS = 2_000;
export const WATCH_BATCHED_READS_PATCH = 'watch-batched-compressed-reads';

export async function postLaunchWatchWorkflow(input: WatchInput): Promise<WatchResult> {
  const { postLaunch, timeScale, anchorMs } = input;
  const { intervalMs, summaryEveryMs, segmentMs } = postLaunch.watch;
  const currency = postLaunch.feeReconciliation.currency;
  const goLiveMs = Date.parse(input.goLive);

  /** The cutover's clock, so both agree on when a plan time falls on the wall clock. */
  const clock = planClock(anchorMs, timeScale);
  const iso = (ms: number) => new Date(ms).toISOString();
  const label = (planMs: number) => formatOffset(planMs - goLiveMs);
  const intervalText = formatDuration(intervalMs);
  // Watches started before local reads keep reading on the payca queue, so their histories still replay.
  const readsLocally = intervalMs / timeScale >= LOCAL_READ_MIN_WALL_MS && patched('watch-local-reads');
  const readsPerBatch = Math.min(MAX_CATCH_UP_READS, Math.floor(BATCH_READS_WITHIN_WALL_MS / (intervalMs / timeScale)));
  // Watches started before batched reads wake for every interval, so their histories still replay.
  const readsInBatches = readsPerBatch >= 2 && patched(WATCH_BATCHED_READS_PATCH);
  const readMetrics = (summary: string) =>
    readsLocally ? paycaLocalReads(input.paycaRetryBudgetMs, summary) : paycaActivities(input.paycaRetryBudgetMs, summary);

  const emptyPeriod = (): WatchCarriedState['period'] => ({ totals: emptyTotals(currency), lowestBalances: {}, requestIds: [] });
  const state: WatchCarriedState = input.carried
    ? { ...input.carried, runs: input.carried.runs + 1 }
    : {
        endsPlanMs: input.endsPlanMs,
        nextReadPlanMs: goLiveMs + (Math.floor((input.startPlanMs - goLiveMs) / intervalMs) + 1) * intervalMs,
        lastReadPlanMs: input.startPlanMs,
        periodStartPlanMs: input.startPlanMs,
        reads: 0,
        runs: 1,
        alerts: [],
        summaries: [],
        period: emptyPeriod(),
        baseline: { rateLimited: [], approved: [], declined: [] },
        decisions: [],
      };

  /** When the end reached the watch: a watch reading in batches still reads the intervals past by then. */
  let endedAtPlanMs: number | undefined;
  setHandler(watchStatusQuery, () => state, { description: 'The watch: alerts, summaries, reads and when it ends' });
  const cutover = getExternalWorkflowHandle(input.cutoverWorkflowId);
  const report = (event: WatchEvent) => cutover.signal(watchEventSignal, { ...event, link: input.link });
  setHandler(watchControlSignal, (signalled: WatchDecision & Linked) => {
    // Only the cutover knows the link; a decision without it is someone else's, told to the cutover.
    if (input.link !== undefined && signalled?.link !== input.link) {
      const claimedBy = typeof signalled?.by === 'string' ? signalled.by.slice(0, 80) : 'nobody';
      log.warn('watch-control refused: not from the linked cutover', { claimedBy });
      void report({ kind: 'control-refused', claimedBy, at: iso(Date.now()) }).catch(() => undefined);
      return;
    }
    const { link: _link, ...decision } = signalled;
    if (state.ended) return;
    state.decisions.push(decision);
    if (decision.kind === 'end') {
      state.ended = decision;
      endedAtPlanMs = clock.planNowMs();
    } else state.endsPlanMs += decision.extendByMs ?? 0;
  });

  const notices = createNotices({
    webhookUrl: input.notifyWebhookUrl,
    retryBudgetMs: input.notifyRetryBudgetMs,
    attemptTimeoutMs: input.notifyAttemptTimeoutMs,
    routing: input.notifyRouting,
    from: 'watch',
    nowIso: () => iso(Date.now()),
    onFailure: async (failure) => {
      try {
        await report({ kind: 'notice-failed', failure });
      } catch (err) {
        // The cutover is gone (terminated): the worker's log already holds the notice.
        log.warn('could not report a failed notice to the cutover', { error: String(err) });
      }
    },
  });
  const notify = (channel: 'alert' | 'analytics', summary: string, text: string, to?: string[]) =>
    notices.send(channel, `${input.programme}: ${text}`, {
      to,
      summary,
      audience: channel === 'analytics' ? `Analytics (${(to ?? []).join(', ')})` : undefined,
    });

  const openAlerts = () => state.alerts.filter((a) => a.recoveredAt === undefined);

  /** Whether a verdict opens or recovers an alert. */
  const changesAlert = (verdict: RuleVerdict) => {
    const open = openAlerts().some((a) => a.id === verdict.id);
    return (verdict.breached === true && !open) || (verdict.breached === false && open);
  };

  /** Opens what is newly breached and recovers what no longer is; unchanged verdicts make no noise. */
  async function applyVerdicts(verdicts: RuleVerdict[], readPlanMs: number): Promise<void> {
    const now = Date.now();
    for (const verdict of verdicts) {
      const open = openAlerts().find((a) => a.id === verdict.id);
      if (verdict.breached === true && !open) {
        const alert: WatchAlert = {
          id: verdict.id,
          rule: verdict.rule,
          severity: verdict.severity,
          openedAt: iso(now),
          openedPlanAt: iso(readPlanMs),
          opened: verdict.description,
        };
        state.alerts.push(alert);
        await report({ kind: 'alert', alert });
        await notify(
          'alert',
          `${label(readPlanMs)} alert opened: ${verdict.rule}`,
          `ALERT ${verdict.severity} ${verdict.rule} at ${label(readPlanMs)}: ${verdict.description}`,
        );
      } else if (verdict.breached === false && open) {
        Object.assign(open, { recoveredAt: iso(now), recoveredPlanAt: iso(readPlanMs), recovered: verdict.description });
        await report({ kind: 'alert', alert: open });
        await notify(
          'alert',
          `${label(readPlanMs)} alert recovered: ${verdict.rule}`,
          `RECOVERED ${verdict.rule} at ${label(readPlanMs)}: ${verdict.description}`,
        );
      }
    }
  }

  function accumulate(reading: WatchReading): void {
    addTotals(state.period.totals, reading.metrics);
    for (const account of reading.accounts) {
      const lowest = state.period.lowestBalances[account.id];
      if (!lowest || account.available < lowest.available) {
        state.period.lowestBalances[account.id] = { currency: account.currency, available: account.available };
      }
    }
    state.period.requestIds.push(...reading.requestIds);
  }

  async function postSummary(toPlanMs: number): Promise<void> {
    const fromPlanMs = state.periodStartPlanMs;
    const ids = state.period.requestIds;
    const summary: WatchSummary = {
      period: state.summaries.length + 1,
      fromPlan: iso(fromPlanMs),
      toPlan: iso(toPlanMs),
      totals: state.period.totals,
      lowestBalances: state.period.lowestBalances,
      openAlerts: openAlerts().map((a) => a.id),
      requestIds: ids.length > 2 ? [ids[0] ?? '', ids[ids.length - 1] ?? ''] : ids,
    };
    state.summaries.push(summary);
    state.period = emptyPeriod();
    state.periodStartPlanMs = toPlanMs;
    await report({ kind: 'summary', summary });
    const t = summary.totals;
    await notify(
      'analytics',
      `${label(toPlanMs)} summary for Analytics`,
      `summary ${label(fromPlanMs)}–${label(toPlanMs)}: authorizations ${t.authorizations.approved} approved / ${t.authorizations.declined} declined; ` +
        `settlements ${t.settlements.count} (${t.settlements.amount}); refunds ${t.refunds.count} (${t.refunds.amount}); ` +
        `fees ${t.fees.amount} ${t.fees.currency}; webhooks ${t.webhooks.succeeded} ok / ${t.webhooks.failed} failed; ` +
        `ErrRateLimited ${t.rateLimited}; open alerts: ${summary.openAlerts.join(', ') || 'none'}`,
      input.analysts,
    );
  }

  const intervalsPerHour = Math.max(1, Math.round(summaryEveryMs / intervalMs));
  /** Summaries and segments fall on whole periods from T, so they read as "T+3h", "T+6h". */
  const onBoundary = (planMs: number, periodMs: number) => (planMs - goLiveMs) % periodMs === 0;

  /** What a failed read says: the alert that stays open until PayCA's metrics can be read again. */
  const unavailable = (problem: ActivityProblem): RuleVerdict => ({
    id: 'metrics-unavailable',
    rule: 'metrics-unavailable',
    severity: 'sev2',
    breached: true,
    description: `PayCA metrics could not be read: ${problem.type}: ${problem.message}${problem.requestId ? ` (request ${problem.requestId})` : ''}`,
  });

  /** Judges one interval's reading (or the failure to read it), records the read, and closes the summary period on its boundary. */
  async function recordRead(readPlanMs: number, outcome: { reading: WatchReading } | { problem: ActivityProblem }): Promise<void> {
    let verdicts: RuleVerdict[];
    if ('reading' in outcome) {
      const { reading } = outcome;
      verdicts = evaluateRules(postLaunch.alerts, reading, state.baseline, intervalText);
      updateBaseline(state.baseline, reading, verdicts, intervalsPerHour);
      accumulate(reading);
      verdicts.push({
        id: 'metrics-unavailable',
        rule: 'metrics-unavailable',
        severity: 'sev2',
        breached: false,
        description: 'PayCA metrics read again',
      });
    } else {
      log.warn('metrics read failed', { problem: outcome.problem });
      verdicts = [unavailable(outcome.problem)];
    }
    state.reads += 1;
    state.lastReadPlanMs = readPlanMs;
    state.nextReadPlanMs = readPlanMs + intervalMs;
    // Most reads change nothing; skipping the call spares the workflow sandbox the promises it would make.
    if (verdicts.some(changesAlert)) await applyVerdicts(verdicts, readPlanMs);
    if (onBoundary(readPlanMs, summaryEveryMs)) await postSummary(readPlanMs);
  }

  /**
   * The read times from `first` that the plan clock has already passed: a watch that fell behind (a worker
   * that was down, a compressed rehearsal on a busy worker) reads them in one go. A batch ends at a summary
   * boundary, so every summary still closes its own period, and segments (whole periods) still end on time.
   */
  function dueReads(first: number): number[] {
    const planNowMs = clock.planNowMs();
    const due = [first];
    for (let last = first; due.length < MAX_CATCH_UP_READS && !onBoundary(last, summaryEveryMs);) {
      last += intervalMs;
      if (last > planNowMs || last > state.endsPlanMs) break;
      due.push(last);
    }
    return due;
  }

  /** Reads several overdue intervals with one activity, then judges each interval as its own read. */
  async function catchUp(due: number[]): Promise<void> {
    const first = due[0] ?? state.nextReadPlanMs;
    const last = due[due.length - 1] ?? first;
    const windows = due.map((readPlanMs, i) => ({
      fromIso: iso(clock.wallAtMs(i === 0 ? state.lastReadPlanMs : (due[i - 1] ?? readPlanMs))),
      toIso: iso(clock.wallAtMs(readPlanMs)),
    }));
    let result: WatchMetricsWindowsResult;
    try {
      result = await readMetrics(
        `${label(first)}–${label(last)} catch-up metrics read (${due.length} intervals) and alert rules (Analytics)`,
      ).readWatchMetricsWindows({ baseUrl: input.paycaBaseUrl, windows });
    } catch (err) {
      // Counted as the first interval's failed read; the loop tries the others again at once.
      await recordRead(first, { problem: activityProblem(err) });
      return;
    }
    // PayCA may have answered fewer windows than asked (a rate limit part-way); the rest are read next.
    for (const [i, interval] of result.intervals.entries()) {
      const readPlanMs = due[i];
      if (readPlanMs === undefined) break;
      // A balance is only known now, so only the latest interval read carries the accounts.
      const latest = i === result.intervals.length - 1;
      await recordRead(readPlanMs, {
        reading: {
          metrics: interval.metrics,
          accounts: latest ? result.accounts : [],
          requestIds: latest ? [interval.requestId, result.accountsRequestId] : [interval.requestId],
        },
      });
    }
  }

  /** The last read of the batch starting at `first`: the watch sleeps until it is due, then reads them all. */
  function batchEnd(first: number): number {
    let last = first;
    for (let n = 1; n < readsPerBatch && !onBoundary(last, summaryEveryMs) && last + intervalMs <= state.endsPlanMs; n++)
      last += intervalMs;
    return last;
  }

  const readsLeft = () =>
    state.nextReadPlanMs <= state.endsPlanMs &&
    (!state.ended || (readsInBatches && endedAtPlanMs !== undefined && state.nextReadPlanMs <= endedAtPlanMs));

  while (readsLeft()) {
    const readPlanMs = state.nextReadPlanMs;
    const dueAtPlanMs = readsInBatches ? batchEnd(readPlanMs) : readPlanMs;
    // Rounded up in batches, so the plan clock has passed the batch's last read when the timer fires.
    const waitMs = readsInBatches ? Math.ceil(clock.wallAtMs(dueAtPlanMs) - Date.now()) : clock.wallAtMs(readPlanMs) - Date.now();
    if (waitMs > 0) {
      await condition(() => state.ended !== undefined || state.endsPlanMs < readPlanMs, waitMs, {
        summary: readsInBatches
          ? `until the ${label(readPlanMs)}–${label(dueAtPlanMs)} metrics reads`
          : `until the ${label(readPlanMs)} metrics read`,
      });
    }
    // Ended part-way through a batch, the intervals already past are still read, as a watch reading each would have.
    if (!readsLeft()) break;

    const due = dueReads(readPlanMs);
    // Watches started before catch-up reads read each overdue interval with its own activity, so their histories still replay.
    if (due.length > 1 && patched('watch-catch-up-reads')) {
      await catchUp(due);
    } else {
      let outcome: { reading: WatchReading } | { problem: ActivityProblem };
      try {
        const reading = await readMetrics(`${label(readPlanMs)} metrics read and alert rules (Analytics)`).readWatchMetrics({
          baseUrl: input.paycaBaseUrl,
          fromIso: iso(clock.wallAtMs(state.lastReadPlanMs)),
          toIso: iso(clock.wallAtMs(readPlanMs)),
        });
        outcome = { reading };
      } catch (err) {
        outcome = { problem: activityProblem(err) };
      }
      await recordRead(readPlanMs, outcome);
    }

    const lastReadPlanMs = state.lastReadPlanMs;
    if (onBoundary(lastReadPlanMs, segmentMs) && !state.ended && state.nextReadPlanMs <= state.endsPlanMs) {
      await report({ kind: 'progress', reads: state.reads, runs: state.runs, endsPlanAt: iso(state.endsPlanMs) });
      await notices.settle();
      await condition(allHandlersFinished);
      await continueAsNew<typeof postLaunchWatchWorkflow>({ ...input, carried: state });
    }
  }

  // A period cut short by the end (early, or an extension that is not a whole period) still gets its summary.
  if (state.lastReadPlanMs > state.periodStartPlanMs) await postSummary(state.lastReadPlanMs);
  await report({ kind: 'progress', reads: state.reads, runs: state.runs, endsPlanAt: iso(state.endsPlanMs) });
  await notices.settle();
  await condition(allHandlersFinished);
  const result: WatchResult = {
    status: state.ended ? 'ended-early' : 'completed',
    endsPlanAt: iso(state.endsPlanMs),
    reads: state.reads,
    runs: state.runs,
    alerts: state.alerts,
    summaries: state.summaries,
    endedEarly: state.ended,
  };
  if (input.reportsFinish && patched(WATCH_REPORTS_FINISH_PATCH)) {
    // A cutover that is gone has nobody left to tell; the result is still this workflow's own.
    await report({ kind: 'finished', result }).catch((err: unknown) =>
      log.warn('could not tell the cutover the watch ended', { error: String(err) }),
    );
  }
  return result;
}
