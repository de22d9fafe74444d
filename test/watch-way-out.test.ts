/**
 * No orphaned watch: the watch outlives each run of the cutover, so a cutover cancelled from outside ends it
 * on its way out and keeps its record. Each case has its own time-skipping server: on a shared one, the
 * cutover started after a cancelled one did not advance.
 */
import assert from 'node:assert/strict';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import type { cutoverWorkflow } from '../src/workflows/cutover.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { approveUpdate, decideUpdate, statusQuery } from '../src/workflows/messages.js';
import { watchWorkflowId } from '../src/workflows/watch-protocol.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt } from './helpers/temporal.js';

const MINUTE = 60_000;
type Handle = WorkflowHandle<typeof cutoverWorkflow>;

/** One cancelled cutover on its own server: started with the default watch from T, cancelled `atMs` after T. */
function cancelledCutover(name: string, atMs: number, before: (h: ReturnType<typeof useCutoverHarness>, handle: Handle) => Promise<void>) {
  const harness = useCutoverHarness('time-skipping', `way-out-${name}`, { rateLimit: { perSecond: 10_000, burst: 10_000 } });
  return async (): Promise<{ final: CutoverStatus; watchExecution: string }> => {
    const { env, stack } = harness;
    const current = await harness.start({ plan: planFor(stack, { postLaunch: { watch: { window: '3h' } } }) });
    const atGate = await advanceUntil(env, current, holdingAt('go-live'), 'the go-live gate');
    assert.equal(atGate.watch?.status, 'watching', 'the watch runs from T');
    const auth = await runLowRiskAuthorization(stack.production.url);
    await current.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await current.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await before(harness, current);
    // Mid-interval, so the cancellation never meets a read's timer as it fires.
    await env.sleep(Date.parse(atGate.goLive) + atMs + 30_000 - (await env.currentTimeMs()));
    await current.cancel();
    await assert.rejects(current.result(), (err) => err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
    const watch = env.client.workflow.getHandle(watchWorkflowId(current.workflowId));
    return { final: await current.query(statusQuery), watchExecution: (await watch.describe()).status.name };
  };
}

describe('a cutover cancelled during the live window (time-skipping server)', function () {
  this.timeout(300_000);
  const run = cancelledCutover('window', 30 * MINUTE, async () => undefined);

  it('ends the watch from T with its record instead of leaving it to run on', async () => {
    const { final, watchExecution } = await run();
    assert.equal(watchExecution, 'COMPLETED', 'the watch ended with the cutover: neither running on nor cancelled');
    assert.equal(final.watch?.status, 'ended-early');
    assert.ok(final.watch?.finishedAt, "the cutover kept the watch's record");
    assert.equal(final.watch?.reads, 6, 'the reads from T+5m to T+30m are on record');
    assert.deepEqual(
      final.watch?.decisions.map((d) => [d.kind, d.by, d.reason]),
      [['end', 'cutover', 'the cutover was cancelled']],
    );
  });
});

describe('a cutover cancelled after the roll-forward (time-skipping server)', function () {
  this.timeout(300_000);
  const run = cancelledCutover('rolled-forward', 2 * HOUR + 30 * MINUTE, async (harness, current) => {
    await advanceUntil(harness.env, current, holdingAt('debrief'), 'the debrief');
    await current.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'all green' }] });
  });

  it('ends the watch with its record too', async () => {
    const { final, watchExecution } = await run();
    assert.equal(watchExecution, 'COMPLETED', 'the watch ended with the cutover, not left running');
    assert.equal(final.watch?.status, 'ended-early');
    assert.equal(final.watch?.reads, 30, 'the reads from T+5m to T+2h30m are on record');
    assert.equal(final.watch?.decisions.at(-1)?.reason, 'the cutover was cancelled');
  });
});
