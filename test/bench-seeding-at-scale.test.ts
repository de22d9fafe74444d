/**
 * How the seeding-at-scale benchmark picks its sizes and judges a run. The run itself, against real
 * servers, is in `bench-short.test.ts`.
 */
import assert from 'node:assert/strict';
import {
  GOAL,
  holdsRateShare,
  resultFor,
  secondsWithAWorkerIdle,
  seedKillAt,
  seedSizes,
  seedWorkers,
  steadyCallsPerSecond,
  type ScaleRun,
} from './bench/seeding-at-scale.js';

const MET: ScaleRun = {
  records: 10_000,
  workers: 2,
  wallMs: 54_000,
  fromStartMs: 60_000,
  requests: 10_020,
  rateLimited: 0,
  maxCallsInOneSecond: 200,
  steadyCallsPerSecond: 188,
  cardsIssued: 10_001,
  paycaCallMedianMs: 2,
  paycaCallP99Ms: 20,
  workerCpuSeconds: [20, 19],
  serverCpuSeconds: 15,
  benchProcessCpuSeconds: 12,
  largestHistoryEvents: 300,
  histories: 1,
  largestStatusBytes: 12_000,
  workerPeakRssMiB: [250, 240],
  profile: {
    ranges: 20,
    attempts: 20,
    rangesPerWorker: [10, 10],
    queueWaitMedianSeconds: 0.01,
    queueWaitMaxSeconds: 0.02,
    runMedianSeconds: 10,
    runMaxSeconds: 11,
    tailSeconds: 9,
    workerIdleSeconds: 1,
  },
};

describe('the seeding-at-scale benchmark', () => {
  it('kills no worker unless BENCH_SEED_KILL_AT names a share of the records, and refuses any other value', () => {
    assert.equal(seedKillAt({}), undefined);
    assert.equal(seedKillAt({ BENCH_SEED_KILL_AT: '0.5' }), 0.5);
    for (const bad of ['0', '1', '50%', 'half']) assert.throws(() => seedKillAt({ BENCH_SEED_KILL_AT: bad }), /BENCH_SEED_KILL_AT/, bad);
  });

  it('judges a run with a killed worker on exactly-once issuing, not on W, and names the kill', () => {
    const killed = resultFor({ ...MET, wallMs: 90_000, killedAtRecords: 5_000 });
    assert.match(killed.name, /killed with SIGKILL/);
    assert.equal(killed.metrics['killedAtRecords'], 5_000);
    assert.equal(killed.goalMet, true);
    assert.equal(resultFor({ ...MET, wallMs: 90_000 }).goalMet, false);
    assert.equal(resultFor({ ...MET, killedAtRecords: 5_000, cardsIssued: 10_002 }).goalMet, false);
  });

  it('runs 1,000 records in short mode, the three sizes by default, and the sizes BENCH_SEED_SIZES names', () => {
    assert.deepEqual(seedSizes(true, { BENCH_SEED_SIZES: '100000' }), [1_000]);
    assert.deepEqual(seedSizes(false, {}), [1_000, 10_000, 100_000]);
    assert.deepEqual(seedSizes(false, { BENCH_SEED_SIZES: '1000, 10_000' }), [1_000, 10_000]);
  });

  it('runs two workers unless BENCH_SEED_WORKERS names another count outside short mode', () => {
    assert.equal(seedWorkers(false, {}), 2);
    assert.equal(seedWorkers(true, { BENCH_SEED_WORKERS: '1' }), 2);
    assert.equal(seedWorkers(false, { BENCH_SEED_WORKERS: '1' }), 1);
    assert.throws(() => seedWorkers(false, { BENCH_SEED_WORKERS: 'two' }), /BENCH_SEED_WORKERS/);
  });

  it('refuses a size list that is not positive whole numbers', () => {
    for (const bad of ['10k', '1000,,2000', '0', '-5', '1.5']) {
      assert.throws(() => seedSizes(false, { BENCH_SEED_SIZES: bad }), /BENCH_SEED_SIZES/, bad);
    }
  });

  it('meets the goal only when the wall time, 429 share, history, status and card count all do', () => {
    const met = resultFor(MET);
    assert.equal(met.goalMet, true, JSON.stringify(met));
    assert.equal(met.ratio, 1.08);
    assert.equal(met.metrics['duplicateCards'], 0);
    const misses: [string, Partial<ScaleRun>][] = [
      ['slower than 1.10 × N/R', { wallMs: 55_500 }],
      ['1 % answered 429', { rateLimited: 101, requests: 10_100 }],
      ['a history over the warning', { largestHistoryEvents: GOAL.events + 1 }],
      ['a status of 64 KB', { largestStatusBytes: GOAL.statusBytes }],
      ['a record issued twice', { cardsIssued: 10_002 }],
    ];
    for (const [why, change] of misses) assert.equal(resultFor({ ...MET, ...change }).goalMet, false, why);
  });

  it('takes the steady call rate from whole seconds inside the seeding, not its ragged first and last', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 11, 5, 12, 0, s)).toISOString();
    const buckets = [
      { second: at(0), calls: 40 },
      { second: at(1), calls: 190 },
      { second: at(2), calls: 186 },
      { second: at(3), calls: 188 },
      { second: at(4), calls: 30 },
    ];
    const firstMs = Date.parse(at(0)) + 600;
    const lastMs = Date.parse(at(4)) + 400;
    assert.equal(steadyCallsPerSecond(buckets, firstMs, lastMs), 188);
    assert.equal(steadyCallsPerSecond(buckets, firstMs, firstMs + 500), 0);
  });

  it('counts the seconds in which one of the two workers ran no range', () => {
    const spans = [
      { identity: 'a', startMs: 0, endMs: 6_000 },
      { identity: 'a', startMs: 1_000, endMs: 3_000 },
      { identity: 'b', startMs: 2_000, endMs: 4_000 },
      { identity: 'b', startMs: 5_000, endMs: 10_000 },
    ];
    // b idle 0-2 s and 4-5 s, a idle from 6 s to the end at 10 s.
    assert.equal(secondsWithAWorkerIdle(spans, 2, 0, 10_000), 7);
    assert.equal(
      secondsWithAWorkerIdle(
        spans.filter((s) => s.identity === 'a'),
        2,
        0,
        10_000,
      ),
      10,
    );
  });
  it('starts measuring only once every worker makes PayCA calls at its share of the rate', () => {
    const listed = 'PayCA rate: 1 worker(s) poll the task queues, so this one makes at most 200 of the 200 calls per second';
    const shared = 'PayCA rate: 2 worker(s) poll the task queues, so this one makes at most 100 of the 200 calls per second';
    const open = 'PayCA rate: this worker makes PayCA calls from now on (2 worker(s) counted)';
    // Listed as a poller, which is all the benchmark used to wait for, but its limiter still closed.
    assert.equal(holdsRateShare([listed, shared], 2), false);
    // Open, but not yet counting the other worker: it would take the whole rate.
    assert.equal(holdsRateShare([listed, open], 2), false);
    assert.equal(holdsRateShare([listed, shared, open], 2), true);
    assert.equal(holdsRateShare([listed, open], 1), true);
  });
});
