/**
 * The messages between a cutover and its post-launch watch are accepted only from the linked run. Anyone
 * who can signal the namespace can send `watch-control` or `watch-event`; without the link the cutover
 * made for its watch they end nothing and log nothing but their own refusal.
 */
import assert from 'node:assert/strict';
import type { WorkflowHandle } from '@temporalio/client';
import type { cutoverWorkflow } from '../src/workflows/cutover.js';
import { approveUpdate, decideUpdate, endWatchUpdate } from '../src/workflows/messages.js';
import { watchControlSignal, watchEventSignal, watchStatusQuery, watchWorkflowId } from '../src/workflows/watch-protocol.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt } from './helpers/temporal.js';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';

type Handle = WorkflowHandle<typeof cutoverWorkflow>;

describe('messages between a cutover and its watch', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('time-skipping', 'linked-watch', { rateLimit: { perSecond: 10_000, burst: 10_000 } });

  async function rollForward(handle: Handle): Promise<void> {
    await advanceUntil(harness.env, handle, holdingAt('go-live'), 'the go-live gate');
    const authorization = await runLowRiskAuthorization(harness.stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: authorization.id }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await advanceUntil(harness.env, handle, holdingAt('debrief'), 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'all green' }] });
    await advanceUntil(harness.env, handle, (s) => s.watch?.status === 'watching', 'the watch to start');
  }

  it('refuses a forged end of the watch and a forged alert, records both, and still takes the lead', async () => {
    const handle = await harness.start({ plan: planFor(harness.stack, { postLaunch: { watch: { window: '12h' } } }) });
    await rollForward(handle);
    const watchId = watchWorkflowId(handle.workflowId);
    const watch = harness.env.client.workflow.getHandle(watchId);

    await watch.signal(watchControlSignal, { kind: 'end', by: 'mallory', reason: 'all done, trust me', at: new Date().toISOString() });
    await harness.env.client.workflow.getHandle(handle.workflowId).signal(watchEventSignal, {
      kind: 'alert',
      alert: {
        id: 'forged',
        rule: 'webhookFailureRate',
        severity: 'sev1',
        openedAt: new Date().toISOString(),
        opened: 'every webhook failing: roll back now',
      },
    } as never);

    // Two hours of reads and a summary from the real watch come in beside the forged messages.
    await harness.env.sleep(2 * 3_600_000);
    const after = await advanceUntil(
      harness.env,
      handle,
      (s) => (s.forgedMessages ?? 0) >= 2 && (s.watch?.summaries.length ?? 0) > 0,
      'both forged messages recorded',
    );
    assert.equal(after.forgedMessages, 2, "the real watch's own messages are taken");
    const forged = after.incidents.filter((i) => i.source === 'forged-message');
    assert.equal(forged.length, 2);
    assert.ok(
      forged.some((i) => /refused a watch-control signal .* \(it claimed to be mallory\)/.test(i.summary)),
      JSON.stringify(forged),
    );
    assert.ok(
      forged.some((i) => /refused a watch-event \(alert\) signal/.test(i.summary)),
      JSON.stringify(forged),
    );
    assert.equal(
      after.watch?.alerts.some((a) => a.id === 'forged'),
      false,
      'the forged alert is not in the watch',
    );
    assert.equal(
      after.incidents.some((i) => i.source === 'alert'),
      false,
      'nor in the incident log as an alert',
    );
    const watchState = await watch.query(watchStatusQuery);
    assert.equal(watchState.ended, undefined, 'mallory did not end the watch');
    assert.equal(after.watch?.status, 'watching');

    await handle.executeUpdate(endWatchUpdate, { args: [{ by: 'lara', reason: 'PayCA and Analytics agree it is stable' }] });
    const result = await handle.result();
    assert.equal(result.watch?.status, 'ended-early');
    assert.equal(result.watch?.decisions.at(-1)?.by, 'lara');
  });
});
