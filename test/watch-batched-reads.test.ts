import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { MESSAGES } from '../src/workflows/messages.js';
import { watchWorkflowId } from '../src/workflows/watch-protocol.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { rollForwardIntoWatch } from './helpers/compressed-watch.js';
import { runHistories, scheduledActivityCounts } from './bench/run-histories.js';

const MINUTE = 60_000;
/** Five plan minutes are 100 ms of wall time: a worker keeps up, so only batching by design reads intervals together. */
const TIME_SCALE = 3_000;

describe('compressed post-launch watch', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('dev', 'watch-batched');

  it('reads an hour of intervals with one activity yet opens an alert at its own interval, summarises every hour and reads what was due when ended', async () => {
    const { env } = harness;
    const { handle, T, wallFor } = await rollForwardIntoWatch(harness, {
      window: '8h',
      timeScale: TIME_SCALE,
      faultAtHours: 5,
      reason: 'batched reads test',
    });

    // Ended half-way through the T+6h05m–T+7h batch, while the watch sleeps until its last interval.
    const endAtPlan = T + 6 * HOUR + 32.5 * MINUTE;
    await delay(Math.max(0, wallFor(endAtPlan) - Date.now()));
    await handle.executeUpdate(MESSAGES['end-watch'].update, { args: [{ by: 'lara', reason: 'batched reads test' }] });

    const final = await handle.result();
    const watch = final.watch;
    assert.ok(watch);
    assert.equal(watch.status, 'ended-early');
    const startPlan = Date.parse(watch.startedPlanAt);
    assert.ok(startPlan < T + 5 * HOUR, `the watch began at T+${((startPlan - T) / HOUR).toFixed(1)}h, before the injected fault`);

    // Every 5-minute mark from the start up to the end was read, the ones passed in the cut-short batch too.
    const lastRead = Date.parse(watch.summaries.at(-1)?.toPlan ?? '');
    assert.ok(
      lastRead >= T + 6 * HOUR + 30 * MINUTE,
      `last read at T+${((lastRead - T) / MINUTE).toFixed(0)}m, before the end at T+6h32.5m`,
    );
    assert.equal(watch.reads, (lastRead - T) / (5 * MINUTE) - Math.floor((startPlan - T) / (5 * MINUTE)));
    const ends = watch.summaries.map((s) => Date.parse(s.toPlan) - T);
    for (const hour of [4, 5, 6]) assert.ok(ends.includes(hour * HOUR), `a summary closes T+${hour}h: ${JSON.stringify(ends)}`);

    // On time, yet read by the hour: a batch ends at each summary boundary, so about one read activity per plan hour.
    const counts = scheduledActivityCounts(await runHistories(env.client, watchWorkflowId(handle.workflowId)));
    const reads = (counts.get('readWatchMetricsWindows') ?? 0) + (counts.get('readWatchMetrics') ?? 0);
    const hours = Math.ceil((lastRead - startPlan) / HOUR);
    assert.ok(reads <= hours + 2, `${reads} read activities for ${watch.reads} reads over ${hours} plan hours`);

    // Judged per interval: opened by the read that covers the fault, recovered by the next, once each.
    const alerts = watch.alerts.filter((a) => a.rule === 'webhook-failure-rate');
    assert.equal(alerts.length, 1, JSON.stringify(watch.alerts));
    assert.equal(alerts[0]?.openedPlanAt, new Date(T + 5 * HOUR + 5 * MINUTE).toISOString());
    assert.equal(alerts[0]?.recoveredPlanAt, new Date(T + 5 * HOUR + 10 * MINUTE).toISOString());
    const hour6 = watch.summaries.find((s) => Date.parse(s.toPlan) === T + 6 * HOUR);
    assert.deepEqual(hour6?.totals.webhooks, { succeeded: 20, failed: 5 });
    assert.equal(final.phase, 'completed');
  });
});
