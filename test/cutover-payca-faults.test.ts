import assert from 'node:assert/strict';
import { abortUpdate, approveUpdate, decideUpdate, retryUpdate } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';

describe('cutover workflow when PayCA misbehaves', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('time-skipping', 'faults');
  let env: typeof harness.env;
  let stack: typeof harness.stack;

  beforeEach(async () => {
    ({ env, stack } = harness);
    await stack.reset();
  });

  const start = (plan?: CutoverPlan) => harness.start({ plan });

  async function approveGoLiveAndRollForward(handle: Awaited<ReturnType<typeof start>>): Promise<CutoverStatus> {
    const auth = await runLowRiskAuthorization(stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'eli' }] });
    await advanceUntil(env, handle, holdingAt('debrief'), 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'green' }] });
    return handle.result();
  }

  it('rides out a 429 storm at go-live with exactly one test card, closed, and one top-up', async () => {
    const handle = await start();
    await advanceUntil(env, handle, (s) => stageOf(s, 'webhook-smoke-test').status === 'passed', 'T-1h to pass');
    await stack.admin('faults', 'POST', {
      force: [
        { count: 3, code: 'ErrRateLimited', retryAfterSeconds: 1, path: '/v1/cards', method: 'POST' },
        { count: 2, code: 'ErrRateLimited', retryAfterSeconds: 1, path: '/v2/accounts' },
      ],
    });
    await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    const result = await approveGoLiveAndRollForward(handle);
    assert.equal(result.phase, 'completed');
    const counters = await stack.counters();
    assert.equal(counters.answersByCode.ErrRateLimited, 5, 'every forced 429 was met and retried');
    assert.equal(counters.cardsIssued, 1);
    assert.equal(counters.cardsClosed, 1);
    assert.equal(counters.topUps, 1);
  });

  it('retries a top-up whose answer was lost and moves the money once', async () => {
    const handle = await start();
    await advanceUntil(env, handle, (s) => stageOf(s, 'webhook-smoke-test').status === 'passed', 'T-1h to pass');
    // '/v1/cards/' matches top-up and close but not the issue call, and top-up comes first.
    await stack.admin('faults', 'POST', { force: { count: 1, kind: 'lose-answer', path: '/v1/cards/', method: 'POST' } });
    const atGate = await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    const smoke = stageOf(atGate, 'go-live').evidence.smokeTests as { topUp: { replayed: boolean } };
    assert.equal(smoke.topUp.replayed, true, 'the second attempt got the replayed answer');
    const counters = await stack.counters();
    assert.equal(counters.answersByCode.AnswerLost, 1);
    assert.equal(counters.topUps, 1);
    assert.equal(counters.ledgerEntries, 1);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('holds go-live with the error code and request id of a malformed answer, and passes on retry', async () => {
    const handle = await start();
    await advanceUntil(env, handle, (s) => stageOf(s, 'webhook-smoke-test').status === 'passed', 'T-1h to pass');
    await stack.admin('faults', 'POST', { malformed: { count: 1, kind: 'wrong-shape', path: '/health' } });
    const held = await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live hold');
    const goLive = stageOf(held, 'go-live');
    assert.equal(goLive.error?.type, 'ErrBadResponse');
    assert.match(goLive.error?.requestId ?? '', /\S/);
    assert.match(goLive.problems[0] ?? '', /ErrBadResponse.*request/);
    assert.deepEqual(goLive.hold?.awaiting.sort(), ['engineering', 'lead']);

    await handle.executeUpdate(retryUpdate, { args: [{ stage: 'go-live', by: 'lara' }] });
    const retried = await advanceUntil(env, handle, (s) => holdingAt('go-live')(s) && stageOf(s, 'go-live').attempts === 2, 'the re-run');
    assert.equal(stageOf(retried, 'go-live').error, undefined);
    const result = await approveGoLiveAndRollForward(handle);
    assert.equal(result.phase, 'completed');
    assert.equal((await stack.counters()).cardsIssued, 1);
  });

  it('holds a stage with ErrUnavailable when an outage outlasts the retry budget, and recovers on retry', async () => {
    await stack.admin('faults', 'POST', { outage: { durationMs: 8_000 } });
    const handle = await start(planFor(stack, { paycaRetryBudget: '3s' }));
    const held = await advanceUntil(env, handle, holdingAt('config-diff'), 'the config-diff hold');
    const diff = stageOf(held, 'config-diff');
    assert.match(diff.problems.join(), /ErrUnavailable|timed out/i);
    assert.deepEqual(diff.hold?.awaiting, ['ops']);
    await stack.admin('faults', 'DELETE');
    await handle.executeUpdate(retryUpdate, { args: [{ stage: 'config-diff', by: 'olivia' }] });
    await advanceUntil(env, handle, (s) => stageOf(s, 'config-diff').status === 'passed', 'config-diff to pass');
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('recovers from 500 and 503 bursts and dropped connections without a hold', async () => {
    await stack.admin('faults', 'POST', {
      force: [
        { count: 2, code: 'ErrInternal', path: '/v1/program/config' },
        { count: 2, code: 'ErrUnavailable', path: '/v2/accounts' },
        { count: 1, kind: 'reset', path: '/v1/webhooks' },
      ],
    });
    const handle = await start();
    const atGate = await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    for (const id of ['config-diff', 'funding-check', 'webhook-smoke-test'] as const) {
      assert.equal(stageOf(atGate, id).status, 'passed');
      assert.equal(stageOf(atGate, id).attempts, 1);
    }
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    const result = await handle.result();
    assert.equal(result.phase, 'aborted');
    assert.deepEqual(
      result.compensations.map((c) => c.status),
      ['done', 'done'],
    );
  });
});
