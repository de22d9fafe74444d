import assert from 'node:assert/strict';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { approveUpdate, decideUpdate, statusQuery } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { CutoverGoLiveKey, CutoverPhaseKey } from '../src/workflows/search-attributes.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { historyText } from './helpers/history.js';
import { planFor } from './helpers/plans.js';
import { describeHits, scanForSecrets } from './helpers/secret-scan.js';
import { freshWorkflowId, stageOf } from './helpers/temporal.js';

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await delay(200);
  }
  throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(last)?.slice(0, 500)}`);
}

describe('cutover workflow on the dev server', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('dev', 'dev');

  it('pauses a sandbox Temporal Schedule at T-2h, leaves an already paused one alone, and restores on roll-back', async () => {
    const { env, stack } = harness;
    const scheduleAction = {
      type: 'startWorkflow' as const,
      workflowType: 'sandboxSettlementReplay',
      taskQueue: 'sandbox-automation',
    };
    const active = await env.client.schedule.create({
      scheduleId: freshWorkflowId('sandbox-replay'),
      spec: { intervals: [{ every: '1h' }] },
      action: scheduleAction,
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
    });
    const alreadyPaused = await env.client.schedule.create({
      scheduleId: freshWorkflowId('sandbox-paused'),
      spec: { intervals: [{ every: '1h' }] },
      action: scheduleAction,
      state: { paused: true, note: 'paused by hand' },
    });
    const plan = planFor(stack, {
      sandboxJobs: [
        { kind: 'schedule', name: 'replay', scheduleId: active.scheduleId },
        { kind: 'schedule', name: 'paused', scheduleId: alreadyPaused.scheduleId },
      ],
    });
    const goLiveInMs = 25 * HOUR;
    const handle = await harness.start({
      plan,
      goLiveInMs,
      timeScale: 25 * 360,
      startOptions: {
        typedSearchAttributes: [
          { key: CutoverPhaseKey, value: 'waiting' },
          { key: CutoverGoLiveKey, value: new Date(Date.now() + goLiveInMs) },
        ],
      },
    });

    const query = () => handle.query(statusQuery);
    const atGoLive = await waitFor(query, (s) => s.phase === 'holding' && s.currentStage === 'go-live', 'the go-live gate');
    assert.deepEqual(stageOf(atGoLive, 'disable-sandbox-jobs').evidence.jobs, [
      { name: 'replay', kind: 'schedule', wasActive: true, changed: true },
      { name: 'paused', kind: 'schedule', wasActive: false, changed: false },
    ]);
    const paused = await active.describe();
    assert.equal(paused.state.paused, true);
    assert.match(paused.state.note ?? '', /paused for PayCA cutover/);

    const listed = await waitFor(
      async () => {
        const ids: string[] = [];
        for await (const wf of env.client.workflow.list({ query: `CutoverPhase = 'holding' AND WorkflowId = '${handle.workflowId}'` }))
          ids.push(wf.workflowId);
        return ids;
      },
      (ids) => ids.length === 1,
      'the cutover to be listed by CutoverPhase',
    );
    assert.deepEqual(listed, [handle.workflowId]);

    await handle.executeUpdate(approveUpdate, {
      args: [{ stage: 'go-live', by: 'lara', authorizationId: (await runLowRiskAuthorization(stack.production.url)).id }],
    });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await waitFor(query, (s) => s.phase === 'holding' && s.currentStage === 'debrief', 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: 'lara', reason: 'rehearsal roll-back' }] });
    const result: CutoverStatus = await handle.result();
    assert.equal(result.phase, 'rolled-back');
    assert.equal((await active.describe()).state.paused, false, 'the schedule runs again');
    assert.equal((await alreadyPaused.describe()).state.paused, true, 'the hand-paused schedule stays paused');
    await active.delete();
    await alreadyPaused.delete();

    const history = historyText(await handle.fetchHistory());
    assert.match(history, /diffProgramConfig/, 'the history text is searchable');
    assert.match(history, /card\.topup/, 'payloads are decoded');
    for (const summary of [
      'T-24h config diff: sandbox vs production (Ops)',
      'T-12h funding check (Treasury)',
      'until T-2h disable-sandbox-jobs (Engineering)',
      'T go-live smoke test: POST /v1/cards (issue test card)',
      'go-live holds for Programme lead, Engineering',
    ]) {
      assert.ok(history.includes(summary), `the history carries the summary "${summary}" for the UI`);
    }
    // The same scanner as the whole-cutover secret scan (test/secret-scan.test.ts), here over a rolled-back run.
    const credentials = (['production', 'sandbox'] as const).flatMap((env) => [
      { name: `PayCA ${env} client id`, value: stack.credentials[env].clientId },
      { name: `PayCA ${env} client secret`, value: stack.credentials[env].clientSecret },
    ]);
    const hits = scanForSecrets([{ name: 'workflow history', bytes: Buffer.from(history) }], credentials);
    assert.deepEqual(hits, [], `no PayCA credential in the workflow history, in any encoding:\n${describeHits(hits)}`);
    assert.equal(history.includes('signingSecret'), false, 'no webhook signing secret in the history');
  });
});
