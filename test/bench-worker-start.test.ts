/**
 * How the worker-start benchmark judges a run: against the SDK-only process measured in the same run, not
 * a fixed time, so a busy machine slows both sides alike. The run itself, against real servers, is in
 * `bench-short.test.ts`.
 */
import assert from 'node:assert/strict';
import { GOAL_RATIO, workerStartResult, type Mode, type StartSample } from './bench/worker-start.js';

function run(prebuiltMs: number[], sdkOnlyMs: number[]): Record<Mode, StartSample[]> {
  const samples = (figures: number[]) => figures.map((ms) => ({ readyLineMs: ms - 10, firstTaskMs: ms }));
  return { prebuilt: samples(prebuiltMs), 'sdk-minimal': samples(sdkOnlyMs), 'bundle-at-start': samples([4_000, 4_100, 3_900]) };
}

describe('worker start benchmark', function () {
  it('meets its goal when the prebuilt worker starts within 1.15× of the SDK-only process, however slow both are', () => {
    const result = workerStartResult(run([1_500, 1_560, 1_520], [1_400, 1_380, 1_450]));
    assert.equal(GOAL_RATIO, 1.15);
    assert.equal(result.ratio, 1.086);
    assert.equal(result.goalMet, true);
    assert.equal(result.baseline['sdkMinimalMedianMs'], 1_400);
    assert.match(result.goal, /within 1\.15× of the SDK-only process/);
  });

  it('misses its goal when the prebuilt worker takes more than 1.15× the SDK-only process, even under a second', () => {
    const result = workerStartResult(run([900, 880, 910], [600, 620, 590]));
    assert.equal(result.ratio, 1.5);
    assert.equal(result.goalMet, false);
    assert.equal(result.metrics['pairedRatioMedian'], 1.5);
  });
});
