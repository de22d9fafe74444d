/** How benchmark 4 sets up its worker and judges its runs. The run itself, against real servers, is in `bench-short.test.ts`. */
import assert from 'node:assert/strict';
import type { BenchResult } from './bench/cutover-bench-result.js';
import { FULL_WATCH_CALLS, judgeSeries, wholeCutoverRuns, WORKER_PAYCA_CALLS_PER_SECOND } from './bench/whole-cutover.js';

const GOAL_SECONDS = 10;

function runOf(wallMs: number, goalMet = wallMs < GOAL_SECONDS * 1000): BenchResult {
  return {
    name: 'whole-cutover',
    goal: 'under 10 s',
    metrics: { wallMs },
    baseline: {},
    ratio: wallMs / 10_000,
    goalMet,
    notes: [`${wallMs}`],
  };
}

describe('benchmark 4 (whole cutover on the time-skipping server)', () => {
  it("lets the worker's PayCA call limit pass the 48 h watch's calls in a tenth of the goal, so the limit is not what it measures", () => {
    assert.ok(
      FULL_WATCH_CALLS / WORKER_PAYCA_CALLS_PER_SECOND <= GOAL_SECONDS / 10,
      `${FULL_WATCH_CALLS} calls at ${WORKER_PAYCA_CALLS_PER_SECOND} a second take ${FULL_WATCH_CALLS / WORKER_PAYCA_CALLS_PER_SECOND} s`,
    );
  });

  it('meets its goal only when five runs out of five do, and describes the slowest', () => {
    const five = judgeSeries(
      [8_000, 9_100, 7_700, 8_800, 9_900].map((w) => runOf(w)),
      false,
    );
    assert.equal(five.goalMet, true);
    assert.equal(five.metrics['wallMs'], 9_900);
    assert.equal(five.metrics['runsMeetingGoal'], 5);
    assert.equal(five.metrics['wallMsRun3'], 7_700);
    assert.match(five.notes[0]!, /8\.0 s, 9\.1 s, 7\.7 s, 8\.8 s, 9\.9 s/);

    const oneSlow = judgeSeries(
      [8_000, 9_100, 10_400, 8_800, 9_900].map((w) => runOf(w)),
      false,
    );
    assert.equal(oneSlow.goalMet, false);
    assert.equal(oneSlow.metrics['runsMeetingGoal'], 4);
    assert.equal(oneSlow.ratio, 1.04);

    assert.equal(judgeSeries([runOf(8_000), runOf(8_000)], false).goalMet, false, 'two runs are not five');
    assert.equal(judgeSeries([runOf(8_000)], true).goalMet, false, 'a short run is never judged');
  });

  it('runs five times unless BENCH_WHOLE_CUTOVER_RUNS says otherwise, and refuses a count that is not a whole number', () => {
    assert.equal(wholeCutoverRuns({}), 5);
    assert.equal(wholeCutoverRuns({ BENCH_WHOLE_CUTOVER_RUNS: '2' }), 2);
    assert.throws(() => wholeCutoverRuns({ BENCH_WHOLE_CUTOVER_RUNS: 'many' }), /BENCH_WHOLE_CUTOVER_RUNS=many/);
  });
});
