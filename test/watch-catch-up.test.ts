import assert from 'node:assert/strict';
import { watchWorkflowId } from '../src/workflows/watch-protocol.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { rollForwardIntoWatch } from './helpers/compressed-watch.js';
import { runHistories, scheduledActivityCounts } from './bench/run-histories.js';

const MINUTE = 60_000;
/** Five plan minutes are 10 ms of wall time: no read finishes before the next falls due, so the watch runs behind. */
const TIME_SCALE = 30_000;

describe('post-launch watch behind its plan clock', function () {
  this.timeout(120_000);
  const harness = useCutoverHarness('dev', 'watch-catch-up');

  it('reads overdue intervals together yet judges each on its own: every interval read, every hour summarised, an alert opened at its own interval', async () => {
    const { env } = harness;
    const { handle, T } = await rollForwardIntoWatch(harness, {
      window: '48h',
      timeScale: TIME_SCALE,
      faultAtHours: 30,
      reason: 'catch-up test',
    });

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
