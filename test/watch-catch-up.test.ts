import assert from 'node:assert/strict';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { approveUpdate, decideUpdate } from '../src/workflows/messages.js';
import { watchWorkflowId } from '../src/workflows/watch-protocol.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { holdingAtGoLive, waitForStatus } from './helpers/wait-for-status.js';
import { runHistories, scheduledActivityCounts } from './bench/run-histories.js';

const MINUTE = 60_000;
/** Five plan minutes are 10 ms of wall time: no read finishes before the next falls due, so the watch runs behind. */
const TIME_SCALE = 30_000;

describe('post-launch watch behind its plan clock', function () {
  this.timeout(120_000);
  const harness = useCutoverHarness('dev', 'watch-catch-up');

  it('reads overdue intervals together yet judges each on its own: every interval read, every hour summarised, an alert opened at its own interval', async () => {
    const { env, stack } = harness;
    const plan = planFor(stack, { postLaunch: { watch: { window: '48h' } } });
    const handle = await harness.start({ plan, goLiveInMs: 25 * HOUR, timeScale: TIME_SCALE });
    const holding = await waitForStatus(env.client, handle.workflowId, 'go-live holding', holdingAtGoLive);
    const T = Date.parse(holding.goLive);
    const anchor = Date.parse(holding.startedAt);
    const wallFor = (planMs: number) => anchor + (planMs - anchor) / TIME_SCALE;

    // Failed deliveries in the middle of the T+30h–T+30h05m interval, on the wall clock PayCA counts by.
    await stack.admin('inject/webhook-failures', 'POST', {
      count: 5,
      succeeded: 20,
      at: new Date(wallFor(T + 30 * HOUR + 2.5 * MINUTE)).toISOString(),
    });

    await handle.executeUpdate(approveUpdate, {
      args: [{ stage: 'go-live', by: 'lara', authorizationId: (await runLowRiskAuthorization(stack.production.url)).id }],
    });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await waitForStatus(env.client, handle.workflowId, 'the debrief', (s) => s.phase === 'holding' && s.currentStage === 'debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'catch-up test' }] });

    const final = await handle.result();
    const watch = final.watch;
    assert.ok(watch);
    assert.equal(watch.status, 'completed');
    const startPlan = Date.parse(watch.startedPlanAt);
    assert.ok(startPlan < T + 30 * HOUR, `the watch began at T+${((startPlan - T) / HOUR).toFixed(1)}h, before the injected fault`);

    // Every 5-minute mark after the roll-forward up to T+48h was read, none skipped however late the watch woke.
    const expectedReads = (48 * HOUR) / (5 * MINUTE) - Math.floor((startPlan - T) / (5 * MINUTE));
    assert.equal(watch.reads, expectedReads);
    const ends = watch.summaries.map((s) => Date.parse(s.toPlan) - T);
    assert.equal(ends.at(-1), 48 * HOUR);
    for (let i = 1; i < ends.length; i++)
      assert.equal((ends[i] ?? 0) - (ends[i - 1] ?? 0), HOUR, `summary ${i + 1} closes the hour after summary ${i}`);

    // Behind its clock, the watch read several intervals per activity: far fewer read activities than reads.
    const counts = scheduledActivityCounts(await runHistories(env.client, watchWorkflowId(handle.workflowId)));
    const catchUps = counts.get('readWatchMetricsWindows') ?? 0;
    const singles = counts.get('readWatchMetrics') ?? 0;
    assert.ok(catchUps > 0, `catch-up reads: ${JSON.stringify([...counts])}`);
    assert.ok(catchUps + singles < watch.reads / 2, `${catchUps} catch-up and ${singles} single read activities for ${watch.reads} reads`);

    // Judged per interval: opened by the read that covers the fault, recovered by the next, once each.
    const alerts = watch.alerts.filter((a) => a.rule === 'webhook-failure-rate');
    assert.equal(alerts.length, 1, JSON.stringify(watch.alerts));
    assert.equal(alerts[0]?.openedPlanAt, new Date(T + 30 * HOUR + 5 * MINUTE).toISOString());
    assert.equal(alerts[0]?.recoveredPlanAt, new Date(T + 30 * HOUR + 10 * MINUTE).toISOString());
    const hour31 = watch.summaries.find((s) => Date.parse(s.toPlan) === T + 31 * HOUR);
    assert.deepEqual(hour31?.totals.webhooks, { succeeded: 20, failed: 5 });
    assert.equal(final.phase, 'completed');
  });
});
