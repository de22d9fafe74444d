import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH } from '../src/worker/paths.js';
import { abortUpdate, approveUpdate, statusQuery } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { CutoverGoLiveKey, CutoverPhaseKey, CutoverStageKey } from '../src/workflows/search-attributes.js';
import type { HistoryEvent } from './bench/history-times.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';

const MINUTE = 60_000;

/** The plan the approval benchmark runs: the stages before go-live each gated on one role. */
const GATED = {
  stages: {
    'config-diff': { gate: ['ops'], approvalTimeout: '30m' },
    'funding-check': { gate: ['treasury'], approvalTimeout: '60m', escalateTo: ['treasury-oncall'] },
  },
};

const settledHold = (stage: string) => (s: CutoverStatus) => holdingAt(stage)(s) && !s.checklist.some((item) => item.status === 'checking');

async function pollStatus(handle: WorkflowHandle, what: string, done: (s: CutoverStatus) => boolean): Promise<CutoverStatus> {
  for (let poll = 0; poll < 600; poll++) {
    const status = await handle.query(statusQuery);
    if (done(status)) return status;
    await delay(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

const kindOf = (event: HistoryEvent) =>
  Object.keys(event).find((key) => key.endsWith('EventAttributes') && event[key as keyof HistoryEvent]) ?? 'unknown';

/** The search attributes one upsert sets, as text. */
function upserted(event: HistoryEvent): Record<string, string> {
  const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
  return Object.fromEntries(Object.entries(fields).map(([key, payload]) => [key, JSON.parse(Buffer.from(payload.data ?? []).toString())]));
}

/** The events from an update's acceptance up to the first activity scheduled after it: what the approval cost. */
function eventsOfApproval(events: HistoryEvent[], updateId: string): HistoryEvent[] {
  const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === updateId);
  assert.ok(accepted >= 0, `update ${updateId} in history`);
  const next = events.findIndex((e, i) => i > accepted && e.activityTaskScheduledEventAttributes);
  assert.ok(next > accepted, 'an activity scheduled after the approval');
  return events.slice(accepted, next + 1);
}

/** Ends the cutover and replays its whole history, left-running timers included, against the workflow bundle. */
async function abortAndReplay(handle: WorkflowHandle): Promise<void> {
  await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
  await handle.result();
  await Worker.runReplayHistory({ workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } }, await handle.fetchHistory(), handle.workflowId);
}

describe('approvals cost few commands', function () {
  this.timeout(180_000);

  describe('on the dev server', () => {
    const harness = useCutoverHarness('dev', 'approval-commands');

    it('answers an approval whose next stage is due with one upsert of what changed and the next check, cancelling no timer', async () => {
      const plan = planFor(harness.stack, GATED);
      const handle = await harness.start({ plan, goLiveInMs: 2_000 });
      await pollStatus(handle, 'the config-diff hold', settledHold('config-diff'));
      await handle.executeUpdate(approveUpdate, { args: [{ stage: 'config-diff', by: 'olivia' }], updateId: 'approve-config-diff' });
      await pollStatus(handle, 'the funding-check hold', settledHold('funding-check'));

      const events = (await handle.fetchHistory()).events ?? [];
      const approval = eventsOfApproval(events, 'approve-config-diff');
      assert.deepEqual(approval.map(kindOf), [
        'workflowExecutionUpdateAcceptedEventAttributes',
        'workflowExecutionUpdateCompletedEventAttributes',
        'upsertWorkflowSearchAttributesEventAttributes',
        'activityTaskScheduledEventAttributes',
      ]);
      assert.deepEqual(upserted(approval[2] as HistoryEvent), { CutoverPhase: 'running', CutoverStage: 'funding-check' });
      assert.equal(approval[3]?.activityTaskScheduledEventAttributes?.activityType?.name, 'checkFunding');
      // The hold's escalation timer was started and is left to run out.
      assert.ok(events.some((e) => e.timerStartedEventAttributes));
      assert.ok(!events.some((e) => e.timerCanceledEventAttributes), 'no timer cancelled');

      // Search attributes upserted one key at a time still say the whole truth.
      const described = await handle.describe();
      assert.equal(described.typedSearchAttributes.get(CutoverPhaseKey), 'holding');
      assert.equal(described.typedSearchAttributes.get(CutoverStageKey), 'funding-check');
      assert.ok(described.typedSearchAttributes.get(CutoverGoLiveKey) instanceof Date);
      await abortAndReplay(handle);
    });

    it('still shows the next stage as waiting when it is not due yet', async () => {
      // At 3600× the stages are seconds apart: T-12h comes 12 s after T-24h.
      const plan = planFor(harness.stack, GATED);
      const handle = await harness.start({ plan, goLiveInMs: 25 * HOUR, timeScale: 3_600 });
      await pollStatus(handle, 'the config-diff hold', holdingAt('config-diff'));
      await handle.executeUpdate(approveUpdate, { args: [{ stage: 'config-diff', by: 'olivia' }], updateId: 'approve-early' });
      const waiting = await pollStatus(handle, 'the wait for T-12h', (s) => s.phase === 'waiting' && s.currentStage === 'funding-check');
      assert.equal(stageOf(waiting, 'funding-check').status, 'waiting');

      const events = (await handle.fetchHistory()).events ?? [];
      const accepted = events.findIndex(
        (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.meta?.updateId === 'approve-early',
      );
      const upserts = events.slice(accepted).filter((e) => e.upsertWorkflowSearchAttributesEventAttributes);
      assert.deepEqual(upserts.map(upserted)[0], { CutoverPhase: 'waiting', CutoverStage: 'funding-check' });
      assert.equal((await handle.describe()).typedSearchAttributes.get(CutoverPhaseKey), 'waiting');
      await abortAndReplay(handle);
    });
  });

  describe('on the time-skipping server', () => {
    const harness = useCutoverHarness('time-skipping', 'approval-timers');

    it('escalates a hold on its own timeout, not when the timer an earlier hold left running fires', async () => {
      const { env, stack } = harness;
      await stack.reset();
      const handle = await harness.start({ plan: planFor(stack, GATED), goLiveInMs: 2_000 });
      await advanceUntil(env, handle, holdingAt('config-diff'), 'the config-diff hold');
      await handle.executeUpdate(approveUpdate, { args: [{ stage: 'config-diff', by: 'olivia' }] });
      await pollStatus(handle, 'the funding-check hold', holdingAt('funding-check'));

      // config-diff's 30-minute timer fires during funding-check's 60-minute hold.
      await env.sleep(45 * MINUTE);
      const before = await handle.query(statusQuery);
      assert.equal(before.phase, 'holding');
      assert.deepEqual(before.escalations, []);
      await env.sleep(20 * MINUTE);
      const after = await handle.query(statusQuery);
      assert.deepEqual(
        after.escalations.map((e) => [e.stage, e.to]),
        [['funding-check', ['treasury-oncall', 'tomas']]],
      );

      const events = (await handle.fetchHistory()).events ?? [];
      const fired = events.filter((e) => e.timerFiredEventAttributes).length;
      assert.ok(fired >= 2, `the earlier hold's timer and funding-check's fired, got ${fired}`);
      assert.ok(!events.some((e) => e.timerCanceledEventAttributes), 'no timer cancelled');
      // Aborted while funding-check's next escalation timer runs: the abort leaves it too.
      await abortAndReplay(handle);
    });
  });
});
