import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import type { CutoverInput, CutoverStatus } from '../src/workflows/cutover-state.js';
import { cutoverWorkflow } from '../src/workflows/cutover.js';
import { CUTOVER_TASK_QUEUE, abortUpdate, approveSignal, approveUpdate, decideUpdate, statusQuery } from '../src/workflows/messages.js';
import { renderStatus } from '../src/client/format/status.js';
import { buildLaunchReport, renderLaunchReportJson, renderLaunchReportMarkdown } from '../src/client/format/launch-report.js';
import { launchReportHtml } from '../src/client/format/launch-report/html.js';
import { renderCurrentDetails } from '../src/workflows/current-details.js';
import { debriefSection } from '../src/room/debrief-section.js';
import type { CutoverView } from '../src/room/cutovers.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, freshWorkflowId, holdingAt, stageOf } from './helpers/temporal.js';

const MINUTE = 60_000;
type Handle = WorkflowHandle<typeof cutoverWorkflow>;

describe('the live window: a watch from T and a debrief on data (time-skipping server)', function () {
  this.timeout(300_000);
  const harness = useCutoverHarness('time-skipping', 'live', { rateLimit: { perSecond: 10_000, burst: 10_000 } });
  const { notifications } = harness;
  let env: TestWorkflowEnvironment;

  beforeEach(async () => {
    env = harness.env;
    await harness.stack.reset();
    notifications.length = 0;
  });

  const RULES = [
    { rule: 'webhook-failure-rate', max: 0.05, critical: true },
    { rule: 'no-open-alerts', severity: 'sev1' },
    { rule: 'decline-rate', margin: 0.1 },
  ];
  const livePlan = (autoRollBack = false) =>
    planFor(harness.stack, {
      // No `watch.from`: the watch from T is the default.
      postLaunch: { watch: { window: '3h' }, alerts: { declineRate: { baseline: 0.05 } } },
      debrief: { rules: RULES, autoRollBack },
    });
  const at = (T: number, offsetMs: number) => new Date(T + offsetMs).toISOString();
  const lines = (channel: string, text: string) => notifications.filter((n) => n.includes(`[notify:${channel}]`) && n.includes(text));

  /** Runs to the go-live gate, checks the watch started there, and approves go/no-go; returns T. */
  async function throughGoLive(handle: Handle): Promise<number> {
    const atGate = await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    assert.equal(atGate.watch?.status, 'watching', 'the watch started when the smoke tests passed, before go/no-go');
    assert.equal(atGate.phase, 'holding', 'the timeline still shows its own phase while the watch runs');
    const auth = await runLowRiskAuthorization(harness.stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    return Date.parse(atGate.goLive);
  }

  /** A webhook failure burst at PayCA between T and T+2h: 30 of 50 deliveries fail at T+1h02m. */
  const injectBurst = (T: number) =>
    harness.stack.admin('inject/webhook-failures', 'POST', { count: 30, succeeded: 20, at: at(T, HOUR + 2 * MINUTE) });

  it('opens an alert for a fault between T and T+2h and holds the debrief with a pack that fails the rule and recommends roll-back', async () => {
    const current = await harness.start({ plan: livePlan() });
    const T = await throughGoLive(current);
    await injectBurst(T);

    const debrief = await advanceUntil(env, current, holdingAt('debrief'), 'the debrief');
    const alert = debrief.watch?.alerts.find((a) => a.rule === 'webhook-failure-rate');
    assert.equal(alert?.openedPlanAt, at(T, HOUR + 5 * MINUTE), 'the alert opened at the first read after the burst, before the debrief');
    assert.equal(lines('alert', 'ALERT sev2 webhook-failure-rate').length, 1);

    const pack = debrief.debrief;
    assert.ok(pack, 'the debrief holds with a pack');
    assert.deepEqual(pack.figures?.webhooks.failed, 30, 'the figures from T count the burst');
    assert.ok(
      pack.alerts.some((a) => a.id === 'webhook-failure-rate'),
      'the pack lists the alert',
    );
    assert.ok(
      pack.smokeTests.some((s) => s.step === 'issueCard' && s.requestId),
      'the pack carries the smoke-test evidence',
    );
    const outcomes = Object.fromEntries(pack.rules.map((r) => [r.rule, r.outcome]));
    assert.deepEqual(outcomes, { 'webhook-failure-rate': 'Failed', 'no-open-alerts': 'Successful', 'decline-rate': 'Inconclusive' });
    assert.deepEqual(pack.recommendation.decision, 'roll-back');
    assert.equal(debrief.decision, undefined, 'without automatic roll-back the lead still decides');
    assert.equal(lines('approvers', 'debrief pack — recommendation: roll-back').length, 1, 'the lead is sent the pack');

    // The same pack where people look: `cutover status`, the Temporal UI's current details, the room's page.
    const statusText = renderStatus({ status: debrief, executionStatus: 'RUNNING', approvers: {} });
    assert.match(statusText, /Debrief pack/);
    assert.match(statusText, /Failed \(critical\) webhook-failure-rate: webhook failure rate/);
    assert.match(renderCurrentDetails(debrief), /\*\*Debrief pack\*\* recommends roll-back/);
    const room = debriefSection({ reading: { status: debrief } } as CutoverView).text;
    assert.match(room, /Recommends <strong>roll-back<\/strong>/);
    assert.match(room, /<td>webhook-failure-rate \(critical\)<\/td><td>Failed<\/td>/);

    await current.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: 'lara', reason: 'webhook failures at T+1h' }] });
    const final = await current.result();
    assert.equal(final.phase, 'rolled-back');
    assert.equal(final.watch?.status, 'ended-early', 'the roll-back ended the watch');
    assert.ok(final.watch?.finishedAt, 'with its record kept');
    assert.equal(final.watch?.alerts.length, 1);
    assert.match(final.watch?.decisions.at(-1)?.reason ?? '', /the cutover rolled-back/);
  });

  it('rolls back without a person when a critical rule fails under debrief.autoRollBack, and tells everyone', async () => {
    const current = await harness.start({ plan: livePlan(true) });
    const T = await throughGoLive(current);
    await injectBurst(T);

    const final = await advanceUntilDone(current);
    assert.equal(final.phase, 'rolled-back');
    assert.equal(final.decision?.by, 'workflow', 'recorded as decided by the workflow');
    assert.equal(final.decision?.decision, 'roll-back');
    assert.deepEqual(final.debrief?.autoRollBack, { rules: ['webhook-failure-rate'] });
    assert.equal(stageOf(final, 'debrief').hold, undefined, 'the debrief never held for the lead');
    const told = lines('outcome', 'rolls back without waiting for a person');
    assert.equal(told.length, 1, 'one notice tells everyone');
    assert.match(told[0] ?? '', /lara/);
    assert.match(told[0] ?? '', /cody/);
    assert.equal(lines('approvers', 'debrief holds').length, 0, 'nobody is asked to decide');
    assert.equal(final.watch?.status, 'ended-early');
    const recoveries = final.compensations.filter((c) => c.status === 'done').map((c) => c.step);
    assert.ok(recoveries.includes('remove-webhook-subscription'), `the roll-back undid the run: ${recoveries.join(', ')}`);

    const report = JSON.parse(renderLaunchReportJson(final, new Date())) as { debriefPack: { rules: { rule: string; outcome: string }[] } };
    assert.deepEqual(
      report.debriefPack.rules.find((r) => r.rule === 'webhook-failure-rate')?.outcome,
      'Failed',
      'the report keeps the pack',
    );
    const markdown = renderLaunchReportMarkdown(final, new Date());
    assert.match(markdown, /## Debrief data pack\n\nRecommendation at .+: \*\*roll-back\*\*/);
    assert.match(markdown, /Rolled back by the workflow: critical rule\(s\) failed: `webhook-failure-rate`/);
    assert.match(markdown, /\| `webhook-failure-rate` \| yes \| Failed \| webhook failure rate/);
    const html = launchReportHtml(buildLaunchReport(final, new Date()));
    assert.match(html, /<section id="debrief"><h2>Debrief data pack<\/h2><p>Recommendation at [^<]+<strong>roll-back<\/strong>/);
  });

  it('keeps the one watch running to T plus its window when the lead rolls forward', async () => {
    const current = await harness.start({ plan: livePlan(true) });
    const T = await throughGoLive(current);

    const debrief = await advanceUntil(env, current, holdingAt('debrief'), 'the debrief');
    assert.equal(debrief.debrief?.recommendation.decision, 'roll-forward');
    assert.ok(debrief.debrief?.rules.every((r) => r.outcome !== 'Failed'));
    const startedAt = debrief.watch?.startedAt;
    await current.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'all green' }] });

    const final = await advanceUntilDone(current);
    assert.equal(final.phase, 'completed');
    const watch = final.watch;
    assert.equal(watch?.startedAt, startedAt, 'the same watch, not a second one');
    assert.equal(watch?.status, 'completed');
    assert.equal(watch?.endsPlanAt, at(T, 3 * HOUR));
    assert.equal(watch?.reads, 36, 'a read every 5 minutes from T+5m to T+3h');
    assert.deepEqual(
      watch?.summaries.map((s) => s.toPlan),
      [at(T, HOUR), at(T, 2 * HOUR), at(T, 3 * HOUR)],
    );
    assert.equal(lines('monitoring-room', 'rolled forward; the post-launch watch runs').length, 0, 'no second watch was announced');
    assert.equal(lines('monitoring-room', 'the watch runs from now').length, 1);
  });

  it('ends the watch when the lead aborts during the live window, keeping its record', async () => {
    const current = await harness.start({ plan: livePlan() });
    const T = await throughGoLive(current);
    await injectBurst(T);
    // Mid-interval, so the abort never meets a read's timer as it fires.
    await env.sleep(T + HOUR + 12.5 * MINUTE - (await env.currentTimeMs()));
    await current.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'webhook failures at T+1h' }] });

    const final = await current.result();
    assert.equal(final.phase, 'aborted');
    assert.equal(final.watch?.status, 'ended-early');
    assert.ok(final.watch?.finishedAt);
    assert.equal(final.watch?.reads, 14, 'the reads from T+5m to T+1h10m are on record');
    assert.deepEqual(
      final.watch?.alerts.map((a) => [a.rule, a.recoveredPlanAt]),
      [['webhook-failure-rate', at(T, HOUR + 10 * MINUTE)]],
    );
    assert.match(final.watch?.decisions.at(-1)?.reason ?? '', /the cutover aborted: webhook failures/);
    assert.equal(final.debrief, undefined, 'an aborted cutover never reached its debrief');
  });

  it('continues as new at the debrief while the watch from T runs, and a roll-back from the next run still ends that watch', async () => {
    const now = await env.currentTimeMs();
    const input: CutoverInput = {
      plan: livePlan(),
      goLive: new Date(now + 25 * HOUR).toISOString(),
      timeScale: 1,
      startedBy: 'lara',
      history: { onServerSuggestion: false, continueAsNewAtEvents: 500 },
    };
    const current = await env.client.workflow.start(cutoverWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: freshWorkflowId('live'),
      args: [input],
    });
    const T = await throughGoLive(current);
    await injectBurst(T);
    await advanceUntil(env, current, holdingAt('debrief'), 'the debrief');

    // Refused approvals from a stranger fill the run's history while the debrief holds, a safe point.
    for (let n = 0; n < 700; n += 1) await current.signal(approveSignal, { stage: 'debrief', by: `stranger-${n}` });
    let resumed = await current.query(statusQuery);
    for (let wait = 0; (resumed.history?.runs ?? 1) < 2 && wait < 300; wait += 1) {
      await delay(100);
      resumed = await current.query(statusQuery);
    }
    assert.ok((resumed.history?.runs ?? 1) >= 2, 'the cutover continued as new');
    assert.ok(holdingAt('debrief')(resumed));
    assert.equal(resumed.watch?.status, 'watching', 'the watch outlived the run that started it');
    assert.equal(resumed.debrief?.recommendation.decision, 'roll-back', 'the pack is carried');

    await current.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: 'lara', reason: 'webhook failures at T+1h' }] });
    const final = await current.result();
    assert.equal(final.phase, 'rolled-back');
    assert.equal(final.watch?.status, 'ended-early', 'the watch was ended from the later run, and told it so');
    assert.ok(final.watch?.finishedAt);
    assert.equal(final.watch?.alerts.length, 1);
    assert.equal(lines('monitoring-room', 'the watch runs from now').length, 1, 'the later run did not start another watch');
  });

  /** Skips to the end of the cutover: the result, waited for, lets the server skip the watch's timers. */
  async function advanceUntilDone(handle: Handle): Promise<CutoverStatus> {
    await handle.result();
    return handle.query(statusQuery);
  }
});
