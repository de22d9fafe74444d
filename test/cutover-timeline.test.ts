import assert from 'node:assert/strict';
import {
  abortUpdate,
  approveSignal,
  approveUpdate,
  decideUpdate,
  reportIncidentUpdate,
  retryUpdate,
  statusQuery,
} from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';
import { refusalOf } from './helpers/refused-update.js';

describe('cutover workflow on the time-skipping server', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('time-skipping', 'timeline');
  const { notifications } = harness;
  let env: typeof harness.env;
  let stack: typeof harness.stack;

  beforeEach(async () => {
    ({ env, stack } = harness);
    await stack.reset();
    notifications.length = 0;
  });

  const start = (plan?: CutoverPlan) => harness.start({ plan });

  it('walks T-24h to T+2h at the planned times and completes when the lead rolls forward', async () => {
    const handle = await start();
    const atGoLive = await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    for (const id of ['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test'] as const) {
      const stage = stageOf(atGoLive, id);
      assert.equal(stage.status, 'passed', `${id} passed`);
      assert.ok(Date.parse(stage.startedAt ?? '') >= Date.parse(stage.plannedAt), `${id} started no earlier than planned`);
      assert.ok(Date.parse(stage.startedAt ?? '') - Date.parse(stage.plannedAt) < 5 * 60_000, `${id} started on time`);
    }
    const goLive = stageOf(atGoLive, 'go-live');
    assert.deepEqual(goLive.hold?.awaiting.sort(), ['engineering', 'lead']);
    const smoke = goLive.evidence.smokeTests as Record<string, { requestId?: string }>;
    for (const step of ['health', 'accounts', 'issueCard', 'topUp', 'ledger', 'topUpWebhook', 'closeCard']) {
      assert.match(String(smoke[step]?.requestId), /\S/, `${step} kept its PayCA request id`);
    }
    assert.ok(notifications.some((n) => n.includes('monitoring-room') && n.includes('change window open')));

    const auth = await runLowRiskAuthorization(stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id, note: 'smoke ok' }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await advanceUntil(env, handle, holdingAt('debrief'), 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'all green' }] });
    const result: CutoverStatus = await handle.result();

    assert.equal(result.phase, 'completed');
    assert.ok(result.stages.every((s) => s.status === 'passed'));
    const manual = stageOf(result, 'go-live').evidence.manualAuthorization as { at: string; verified: { cardId: string } };
    assert.deepEqual(manual, {
      authorizationId: auth.id,
      confirmedBy: 'lara',
      at: manual.at,
      verified: { ...manual.verified, authorizationId: auth.id, cardId: auth.cardId, amount: 100, currency: 'GBP' },
    });
    const counters = await stack.counters();
    assert.equal(counters.cardsIssued, 1);
    assert.equal(counters.cardsClosed, 1);
    assert.equal(counters.topUps, 1);
  });

  it('holds at T-12h until Treasury approves a funding shortfall, refusing other people', async () => {
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 1_000 });
    const handle = await start();
    const held = await advanceUntil(env, handle, holdingAt('funding-check'), 'the funding hold');
    const funding = stageOf(held, 'funding-check');
    assert.deepEqual(funding.hold?.awaiting, ['treasury']);
    assert.match(funding.problems.join(), /GBP master accounts hold 1000, 999000 short/);

    assert.match(
      await refusalOf(handle.executeUpdate(approveUpdate, { args: [{ stage: 'funding-check', by: 'mallory' }] })),
      /mallory is not an approver/,
    );
    assert.match(
      await refusalOf(handle.executeUpdate(approveUpdate, { args: [{ stage: 'funding-check', by: 'olivia' }] })),
      /olivia \(Ops\) cannot approve funding-check: it awaits Treasury \(tomas\)/,
    );
    assert.match(
      await refusalOf(handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara' }] })),
      /go-live is not awaiting approval \(it is pending\)/,
    );

    const receipt = await handle.executeUpdate(approveUpdate, {
      args: [{ stage: 'funding-check', by: 'tomas', note: 'wire confirmed by bank' }],
    });
    assert.match(receipt.outcome, /approved/);
    const after = await advanceUntil(env, handle, (s) => stageOf(s, 'funding-check').status === 'passed', 'funding to pass');
    assert.equal(stageOf(after, 'funding-check').approvals[0]?.by, 'tomas');
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    assert.equal((await handle.result()).phase, 'aborted');
  });

  it('re-runs the funding check on retry once the funds arrive, without an approval', async () => {
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 1_000 });
    const handle = await start();
    await advanceUntil(env, handle, holdingAt('funding-check'), 'the funding hold');
    assert.match(
      await refusalOf(handle.executeUpdate(retryUpdate, { args: [{ stage: 'funding-check', by: 'erin' }] })),
      /erin cannot retry funding-check/,
    );
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 5_000_000 });
    await handle.executeUpdate(retryUpdate, { args: [{ stage: 'funding-check', by: 'tomas' }] });
    const after = await advanceUntil(env, handle, (s) => stageOf(s, 'funding-check').status === 'passed', 'funding to pass');
    const funding = stageOf(after, 'funding-check');
    assert.equal(funding.attempts, 2);
    assert.equal(funding.approvals.length, 0);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it("holds at T-24h for Ops when a setting differs outside the allow-list, telling Ops through the plan's webhook", async () => {
    await stack.admin('config', 'PUT', { settings: { dailyLoadLimit: 1 } });
    const notifyUrl = `${stack.receiver.url}/notify`;
    const handle = await start(planFor(stack, { notifications: { webhookUrl: notifyUrl } }));
    const held = await advanceUntil(env, handle, holdingAt('config-diff'), 'the config-diff hold');
    const diff = stageOf(held, 'config-diff');
    assert.deepEqual(diff.hold?.awaiting, ['ops']);
    assert.match(diff.problems.join(), /setting dailyLoadLimit differs/);
    const posted = stack.receiver.events.filter((e) => e.path === '/notify').map((e) => String(e.data));
    assert.ok(
      posted.some((body) => JSON.parse(body).text.includes('config-diff holds for Ops (olivia)')),
      `Ops was notified through the webhook; got ${posted.join(' | ')}`,
    );
    assert.equal(notifications.length, 0, 'nothing went to the console when the plan names a webhook');
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'config-diff', by: 'olivia', note: 'limit raised on purpose' }] });
    await advanceUntil(env, handle, (s) => stageOf(s, 'config-diff').status === 'passed', 'config-diff to pass');
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('escalates when an approval times out and keeps holding, never approving by itself', async () => {
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 1_000 });
    const handle = await start(
      planFor(stack, { stages: { 'funding-check': { approvalTimeout: '30m', escalateTo: ['treasury-oncall'] } } }),
    );
    await advanceUntil(env, handle, holdingAt('funding-check'), 'the funding hold');
    await env.sleep(65 * 60_000);
    const status = await handle.query(statusQuery);
    assert.equal(status.phase, 'holding');
    assert.equal(stageOf(status, 'funding-check').status, 'holding');
    assert.ok(status.escalations.length >= 2, `escalated twice in 65 min, got ${status.escalations.length}`);
    assert.deepEqual(status.escalations[0]?.to, ['treasury-oncall', 'tomas']);
    assert.ok(notifications.some((n) => n.includes('[notify:escalation]') && n.includes('treasury-oncall')));
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('rolls back at the debrief: sandbox jobs restored, then the subscription it created removed, newest first', async () => {
    const handle = await start();
    await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    const job = (await stack.admin('jobs/card-generator', 'GET', undefined, 'sandbox')) as { enabled: boolean };
    assert.equal(job.enabled, false, 'the sandbox job is paused during the cutover');
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    assert.match(
      await refusalOf(handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'eli' }] })),
      /Engineering.*cannot approve|already/,
    );
    assert.match(await refusalOf(handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara' }] })), /authorization-id/);
    await handle.executeUpdate(approveUpdate, {
      args: [{ stage: 'go-live', by: 'lara', authorizationId: (await runLowRiskAuthorization(stack.production.url)).id }],
    });
    await advanceUntil(env, handle, holdingAt('debrief'), 'the debrief');
    assert.match(
      await refusalOf(handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: 'erin', reason: 'x' }] })),
      /only the programme lead/,
    );
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: 'lara', reason: 'declines too high' }] });
    const result: CutoverStatus = await handle.result();
    assert.equal(result.phase, 'rolled-back');
    // Readiness registered the subscription when the cutover started; the jobs were paused at T-2h.
    assert.deepEqual(
      result.compensations.map((c) => [c.step, c.status]),
      [
        ['restore-sandbox-jobs', 'done'],
        ['remove-webhook-subscription', 'done'],
      ],
    );
    const restored = (await stack.admin('jobs/card-generator', 'GET', undefined, 'sandbox')) as { enabled: boolean };
    assert.equal(restored.enabled, true);
    const counters = await stack.counters();
    assert.equal(counters.webhookSubscriptionsDeleted, 1);
    assert.equal(counters.cardsIssued, 1);
    assert.equal(counters.cardsClosed, 1);
  });

  it('aborts while waiting for T-2h and undoes only what it did', async () => {
    const handle = await start();
    await advanceUntil(env, handle, (s) => stageOf(s, 'funding-check').status === 'passed' && s.phase === 'waiting', 'T-12h to pass');
    assert.match(await refusalOf(handle.executeUpdate(abortUpdate, { args: [{ by: 'erin', reason: 'no' }] })), /only the programme lead/);
    assert.match(await refusalOf(handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: ' ' }] })), /needs a reason/);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'PayCA asked us to wait a week' }] });
    const result: CutoverStatus = await handle.result();
    assert.equal(result.phase, 'aborted');
    assert.equal(stageOf(result, 'disable-sandbox-jobs').status, 'failed');
    assert.equal(stageOf(result, 'debrief').status, 'skipped');
    assert.deepEqual(
      result.compensations.map((c) => c.step),
      ['remove-webhook-subscription'],
      'only the readiness check had changed something: it registered the webhook subscription',
    );
    assert.equal(result.abort?.reason, 'PayCA asked us to wait a week');
  });

  it('keeps an incident log that people in the plan add to, refusing strangers and empty summaries', async () => {
    const handle = await start();
    await advanceUntil(env, handle, (s) => stageOf(s, 'config-diff').status === 'passed', 'T-24h to pass');
    const receipt = await handle.executeUpdate(reportIncidentUpdate, {
      args: [{ by: 'cara', severity: 'sev2', summary: 'PayCA sandbox slow for 10 minutes, ticket 4471' }],
    });
    assert.match(receipt.outcome, /sev2 logged/);
    assert.match(
      await refusalOf(handle.executeUpdate(reportIncidentUpdate, { args: [{ by: 'mallory', severity: 'sev1', summary: 'x' }] })),
      /mallory is not an approver/,
    );
    assert.match(
      await refusalOf(handle.executeUpdate(reportIncidentUpdate, { args: [{ by: 'cara', severity: 'sev1', summary: ' ' }] })),
      /needs a summary/,
    );
    assert.match(
      await refusalOf(handle.executeUpdate(reportIncidentUpdate, { args: [{ by: 'cara', severity: 'sev9' as 'sev1', summary: 'x' }] })),
      /unknown severity "sev9"/,
    );
    const status = await handle.query(statusQuery);
    assert.deepEqual(
      status.incidents.map((i) => [i.severity, i.by, i.summary]),
      [['sev2', 'cara', 'PayCA sandbox slow for 10 minutes, ticket 4471']],
    );
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('keeps refused signals in its state and acts on valid ones', async () => {
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 1_000 });
    const handle = await start();
    await advanceUntil(env, handle, holdingAt('funding-check'), 'the funding hold');
    await handle.signal(approveSignal, { stage: 'funding-check', by: 'erin' });
    await handle.signal(approveSignal, { stage: 'funding-check', by: 'tomas' });
    const after = await advanceUntil(env, handle, (s) => stageOf(s, 'funding-check').status === 'passed', 'funding to pass');
    assert.equal(after.refusals.length, 1);
    assert.equal(after.refusals[0]?.via, 'signal');
    assert.match(after.refusals[0]?.reason ?? '', /erin .* cannot approve funding-check/);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });
});
