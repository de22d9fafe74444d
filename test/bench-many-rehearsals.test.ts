/** How benchmark 5 judges a batch. The run itself, against real servers, is in `bench-short.test.ts`. */
import assert from 'node:assert/strict';
import { BATCH_WATCH_CALLS, batchGoalMet, GOAL_RATIO, PAYCA_RATE, type BatchOutcome } from './bench/many-rehearsals.js';

/** One rehearsal alone at 3000× with a 48 h watch, as measured on a quiet 2-core machine. */
const ALONE_SECONDS = 86;

const MET: BatchOutcome = {
  rehearsals: 100,
  completed: 100,
  aloneCompleted: true,
  ratio: 2.4,
  watchReadsMedian: 400,
  aloneWatchReads: 552,
};

describe('benchmark 5 (many rehearsals on one worker)', () => {
  it("lets PayCA's rate pass every watch's calls in under a third of what the goal allows the batch, so the rate is not what it measures", () => {
    const budget = GOAL_RATIO * ALONE_SECONDS;
    assert.ok(BATCH_WATCH_CALLS / PAYCA_RATE <= budget / 3, `${BATCH_WATCH_CALLS} calls at ${PAYCA_RATE}/s against ${budget} s`);
  });

  it('meets its goal when every rehearsal completes within 2.5× of one alone, each watching at least half as much', () => {
    assert.equal(batchGoalMet(MET), true);
  });

  it('misses it when the batch is slower than 2.5× one alone, or a rehearsal or the one alone did not complete', () => {
    assert.equal(batchGoalMet({ ...MET, ratio: 2.6 }), false);
    assert.equal(batchGoalMet({ ...MET, completed: 99 }), false);
    assert.equal(batchGoalMet({ ...MET, aloneCompleted: false }), false);
  });

  it('misses it when the batch fell so far behind that its watches began after their window and read once each', () => {
    assert.equal(batchGoalMet({ ...MET, ratio: 1.81, watchReadsMedian: 1, aloneWatchReads: 550 }), false);
  });
});
