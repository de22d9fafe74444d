import assert from 'node:assert/strict';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { cutoverWorkflow } from '../src/workflows/cutover.js';
import { MESSAGES, approveUpdate, completeItemUpdate, decideUpdate, reportIncidentUpdate, statusQuery } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { watchStatusQuery, watchWorkflowId, type WatchAlert } from '../src/workflows/watch-protocol.js';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { FeeReconciliationResult } from '../src/activities/index.js';
import { renderLaunchReportJson, renderLaunchReportMarkdown, type LaunchReport } from '../src/client/format/launch-report.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { RELAXED_READINESS, planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';

const MINUTE = 60_000;

type Handle = WorkflowHandle<typeof cutoverWorkflow>;

/** A plan with the runbook's post-launch defaults: a 48 h watch and the fee reconciliation at T+24h. */
const DASHBOARDS = [{ title: 'Launch overview', url: 'https://grafana.example/d/launch' }];

const fullPostLaunch = (stack: Parameters<typeof planFor>[0]) =>
  planFor(stack, {
    postLaunch: { alerts: { declineRate: { baseline: 0.05 } }, dashboards: DASHBOARDS },
    readiness: {
      items: {
        ...RELAXED_READINESS.items,
        'support-ticket-review': { optional: false },
        'retro-scheduled': { optional: false },
      },
    },
    stages: { 'fee-reconciliation': { offset: '24h' } },
  });

describe('post-launch watch on the time-skipping server', function () {
  this.timeout(300_000);
  // Skipped time runs 48 h of reads in well under a minute of real time, faster than PayCA's real-time rate limit allows.
  const harness = useCutoverHarness('time-skipping', 'watch', { rateLimit: { perSecond: 10_000, burst: 10_000 } });
  const { notifications } = harness;
  let env: TestWorkflowEnvironment;

  beforeEach(async () => {
    env = harness.env;
    await harness.stack.reset();
    notifications.length = 0;
  });

  /** Runs the timeline to the debrief and rolls forward; returns T on the workflow clock. */
  async function rollForward(handle: Handle): Promise<number> {
    await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    const auth = await runLowRiskAuthorization(harness.stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    const atDebrief = await advanceUntil(env, handle, holdingAt('debrief'), 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'all green' }] });
    return Date.parse(atDebrief.goLive);
  }

  /** Skips the workflow clock to T + offset; the server pauses the skip while an activity runs. */
  async function skipTo(goLiveMs: number, offsetMs: number): Promise<CutoverStatus> {
    const wait = goLiveMs + offsetMs - (await env.currentTimeMs());
    if (wait > 0) await env.sleep(wait);
    return handleStatus();
  }

  /**
   * Half a read interval (5 min) past `offsetMs`. The watch reads on the T + k × 5 min grid, and between
   * skips the time-skipping server's clock runs at real pace: a message that ends the watch just as a read's
   * timer fires makes the workflow cancel a fired timer, a completion that server refuses without ever
   * retrying the task (temporalio/sdk-java#3088), so the test would hang. Mid-interval leaves minutes.
   */
  const midInterval = (offsetMs: number) => offsetMs + 2.5 * MINUTE;

  let current: Handle;
  const handleStatus = () => current.query(statusQuery);
  const at = (goLiveMs: number, offsetMs: number) => new Date(goLiveMs + offsetMs).toISOString();
  const alertLines = (kind: 'ALERT' | 'RECOVERED', rule: string) =>
    notifications.filter((n) => n.includes('[notify:alert]') && n.includes(`${kind} `) && n.includes(` ${rule} `)).length;

  it('watches 48 h from T: each injected fault opens one alert and recovers once, hourly summaries, history bounded by continue-as-new', async () => {
    const { stack } = harness;
    current = await harness.start({ plan: fullPostLaunch(stack) });
    const T = await rollForward(current);

    // Faults in PayCA's metrics, dated inside chosen 5-minute windows of the watch.
    await stack.admin('inject/webhook-failures', 'POST', { count: 5, succeeded: 20, at: at(T, 4 * HOUR + 2 * MINUTE) });
    await stack.admin('inject/rate-limited', 'POST', { count: 50, at: at(T, 8 * HOUR + 2 * MINUTE) });
    await stack.admin('inject/authorizations', 'POST', { approved: 20, declined: 30, at: at(T, 10 * HOUR + 2 * MINUTE) });
    await stack.admin('inject/authorizations', 'POST', { approved: 95, declined: 5, at: at(T, 10 * HOUR + 7 * MINUTE) });

    const watching = await skipTo(T, 2 * HOUR + 30 * MINUTE);
    assert.equal(watching.phase, 'watching');
    assert.equal(watching.watch?.status, 'watching');
    assert.equal(watching.watch?.endsPlanAt, at(T, 48 * HOUR));
    await current.executeUpdate(completeItemUpdate, {
      args: [{ item: 'retro-scheduled', by: 'lara', evidence: 'retro booked for T+5d: https://calendar.acme.example/retro' }],
    });

    // A balance is state, not a count: drain it while the watch runs, then put it back.
    await skipTo(T, 12 * HOUR + 2 * MINUTE);
    await stack.admin('inject/balance-drain', 'POST', { accountId: 'acc_gbp_main', to: 1_000 });
    const drained = await skipTo(T, 12 * HOUR + 17 * MINUTE);
    assert.ok(
      drained.watch?.alerts.some((a) => a.id === 'low-balance:acc_gbp_main' && !a.recoveredAt),
      'the low balance alert is open',
    );
    await current.executeUpdate(reportIncidentUpdate, {
      args: [{ by: 'tomas', severity: 'sev2', summary: 'master account drained by a mis-sent sweep; reversing' }],
    });
    await stack.admin('inject/balance-restore', 'POST', { accountId: 'acc_gbp_main' });

    const afterWatch = await skipTo(T, 49 * HOUR);
    const watch = afterWatch.watch;
    assert.ok(watch);
    assert.equal(watch.status, 'completed');
    assert.equal(afterWatch.phase, 'watching', 'the cutover waits for the support review');

    const expected: Record<string, { opened: number; recovered: number }> = {
      'webhook-failure-rate': { opened: 4 * HOUR + 5 * MINUTE, recovered: 4 * HOUR + 10 * MINUTE },
      'rate-limited-spike': { opened: 8 * HOUR + 5 * MINUTE, recovered: 8 * HOUR + 10 * MINUTE },
      'decline-rate-shift': { opened: 10 * HOUR + 5 * MINUTE, recovered: 10 * HOUR + 10 * MINUTE },
      'low-balance': { opened: 12 * HOUR + 5 * MINUTE, recovered: 12 * HOUR + 20 * MINUTE },
    };
    for (const [rule, times] of Object.entries(expected)) {
      const alerts: WatchAlert[] = watch.alerts.filter((a) => a.rule === rule);
      assert.equal(alerts.length, 1, `${rule}: exactly one alert`);
      assert.equal(alerts[0]?.openedPlanAt, at(T, times.opened), `${rule} opened at the first read that saw it`);
      assert.equal(alerts[0]?.recoveredPlanAt, at(T, times.recovered), `${rule} recovered at the first read after it`);
      assert.equal(alertLines('ALERT', rule), 1, `${rule}: one notice when it opened`);
      assert.equal(alertLines('RECOVERED', rule), 1, `${rule}: one notice when it recovered`);
    }
    assert.equal(
      watch.alerts.length,
      4,
      `no other alert opened: ${JSON.stringify(watch.alerts.filter((a) => !expected[a.rule]).slice(0, 3))}`,
    );

    // The watch starts at T, with the passed smoke tests, so it reads every 5 minutes from T+5m to T+48h and
    // sums up every hour from T+1h: two hours more than a watch started at the T+2h roll-forward.
    assert.equal(watch.reads, 48 * 12);
    assert.equal(watch.summaries.length, 48);
    assert.equal(watch.summaries[0]?.toPlan, at(T, HOUR));
    assert.equal(watch.summaries[47]?.toPlan, at(T, 48 * HOUR));
    const hour5 = watch.summaries.find((s) => s.toPlan === at(T, 5 * HOUR));
    assert.deepEqual(hour5?.totals.webhooks, { succeeded: 20, failed: 5 });
    const hour11 = watch.summaries.find((s) => s.toPlan === at(T, 11 * HOUR));
    assert.deepEqual(hour11?.totals.authorizations, { approved: 115, declined: 35 });
    assert.equal(notifications.filter((n) => n.includes('[notify:analytics]')).length, 48);
    assert.ok(notifications.find((n) => n.includes('[notify:analytics]'))?.includes('(to: ana)'), 'summaries go to Analytics');

    // Each 6 h segment is its own run: seven continue-as-new, each run's history well below the warning.
    assert.equal(watch.runs, 8);
    const runLengths = await watchRunLengths(watchWorkflowId(current.workflowId));
    assert.equal(runLengths.length, 8);
    for (const length of runLengths) assert.ok(length < 2_000, `a watch run has ${length} events`);

    const recon = stageOf(afterWatch, 'fee-reconciliation');
    assert.equal(recon.status, 'passed');
    assert.ok(Date.parse(recon.startedAt ?? '') >= T + 24 * HOUR);
    const result = recon.evidence.feeReconciliation as FeeReconciliationResult;
    assert.equal(result.matches, true);
    assert.deepEqual(
      result.byCurrency.map((row) => row.currency),
      ['EUR', 'GBP'],
      'both funded currencies are reconciled',
    );
    for (const row of result.byCurrency) assert.equal(row.metricsFees, row.statementFees, row.currency);

    // The support review is late: its owner was reminded a day ahead, then it was flagged overdue.
    const reminders = afterWatch.reminders.filter((r) => r.item === 'support-ticket-review');
    assert.deepEqual(
      reminders.map((r) => r.kind),
      ['reminder', 'overdue'],
    );
    assert.deepEqual(reminders[0]?.to, ['cara']);
    assert.equal(afterWatch.reminders.filter((r) => r.item === 'retro-scheduled').length, 0, 'the retro was booked in time');
    await current.executeUpdate(completeItemUpdate, {
      args: [{ item: 'support-ticket-review', by: 'cara', evidence: '14 tickets, 2 patterns: see CX-812' }],
    });

    const final = await current.result();
    assert.equal(final.phase, 'completed');
    for (const id of ['hourly-metrics-review', 'day1-fee-reconciliation', 'support-ticket-review', 'retro-scheduled']) {
      assert.equal(final.checklist.find((i) => i.id === id)?.status, 'done', `${id} is done`);
    }
    const times = final.incidents.map((i) => Date.parse(i.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'the incident log is in time order',
    );
    assert.equal(final.incidents.filter((i) => i.source === 'alert').length, 8, 'each alert logged when it opened and when it recovered');
    const person = final.incidents.findIndex((i) => i.source === 'person');
    assert.equal(
      final.incidents[person - 1]?.summary.startsWith('alert low-balance'),
      true,
      'the person entry follows the alert it answers',
    );
    assertFullReport(final, { rolledForward: true });

    const cutoverEvents = (await current.fetchHistory()).events?.length ?? 0;
    assert.ok(cutoverEvents < 2_000, `the cutover's history has ${cutoverEvents} events`);
  });

  const SECTIONS = [
    'Timeline',
    'Approvals and decisions',
    'Smoke-test evidence',
    'Launch checklist',
    'Post-launch watch',
    'Hourly summaries',
    'Alerts',
    'Day-1 fee reconciliation',
    'Dashboards',
    'Reminders',
    'Incident log',
    'Final outcome',
  ];

  /** The launch report of a finished cutover carries every runbook artifact, in Markdown and JSON alike. */
  function assertFullReport(final: CutoverStatus, { rolledForward }: { rolledForward: boolean }): void {
    const markdown = renderLaunchReportMarkdown(final, new Date());
    for (const title of SECTIONS) assert.match(markdown, new RegExp(`^## ${title}$`, 'm'), `the report has ${title}`);
    const report = JSON.parse(renderLaunchReportJson(final, new Date())) as LaunchReport;
    assert.equal(report.phase, final.phase);
    assert.equal(report.checklist.length, final.checklist.length);
    assert.ok(report.smokeTests.length > 0, 'smoke-test evidence with request ids');
    assert.ok(
      report.dashboards.some((d) => d.url === 'https://grafana.example/d/launch'),
      "the plan's dashboard links",
    );
    const logTimes = report.incidentLog.map((entry) => Date.parse(entry.at));
    assert.deepEqual(
      logTimes,
      [...logTimes].sort((a, b) => a - b),
      'the incident log is in time order',
    );
    if (rolledForward) {
      assert.equal(report.summaries.length, final.watch?.summaries.length);
      assert.equal(report.alerts.length, final.watch?.alerts.length);
      assert.ok(
        report.incidentLog.some((entry) => /low-balance/.test(JSON.stringify(entry))),
        'alerts are in the incident log',
      );
      assert.match(markdown, /## Day-1 fee reconciliation\n\n[^\n]*\S/);
    } else {
      // The watch from T ran to the roll-back: the report keeps what it saw and says the roll-back ended it.
      assert.match(markdown, /## Post-launch watch\n\nThe post-launch watch ended early \(decided by lara [^\n]*the cutover rolled-back: /);
      assert.equal(report.summaries.length, final.watch?.summaries.length);
      assert.match(markdown, /## Day-1 fee reconciliation\n\nThe day-1 fee reconciliation did not run because the cutover rolled back/);
    }
  }

  async function watchRunLengths(workflowId: string): Promise<number[]> {
    const lengths: number[] = [];
    let runId: string | undefined = (await env.client.workflow.getHandle(workflowId).describe()).runId;
    // Walk back from the last run through each run's first event, which names the run it continued.
    for (let i = 0; i < 20 && runId; i++) {
      const history: History = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const events = history.events ?? [];
      lengths.unshift(events.length);
      const continued: string | null | undefined = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      runId = continued || undefined;
    }
    return lengths;
  }

  it('holds the fee reconciliation for Finance when the statement bills more than the metrics count, showing the difference', async () => {
    const { stack } = harness;
    current = await harness.start();
    const T = await rollForward(current);
    const date = new Date(T).toISOString().slice(0, 10);
    await stack.admin('inject/statement-adjustment', 'POST', { date, amount: 1_250, type: 'scheme-fee' });

    const held = await skipTo(T, 3 * HOUR + 10 * MINUTE);
    const recon = stageOf(held, 'fee-reconciliation');
    assert.equal(held.phase, 'watching');
    assert.equal(recon.status, 'holding');
    assert.deepEqual(recon.hold?.awaiting, ['finance']);
    assert.match(recon.hold?.reason ?? '', /difference \+1250 is above the tolerance of 0/);
    assert.match(recon.hold?.reason ?? '', /scheme-fee 1250/);

    const refused = await current
      .executeUpdate(approveUpdate, { args: [{ stage: 'fee-reconciliation', by: 'erin' }] })
      .catch((e: unknown) => e);
    assert.ok(refused instanceof WorkflowUpdateFailedError);
    assert.match(String((refused.cause as Error).message), /cannot approve fee-reconciliation: it awaits Finance \(fiona\)/);
    await current.executeUpdate(approveUpdate, {
      args: [{ stage: 'fee-reconciliation', by: 'fiona', note: 'scheme fee billed by PayCA per contract schedule B; accepted' }],
    });

    const final = await current.result();
    assert.equal(final.phase, 'completed');
    assert.equal(stageOf(final, 'fee-reconciliation').status, 'passed');
    const item = final.checklist.find((i) => i.id === 'day1-fee-reconciliation');
    assert.equal(item?.status, 'done');
    assert.equal(item?.completedBy, 'fiona');
    const evidence = item?.evidence as FeeReconciliationResult;
    assert.equal(evidence.byCurrency.find((row) => row.currency === 'GBP')?.difference, 1_250);
  });

  it('holds the fee reconciliation for Finance on a statement line in a currency the plan does not use and on a used one missing from the statement', async () => {
    const { stack } = harness;
    // Funds GBP and expects a USD BIN; still sets the deprecated single currency, which no longer limits what is reconciled.
    const plan = planFor(stack, {
      funding: { minimums: { GBP: 1_000_000 } },
      readiness: {
        ...RELAXED_READINESS,
        expectedBins: [{ bin: '411111', network: 'visa', currency: 'USD', topupBps: 25, countries: ['US'], mccBlocked: [] }],
      },
      postLaunch: { watch: { window: '3h' }, feeReconciliation: { currency: 'GBP' } },
    });
    current = await harness.start({ plan });
    const T = await rollForward(current);
    const date = new Date(T).toISOString().slice(0, 10);
    // PayCA answers with a statement in EUR, as reported: 987,654 EUR that a GBP-only reading counted as 0.
    await stack.admin('config', 'PUT', { settings: { defaultCurrency: 'EUR' } });
    await stack.admin('inject/statement-adjustment', 'POST', { date, amount: 987_654, type: 'scheme-fee', currency: 'EUR' });

    const held = await skipTo(T, 3 * HOUR + 10 * MINUTE);
    const recon = stageOf(held, 'fee-reconciliation');
    assert.equal(recon.status, 'holding', JSON.stringify(recon.evidence));
    assert.deepEqual(recon.hold?.awaiting, ['finance']);
    const reason = recon.hold?.reason ?? '';
    assert.match(
      reason,
      new RegExp(`the ${date} statement bills 987654 EUR \\([^)]*scheme-fee 987654[^)]*\\) but the plan expects only GBP, USD`),
    );
    assert.match(reason, new RegExp(`the ${date} statement has no USD line although the programme uses USD`));
    const result = recon.evidence.feeReconciliation as FeeReconciliationResult;
    assert.deepEqual(result.currencies, ['GBP', 'USD']);
    assert.deepEqual(
      result.byCurrency.map((row) => [row.currency, row.matches, row.finding ?? null]),
      [
        ['EUR', false, 'unexpected-currency'],
        ['GBP', true, null],
        ['USD', false, 'missing-from-statement'],
      ],
    );

    const report = renderLaunchReportMarkdown(held, new Date());
    assert.match(report, /\| EUR \| 987654 \| 0 \| \+987654 \| 0 \| \*\*no\*\*: a currency the plan does not use \|/);
    assert.match(report, /\| USD \| 0 \| 0 \| 0 \| 0 \| \*\*no\*\*: no line on the statement \|/);

    await current.executeUpdate(approveUpdate, {
      args: [{ stage: 'fee-reconciliation', by: 'fiona', note: 'EUR billed in error, credit note CN-90; USD not live yet' }],
    });
    assert.equal((await current.result()).phase, 'completed');
  });

  it('lets only the programme lead end the watch early or extend it, with a reason', async () => {
    current = await harness.start();
    const T = await rollForward(current);
    // Mid-interval, so no read's timer fires while an answer is on its way (see midInterval).
    await skipTo(T, midInterval(2 * HOUR + 20 * MINUTE));

    const refusal = async (promise: Promise<unknown>) =>
      String(((await promise.catch((e: unknown) => e)) as { cause: Error }).cause.message);
    assert.match(
      await refusal(current.executeUpdate(MESSAGES['end-watch'].update, { args: [{ by: 'erin', reason: 'quiet' }] })),
      /only the programme lead/,
    );
    assert.match(
      await refusal(current.executeUpdate(MESSAGES['end-watch'].update, { args: [{ by: 'lara', reason: ' ' }] })),
      /give a reason/,
    );
    assert.match(
      await refusal(current.executeUpdate(MESSAGES['extend-watch'].update, { args: [{ by: 'lara', extendByMs: -5, reason: 'more' }] })),
      /positive duration/,
    );
    assert.match(
      await refusal(current.executeUpdate(MESSAGES.abort.update, { args: [{ by: 'lara', reason: 'stop' }] })),
      /rolled forward and is live/,
    );

    await current.executeUpdate(MESSAGES['extend-watch'].update, {
      args: [{ by: 'lara', extendByMs: 2 * HOUR, reason: 'volume still ramping' }],
    });
    const extended = await current.query(statusQuery);
    assert.equal(extended.watch?.endsPlanAt, at(T, 5 * HOUR));
    const watchState = await env.client.workflow.getHandle(watchWorkflowId(current.workflowId)).query(watchStatusQuery);
    assert.equal(new Date(watchState.endsPlanMs).toISOString(), at(T, 5 * HOUR), 'the watch itself was told');

    await skipTo(T, midInterval(4 * HOUR));
    await current.executeUpdate(MESSAGES['end-watch'].update, {
      args: [{ by: 'lara', reason: 'stable for two hours; handing over to BAU monitoring' }],
    });
    const final = await current.result();
    assert.equal(final.watch?.status, 'ended-early');
    assert.deepEqual(
      final.watch?.decisions.map((d) => d.kind),
      ['extend', 'end'],
    );
    assert.ok(Date.parse(final.watch?.summaries.at(-1)?.toPlan ?? '') <= T + 4 * HOUR + 5 * MINUTE, 'a last summary up to the end');
    assert.ok(Date.parse(final.watch?.finishedAt ?? '') < T + 5 * HOUR, 'it ended before the extended end');
  });

  it('writes a complete report for a rolled-back cutover: the watch from T ended by the roll-back with its record, no reconciliation', async () => {
    current = await harness.start({ plan: planFor(harness.stack, { postLaunch: { dashboards: DASHBOARDS } }) });
    await advanceUntil(env, current, holdingAt('go-live'), 'the go-live gate');
    const auth = await runLowRiskAuthorization(harness.stack.production.url);
    await current.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await current.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await advanceUntil(env, current, holdingAt('debrief'), 'the debrief');
    await current.executeUpdate(reportIncidentUpdate, {
      args: [{ by: 'erin', severity: 'sev1', summary: 'authorizations declined at the scheme' }],
    });
    await current.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: 'lara', reason: 'scheme declines' }] });
    const final = await current.result();
    assert.equal(final.phase, 'rolled-back');
    assert.equal(final.watch?.status, 'ended-early', 'the roll-back ended the watch that started at T');
    assert.equal(final.watch?.reads, 24, 'a read every 5 minutes from T+5m to the T+2h debrief');
    assert.deepEqual(
      final.watch?.summaries.map((s) => Date.parse(s.toPlan) - Date.parse(final.goLive)),
      [HOUR, 2 * HOUR],
    );
    assert.equal(stageOf(final, 'fee-reconciliation').status, 'skipped');
    for (const item of final.checklist.filter((i) => i.postLaunch)) {
      assert.deepEqual([item.status, item.reason], ['waived', 'not needed: the cutover rolled-back'], item.id);
    }
    assertFullReport(final, { rolledForward: false });
  });
});
