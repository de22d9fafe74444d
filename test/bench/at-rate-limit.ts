/**
 * Benchmark 1: card-record seeding at PayCA's rate limit. The simulator allows R requests per second; the
 * workers declare the same R as the payca queue's server-side rate. A cutover seeds N records through the
 * readiness checklist, as in production, and the batch's wall time W is read from the workflow's history:
 * from the first real seed being scheduled to the last one completing. The floor is N/R; the share of
 * calls answered 429 comes from the simulator's own counters.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readSimulatorCounters } from '../../src/dev/simulator-counters.js';
import { cutoverWorkflow } from '../../src/workflows/cutover.js';
import { abortUpdate, CUTOVER_TASK_QUEUE, statusQuery } from '../../src/workflows/messages.js';
import type { ChecklistItemState } from '../../src/workflows/cutover-state.js';
import { startPaycaStack, type PaycaStack } from '../helpers/payca-stack.js';
import { planFor } from '../helpers/plans.js';
import { freshWorkflowId, startDevServer } from '../helpers/temporal.js';
import { startWorkerPool } from '../helpers/worker-pool.js';
import { activityCompletedAtMs, eventTimeMs, scheduledActivities } from './history-times.js';
import { round } from './stats.js';
import type { Benchmark, BenchOptions, BenchResult } from './types.js';

const RATE = 20;
const DRY_RUN_SAMPLE = 1;

interface SeedRun {
  wallMs: number;
  /** Seeds started per second between the first start and the last: the rate the server let through. */
  recordsPerSecond: number;
  requests: number;
  rateLimited: number;
}

async function seedOnce(
  env: TestWorkflowEnvironment,
  stack: PaycaStack,
  dir: string,
  records: number,
  workers: number,
  log: (line: string) => void,
): Promise<SeedRun> {
  const label = `seed-${workers}w`;
  const csv = join(dir, `${label}.csv`);
  const rows = Array.from({ length: records }, (_, i) => `${label}-${String(i).padStart(4, '0')},Holder ${i},acc_gbp_main,GBP`);
  await writeFile(csv, ['externalRef,holderName,accountId,currency', ...rows].join('\n') + '\n');
  await stack.reset();

  const pool = await startWorkerPool({
    address: env.address,
    namespace: 'default',
    client: env.client,
    identities: Array.from({ length: workers }, (_, i) => `bench-worker-${i + 1}@${process.pid}`),
    paycaActivitiesPerSecond: RATE,
    simulators: stack,
  });
  try {
    const before = await readSimulatorCounters(stack.production.url);
    const handle = await env.client.workflow.start(cutoverWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: freshWorkflowId(`bench-${label}`),
      args: [
        {
          plan: planFor(stack, { programme: `Bench ${label}`, readiness: { seedCards: { csv, dryRunSample: DRY_RUN_SAMPLE } } }),
          // Far enough ahead that no stage competes with the readiness checks for the payca queue.
          goLive: new Date(Date.now() + 25 * 3_600_000).toISOString(),
          timeScale: 1,
          startedBy: 'lara',
        },
      ],
    });
    // Bounded: ten times the floor plus start-up, polled every half second.
    const deadline = Date.now() + (records / RATE) * 10_000 + 60_000;
    let item: ChecklistItemState | undefined;
    while (Date.now() < deadline) {
      item = (await handle.query(statusQuery)).checklist.find((i) => i.id === 'seed-card-records');
      if (item?.status === 'done' || item?.status === 'failed') break;
      await delay(500);
    }
    if (item?.status !== 'done') {
      throw new Error(`seeding ${records} records did not finish (${item?.status ?? 'no item'}: ${item?.problems.join('; ') ?? ''})`);
    }
    const after = await readSimulatorCounters(stack.production.url);
    const events = (await handle.fetchHistory()).events ?? [];
    // Seeding runs in range activities; W spans the first range scheduled to the last one completed.
    const seeds = scheduledActivities(events, 'seedCardRange');
    if (seeds.length === 0) throw new Error(`expected seeding range activities in history, found none`);
    const firstScheduledMs = eventTimeMs(seeds[0] as (typeof seeds)[number]);
    const lastCompletedMs = Math.max(...seeds.map((s) => activityCompletedAtMs(events, Number(s.eventId)) ?? Number.NaN));
    const recordsPerSecond = records / ((lastCompletedMs - firstScheduledMs) / 1000);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'benchmark done' }] });
    await handle.result().catch(() => undefined);
    const rateLimited = (after.answersByCode['ErrRateLimited'] ?? 0) - (before.answersByCode['ErrRateLimited'] ?? 0);
    const requests = (after.requests ?? 0) - (before.requests ?? 0);
    const run = { wallMs: lastCompletedMs - firstScheduledMs, recordsPerSecond, requests, rateLimited };
    log(`  ${workers} worker(s): ${records} records in ${round(run.wallMs / 1000)} s, ${rateLimited} of ${requests} calls answered 429`);
    return run;
  } finally {
    await pool.stop();
  }
}

function resultFor(workers: number, records: number, run: SeedRun): BenchResult {
  const floorSeconds = records / RATE;
  const wallSeconds = run.wallMs / 1000;
  const share429 = run.requests > 0 ? run.rateLimited / run.requests : 0;
  const ratio = wallSeconds / floorSeconds;
  return {
    name: `seeding at the rate limit, ${workers} worker${workers === 1 ? '' : 's'}`,
    goal: 'W within 10% of N/R, under 1% of calls answered 429',
    metrics: {
      wallSeconds: round(wallSeconds),
      share429Percent: round(share429 * 100),
      records,
      ratePerSecond: RATE,
      recordsPerSecond: round(run.recordsPerSecond),
      paycaRequests: run.requests,
      answered429: run.rateLimited,
    },
    baseline: { floorSeconds: round(floorSeconds) },
    ratio: round(ratio, 3),
    goalMet: ratio <= 1.1 && share429 < 0.01,
    notes: `simulator bucket ${RATE}/s (burst ${RATE}); payca queue rate ${RATE}/s declared by every worker; W from history (first seed scheduled to last seed completed)`,
  };
}

export const atRateLimitBenchmark: Benchmark = {
  name: 'at-rate-limit',
  async run({ short, log }: BenchOptions): Promise<BenchResult[]> {
    const records = short ? 40 : Number(process.env.BENCH_SEED_RECORDS ?? 500);
    const dir = await mkdtemp(join(tmpdir(), 'cutover-bench-seed-'));
    try {
      const results: BenchResult[] = [];
      // A server of its own per run: workers of an earlier run stay listed as pollers for minutes and would
      // take their share of the PayCA rate (src/worker/payca-rate-share.ts).
      for (const workers of [1, 2]) {
        const [env, stack] = await Promise.all([startDevServer(), startPaycaStack({ rateLimit: { perSecond: RATE, burst: RATE } })]);
        try {
          results.push(resultFor(workers, records, await seedOnce(env, stack, dir, records, workers, log)));
        } finally {
          await stack.close();
          await env.teardown();
        }
      }
      return results;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
