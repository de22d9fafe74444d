/**
 * `temporal workflow reset` to before the go-live smoke test, after go-live passed, runs the money-moving
 * calls again in a new run. Their idempotency keys and the test card's external reference must not depend
 * on the run id, or the new run issues a second production card and loads it a second time. Resets are
 * not offered by the time-skipping server, so this suite runs on the dev server.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { temporal } from '@temporalio/proto';
import type { Client } from '@temporalio/client';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { approveUpdate, statusQuery, type CutoverStatus } from '../src/workflows/definitions.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function waitForStatus(client: Client, workflowId: string, what: string, done: (s: CutoverStatus) => boolean): Promise<CutoverStatus> {
  const deadline = Date.now() + 120_000;
  let last: CutoverStatus | undefined;
  while (Date.now() < deadline) {
    last = await client.workflow
      .getHandle(workflowId)
      .query(statusQuery)
      .catch(() => undefined);
    if (last && done(last)) return last;
    await delay(250);
  }
  throw new Error(`timed out waiting for ${what}; last phase ${last?.phase} at ${last?.currentStage}`);
}

const atStage = (id: string) => (s: CutoverStatus) => s.phase === 'holding' && s.currentStage === id;

function activityType(event: HistoryEvent): string | undefined {
  return event.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined;
}

/** The last completed workflow task before the go-live smoke test scheduled its first PayCA call. */
function resetPointBeforeSmokeTest(events: HistoryEvent[]): HistoryEvent['eventId'] {
  const firstSmoke = events.findIndex((e) => activityType(e) === 'checkHealth');
  assert.ok(firstSmoke > 0, 'the history shows the go-live smoke test');
  const completed = events.slice(0, firstSmoke).filter((e) => e.workflowTaskCompletedEventAttributes);
  const point = completed.at(-1)?.eventId;
  assert.ok(point, 'a completed workflow task precedes the smoke test');
  return point;
}

describe('a reset past go-live on the dev server', function () {
  this.timeout(300_000);
  const harness = useCutoverHarness('dev', 'reset');

  async function passGoLive(workflowId: string): Promise<void> {
    const { env, stack } = harness;
    await waitForStatus(env.client, workflowId, 'the go-live gate', atStage('go-live'));
    const handle = env.client.workflow.getHandle(workflowId);
    const authorization = await runLowRiskAuthorization(stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: authorization.id }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await waitForStatus(env.client, workflowId, 'the debrief after go-live', atStage('debrief'));
  }

  it('issues one test card and tops it up once when the cutover is reset to before the go-live smoke test', async () => {
    const { env, stack } = harness;
    const before = await stack.counters();
    const started = await harness.start({ plan: planFor(stack), goLiveInMs: 25 * HOUR, timeScale: 25 * 360 });
    const { workflowId } = started;
    await passGoLive(workflowId);
    const afterFirst = await stack.counters();
    assert.equal(afterFirst.cardsIssued - before.cardsIssued, 1, 'the first run issued one test card');
    assert.equal(afterFirst.topUps - before.topUps, 1, 'the first run topped it up once');

    const first = await env.client.workflow.getHandle(workflowId).describe();
    const history = await env.client.workflow.getHandle(workflowId, first.runId).fetchHistory();
    await env.client.workflowService.resetWorkflowExecution({
      namespace: env.namespace ?? 'default',
      workflowExecution: { workflowId, runId: first.runId },
      workflowTaskFinishEventId: resetPointBeforeSmokeTest(history.events ?? []),
      requestId: randomUUID(),
      reason: 'rehearse a reset to before the go-live smoke test',
    });
    const reset = await env.client.workflow.getHandle(workflowId).describe();
    assert.notEqual(reset.runId, first.runId, 'the reset started a new run');

    const again = await waitForStatus(env.client, workflowId, 'the reset run back at the go-live gate', (s) => atStage('go-live')(s) && Boolean(s.stages.find((st) => st.id === 'go-live')?.evidence.smokeTests));
    await passGoLive(workflowId);
    const afterReset = await stack.counters();
    assert.equal(afterReset.cardsIssued - before.cardsIssued, 1, 'exactly one test card over both runs');
    assert.equal(afterReset.topUps - before.topUps, 1, 'exactly one top-up over both runs');
    assert.ok(afterReset.idempotentReplays > afterFirst.idempotentReplays, 'PayCA replayed the first run\'s answers');
    const smoke = again.stages.find((st) => st.id === 'go-live')?.evidence.smokeTests as { issueCard: { replayed: boolean }; topUp: { replayed: boolean } };
    assert.equal(smoke.issueCard.replayed, true, 'the issue call met PayCA\'s replay');
    assert.equal(smoke.topUp.replayed, true, 'the top-up met PayCA\'s replay');
    await env.client.workflow.getHandle(workflowId).terminate('end of test');
  });
});
