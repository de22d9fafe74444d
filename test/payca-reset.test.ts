/**
 * `temporal workflow reset` to before the go-live smoke test, after go-live passed, runs the money-moving
 * calls again in a new run. Their idempotency keys and the test card's external reference must not depend
 * on the run id, or the new run issues a second production card and loads it a second time. Resets are
 * not offered by the time-skipping server (ResetWorkflowExecution answers UNIMPLEMENTED), so this suite runs
 * on the dev server.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { temporal } from '@temporalio/proto';
import { WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { approveUpdate, CUTOVER_TASK_QUEUE, statusQuery } from '../src/workflows/messages.js';
import type { CutoverInput, CutoverStatus } from '../src/workflows/cutover-state.js';
import { cutoverWorkflow } from '../src/workflows/cutover.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

interface Reconciled {
  foundBy: string;
}

interface SmokeEvidence {
  issueCard: { cardId: string; externalRef: string; replayed: boolean; reconciled?: Reconciled };
  topUp: { replayed: boolean; reconciled?: Reconciled };
}

async function waitForStatus(
  client: Client,
  workflowId: string,
  what: string,
  done: (s: CutoverStatus) => boolean,
): Promise<CutoverStatus> {
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

  /** Resets the latest run to its last completed workflow task before the go-live smoke test. */
  async function resetBeforeSmokeTest(workflowId: string): Promise<void> {
    const { env } = harness;
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
  }

  /** Runs a cutover past go-live, resets it to before the smoke test and lets the new run pass go-live again. */
  async function passGoLiveTwice(beforeReset: () => Promise<void> = async () => {}) {
    const { env, stack } = harness;
    const before = await stack.counters();
    const { workflowId } = await harness.start({ plan: planFor(stack), goLiveInMs: 25 * HOUR, timeScale: 25 * 360 });
    await passGoLive(workflowId);
    const afterFirst = await stack.counters();
    assert.equal(afterFirst.cardsIssued - before.cardsIssued, 1, 'the first run issued one test card');
    assert.equal(afterFirst.topUps - before.topUps, 1, 'the first run topped it up once');

    await beforeReset();
    await resetBeforeSmokeTest(workflowId);
    const gate = await waitForStatus(
      env.client,
      workflowId,
      'the reset run back at the go-live gate',
      (s) => atStage('go-live')(s) && Boolean(s.stages.find((st) => st.id === 'go-live')?.evidence.smokeTests),
    );
    await passGoLive(workflowId);
    const afterReset = await stack.counters();
    await env.client.workflow.getHandle(workflowId).terminate('end of test');
    const smoke = gate.stages.find((st) => st.id === 'go-live')?.evidence.smokeTests as SmokeEvidence;
    return { workflowId, before, afterFirst, afterReset, smoke };
  }

  it('issues one test card and tops it up once when the cutover is reset to before the go-live smoke test', async () => {
    const { before, afterFirst, afterReset, smoke } = await passGoLiveTwice();
    assert.equal(afterReset.cardsIssued - before.cardsIssued, 1, 'exactly one test card over both runs');
    assert.equal(afterReset.topUps - before.topUps, 1, 'exactly one top-up over both runs');
    assert.match(smoke.issueCard.reconciled?.foundBy ?? '', /^req_\w+$/, 'the new run found the card by its external reference');
    assert.match(smoke.topUp.reconciled?.foundBy ?? '', /^req_\w+$/, "the new run found the top-up in the card's ledger");
    assert.ok(afterReset.idempotentReplays > afterFirst.idempotentReplays, "the close call met PayCA's replay of the first run's close");
  });

  it("still issues one test card and one top-up when the reset comes after PayCA forgot the first run's keys", async () => {
    const { stack } = harness;
    const expire = async () => {
      const res = await fetch(new URL('/_sim/idempotency/expire', stack.production.url), { method: 'POST' });
      assert.equal(res.status, 200, 'PayCA forgot its idempotency keys');
    };
    const { before, afterFirst, afterReset, smoke } = await passGoLiveTwice(expire);
    assert.equal(afterReset.cardsIssued - before.cardsIssued, 1, 'exactly one test card over both runs');
    assert.equal(afterReset.topUps - before.topUps, 1, 'exactly one top-up over both runs');
    assert.equal(afterReset.idempotentReplays, afterFirst.idempotentReplays, 'nothing was replayed: the keys were gone');
    assert.match(smoke.issueCard.reconciled?.foundBy ?? '', /^req_\w+$/, 'the card was found by its external reference');
    assert.match(smoke.topUp.reconciled?.foundBy ?? '', /^req_\w+$/, "the top-up was found in the card's ledger");
  });

  it('gives a new start under a used workflow id its own test card and top-up', async () => {
    const { env, stack } = harness;
    const { workflowId, afterReset, smoke } = await passGoLiveTwice();
    const input: CutoverInput = {
      plan: planFor(stack),
      goLive: new Date(Date.now() + 25 * HOUR).toISOString(),
      timeScale: 25 * 360,
      startedBy: 'lara',
    };
    await env.client.workflow.start(cutoverWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    await passGoLive(workflowId);
    const status = await env.client.workflow.getHandle(workflowId).query(statusQuery);
    const fresh = status.stages.find((st) => st.id === 'go-live')?.evidence.smokeTests as SmokeEvidence;
    const afterNewRun = await stack.counters();
    assert.equal(afterNewRun.cardsIssued - afterReset.cardsIssued, 1, 'the new start issued its own test card');
    assert.equal(afterNewRun.topUps - afterReset.topUps, 1, 'and loaded it once');
    assert.notEqual(fresh.issueCard.externalRef, smoke.issueCard.externalRef, 'under its own external reference');
    assert.equal(fresh.issueCard.replayed, false);
    assert.equal(fresh.issueCard.reconciled, undefined, 'the first run of a new start issues without looking back');
    await env.client.workflow.getHandle(workflowId).terminate('end of test');
  });
});
