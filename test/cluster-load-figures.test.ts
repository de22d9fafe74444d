/**
 * How the cluster load (`scripts/cluster-rehearsal.sh load`) reads its options, counts workflow task
 * timeouts and memory per cutover, and judges a run. The run itself, on a real cluster, is in
 * `cluster-load.test.ts` (on demand).
 */
import assert from 'node:assert/strict';
import { temporal } from '@temporalio/proto';
import {
  clusterLoadResult,
  DEFAULT_CLUSTER_LOAD,
  memoryPerCutover,
  parseClusterLoadArgs,
  spreadSample,
  workflowTaskTrouble,
  type ClusterLoadMeasurements,
} from './bench/cluster-load-figures.js';
import type { HistoryEvent } from './bench/history-times.js';

const { TimeoutType } = temporal.api.enums.v1;

const timedOut = (type: temporal.api.enums.v1.TimeoutType, atSeconds = 100): HistoryEvent =>
  temporal.api.history.v1.HistoryEvent.fromObject({
    eventTime: { seconds: atSeconds },
    workflowTaskTimedOutEventAttributes: { timeoutType: type },
  });
const failed: HistoryEvent = { workflowTaskFailedEventAttributes: {} };
const quiet: HistoryEvent = { workflowTaskCompletedEventAttributes: {} };

const MET: ClusterLoadMeasurements = {
  cutovers: 1_000,
  openCutovers: 1_000,
  startSeconds: 40,
  holdingSeconds: 300,
  allHoldingAtMs: 300_000,
  approvals: { p50Ms: 30, p99Ms: 120, approvals: 200 },
  bare: { p50Ms: 20, p99Ms: 60, updates: 200 },
  trouble: { timedOut: {}, timedOutAtMs: [], failed: 0 },
  workers: [
    { idleMiB: 180, holdingMiB: 380, peakMiB: 400 },
    { idleMiB: 180, holdingMiB: 380, peakMiB: 400 },
  ],
  largestHistoryEvents: 60,
};

describe('the cluster load’s figures', () => {
  it('runs 1,000 cutovers, 200 approvals and two workers, 20 cutovers on their way to the gate at most, unless told otherwise', () => {
    assert.deepEqual(parseClusterLoadArgs([]), DEFAULT_CLUSTER_LOAD);
    assert.deepEqual(DEFAULT_CLUSTER_LOAD, { cutovers: 1_000, approvals: 200, workers: 2, concurrency: 16, window: 20 });
  });

  it('takes a smaller size for a quick check, with as many approvals as cutovers at most', () => {
    assert.deepEqual(parseClusterLoadArgs(['--cutovers', '50']), { ...DEFAULT_CLUSTER_LOAD, cutovers: 50, approvals: 50 });
    assert.deepEqual(parseClusterLoadArgs(['--cutovers', '1_000', '--approvals', '20', '--window', '1000', '--out', 'x.json']), {
      ...DEFAULT_CLUSTER_LOAD,
      approvals: 20,
      window: 1_000,
      out: 'x.json',
    });
  });

  it('refuses sizes that are not positive whole numbers, unknown flags and more approvals than cutovers', () => {
    assert.throws(() => parseClusterLoadArgs(['--cutovers', '0']), /--cutovers needs a positive whole number/);
    assert.throws(() => parseClusterLoadArgs(['--cutovers', '2.5']), /positive whole number/);
    assert.throws(() => parseClusterLoadArgs(['--cutovers']), /got nothing/);
    assert.throws(() => parseClusterLoadArgs(['--fast']), /unknown argument --fast/);
    assert.throws(() => parseClusterLoadArgs(['--cutovers', '10', '--approvals', '11']), /exceeds --cutovers 10/);
  });

  it('approves cutovers spread over all those started, each once', () => {
    assert.deepEqual(spreadSample(1_000, 4), [0, 250, 500, 750]);
    assert.deepEqual(spreadSample(3, 10), [0, 1, 2]);
    assert.equal(new Set(spreadSample(1_000, 200)).size, 200);
  });

  it('counts workflow task timeouts by type across every history, and failures apart', () => {
    const trouble = workflowTaskTrouble([
      [quiet, timedOut(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE, 1), quiet],
      [timedOut(TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START, 2), timedOut(TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE, 3), failed],
      [],
    ]);
    assert.deepEqual(trouble, { timedOut: { START_TO_CLOSE: 2, SCHEDULE_TO_START: 1 }, timedOutAtMs: [1_000, 2_000, 3_000], failed: 1 });
    assert.deepEqual(workflowTaskTrouble([[quiet, quiet]]), { timedOut: {}, timedOutAtMs: [], failed: 0 });
  });

  it('gives memory per open cutover as the workers’ whole RSS and as what the cutovers added', () => {
    assert.deepEqual(memoryPerCutover(MET.workers, 1_000), { rssKiB: 778.2, addedKiB: 409.6 });
    assert.ok(Number.isNaN(memoryPerCutover(MET.workers, 0).rssKiB));
  });

  it('meets the goal with every cutover open and no workflow task timed out, and reports the round trip against the bare update', () => {
    const result = clusterLoadResult(MET);
    assert.equal(result.goalMet, true);
    assert.equal(Object.keys(result.metrics)[0], 'p50Ms');
    assert.equal(result.metrics.p99Ms, 120);
    assert.equal(result.metrics.workflowTaskTimeouts, 0);
    assert.equal(result.metrics.worker2HoldingMiB, 380);
    assert.equal(result.ratio, 1.5);
  });

  it('misses the goal when a single workflow task timed out, or a cutover is no longer open', () => {
    const timedOutOnce = clusterLoadResult({ ...MET, trouble: { timedOut: { START_TO_CLOSE: 1 }, timedOutAtMs: [200_000], failed: 0 } });
    assert.equal(timedOutOnce.goalMet, false);
    assert.equal(timedOutOnce.metrics.workflowTaskTimeouts, 1);
    assert.equal(timedOutOnce.metrics.timeoutsSTART_TO_CLOSE, 1);
    assert.equal(timedOutOnce.metrics.timeoutsOnceAllHeld, 0);
    const duringTheHold = clusterLoadResult({ ...MET, trouble: { timedOut: { START_TO_CLOSE: 1 }, timedOutAtMs: [300_001], failed: 0 } });
    assert.equal(duringTheHold.metrics.timeoutsOnceAllHeld, 1);
    assert.equal(duringTheHold.goalMet, false);
    assert.equal(clusterLoadResult({ ...MET, openCutovers: 999 }).goalMet, false);
  });
});
