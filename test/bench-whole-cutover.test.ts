/** How benchmark 4 sets up its worker. The run itself, against real servers, is in `bench-short.test.ts`. */
import assert from 'node:assert/strict';
import { FULL_WATCH_CALLS, WORKER_PAYCA_CALLS_PER_SECOND } from './bench/whole-cutover.js';

const GOAL_SECONDS = 10;

describe('benchmark 4 (whole cutover on the time-skipping server)', () => {
  it("lets the worker's PayCA call limit pass the 48 h watch's calls in a tenth of the goal, so the limit is not what it measures", () => {
    assert.ok(
      FULL_WATCH_CALLS / WORKER_PAYCA_CALLS_PER_SECOND <= GOAL_SECONDS / 10,
      `${FULL_WATCH_CALLS} calls at ${WORKER_PAYCA_CALLS_PER_SECOND} a second take ${FULL_WATCH_CALLS / WORKER_PAYCA_CALLS_PER_SECOND} s`,
    );
  });
});
