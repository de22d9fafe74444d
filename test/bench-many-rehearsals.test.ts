/** How benchmark 5 judges a batch. The run itself, against real servers, is in `bench-short.test.ts`. */
import assert from 'node:assert/strict';
import { batchGoalMet, type BatchOutcome } from './bench/many-rehearsals.js';

const MET: BatchOutcome = {
  rehearsals: 100,
  completed: 100,
  aloneCompleted: true,
  ratio: 2.4,
  watchReadsMedian: 400,
  aloneWatchReads: 552,
};

describe('benchmark 5 (many rehearsals on one worker)', () => {
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
