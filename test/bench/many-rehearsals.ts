/**
 * Benchmark 5: many compressed rehearsals at once on one worker and the dev server. Each rehearsal runs the
 * whole timeline at a high time scale with a short post-launch watch, driven by the demo's scripted people;
 * all must complete. Reported: the wall time of the batch against one rehearsal alone (the same worker and
 * server, just before), and the worker's peak memory. The worker is the real worker entry in a child
 * process, so its RSS is its own; the simulators and the scripted people run in this process.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { performance } from 'node:perf_hooks';
import { startPaycaStack, type PaycaStack } from '../helpers/payca-stack.js';
import { planFor } from '../helpers/plans.js';
import { watchWorkflowId } from '../../src/workflows/watch-protocol.js';
import { freshWorkflowId, startDevServer } from '../helpers/temporal.js';
import type { BenchResult, BenchRunOptions } from './cutover-bench-result.js';
import { activityTimes } from './activity-times.js';
import { childrenCpuMs, cpuBetween } from './child-process-cpu.js';
import { percentileOf, rounded } from './samples.js';
import { runScriptedRehearsals } from './scripted-rehearsal.js';
import { stepTimes } from './history-gaps.js';
import { recordRequests } from './http-request-timeline.js';
import { runHistories, scheduledActivityCounts } from './run-histories.js';
import { runStandalone } from './standalone.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

/** Plan time per wall time: T-24h to the debrief (26 h) in about 31 s. */
const TIME_SCALE = 3_000;
/**
 * PayCA calls per second for the payca queue and the simulator alike: high enough not to be what is
 * measured. 100 watches reading every 5 plan-minutes over 48 h make about 47,000 metrics calls, 235 s at
 * 200 a second, more than the goal allows the whole batch (2.5 × one alone, about 87 s).
 */
export const PAYCA_RATE = 2_000;
/** PayCA calls the batch's watches make on time: 100 × 576 reads × (metrics, and balances once per read or batch). */
export const BATCH_WATCH_CALLS = 100 * 576 * 2;
/** How often the driver lists holding rehearsals: at 3000× a second is 50 plan minutes. */
const POLL_MS = 250;
/** The batch's wall time against one rehearsal alone. */
export const GOAL_RATIO = 2.5;

export interface BatchOutcome {
  rehearsals: number;
  completed: number;
  aloneCompleted: boolean;
  ratio: number;
  watchReadsMedian: number;
  aloneWatchReads: number;
}

/**
 * Met when every rehearsal completes within the ratio and did the watching it was given. A batch so far
 * behind that its watches begin after their window has ended reads once each and finishes early: a short
 * wall time that rehearsed no watch, so the median rehearsal must read at least half of what one alone did.
 */
export function batchGoalMet(outcome: BatchOutcome): boolean {
  return (
    outcome.completed === outcome.rehearsals &&
    outcome.aloneCompleted &&
    outcome.ratio <= GOAL_RATIO &&
    outcome.watchReadsMedian >= outcome.aloneWatchReads / 2
  );
}

export async function run({ short, log = () => undefined }: BenchRunOptions): Promise<BenchResult> {
  const rehearsals = short ? 5 : 100;
  // From T, as the runbook's: on time, the watch reads from T+2h to T+48h, 55 s of wall time at 3000×.
  const watchWindow = short ? '6h' : '48h';
  let env: TestWorkflowEnvironment | undefined;
  let stack: PaycaStack | undefined;
  let worker: WorkerProcess | undefined;
  try {
    [env, stack] = await Promise.all([startDevServer(), startPaycaStack({ rateLimit: { perSecond: PAYCA_RATE, burst: PAYCA_RATE } })]);
    worker = await startWorkerProcess({ address: env.address, namespace: env.namespace ?? 'default', stack, paycaRate: PAYCA_RATE });
    const idleRssMiB = (await worker.rss()) ?? Number.NaN;
    // The rehearsals share one PayCA, so a card another issues between one's statement and metrics reads
    // shows as a day-1 fee difference; the tolerance covers that, not a real mismatch.
    const plan = planFor(stack, { postLaunch: { watch: { window: watchWindow }, feeReconciliation: { tolerance: 1_000_000 } } });
    const client = env.client;
    const rehearse = (label: string, count: number) =>
      runScriptedRehearsals({
        client,
        plan,
        workflowIds: Array.from({ length: count }, () => freshWorkflowId(label)),
        timeScale: TIME_SCALE,
        pollMs: POLL_MS,
        deadlineMs: 900_000,
      });

    log(`many rehearsals: one alone first`);
    const [alone] = await rehearse('bench-alone', 1);
    if (!alone) throw new Error('the rehearsal alone did not report');
    const aloneMemory = await worker.memory();
    worker.resetSampledPeak();

    log(`many rehearsals: ${rehearsals} at once`);
    const countersBefore = await stack.counters();
    const timeline = recordRequests(Number(new URL(stack.production.url).port));
    const cpuBefore = childrenCpuMs();
    const startedAt = performance.now();
    const runs = await rehearse('bench-many', rehearsals);
    const batchMs = performance.now() - startedAt;
    const cpuAfter = childrenCpuMs();
    timeline.stop();
    const countersAfter = await stack.counters();
    const rateLimited = (countersAfter.answersByCode['ErrRateLimited'] ?? 0) - (countersBefore.answersByCode['ErrRateLimited'] ?? 0);
    const memory = await worker.memory();
    const workerPid = worker.pid;
    const workerCpu = cpuBetween(cpuBefore, cpuAfter, (pid) => pid === workerPid);
    const serverCpu = cpuBetween(cpuBefore, cpuAfter, (pid) => pid !== workerPid);
    // How the watches read: one activity per interval, or one catch-up activity for several overdue intervals.
    const watchActivities = new Map<string, number>();
    const watchHistories = [];
    const cutoverHistories = [];
    for (const r of runs) {
      cutoverHistories.push(...(await runHistories(client, r.workflowId)));
      const histories = await runHistories(client, watchWorkflowId(r.workflowId));
      watchHistories.push(...histories);
      for (const [type, n] of scheduledActivityCounts(histories)) watchActivities.set(type, (watchActivities.get(type) ?? 0) + n);
    }
    // The dev server does not skip time: every gap between two events is real time spent in that step.
    const watchSteps = stepTimes(watchHistories, Number.POSITIVE_INFINITY);
    const singleReads = watchActivities.get('readWatchMetrics') ?? 0;
    const catchUpReads = watchActivities.get('readWatchMetricsWindows') ?? 0;
    const totalReads = runs.reduce((sum, r) => sum + r.watchReads, 0);
    const failures = runs.filter((r) => r.phase !== 'completed').map((r) => `${r.workflowId} ${r.phase}: ${r.problem ?? ''}`);
    const watchStarts = runs.map((r) => r.watchStartedAfterTHours).filter((h) => Number.isFinite(h));
    const stageTimes = (group: readonly { stages: { id: string; lateMs: number; tookMs: number }[] }[]) => {
      const ids = [...new Set(group.flatMap((r) => r.stages.map((st) => st.id)))];
      return ids
        .map((id) => {
          const of = group.flatMap((r) => r.stages.filter((st) => st.id === id));
          return `${id} late ${Math.round(
            percentileOf(
              of.map((st) => st.lateMs),
              50,
            ),
          )} ms, took ${Math.round(
            percentileOf(
              of.map((st) => st.tookMs),
              50,
            ),
          )} ms`;
        })
        .join('; ');
    };
    const byPath = new Map<string, number[]>();
    for (const request of timeline.requests)
      byPath.set(request.path, [...(byPath.get(request.path) ?? []), request.endMs - request.startMs]);
    const paycaTimes = [...byPath.entries()]
      .sort((a, b) => b[1].length - a[1].length)
      .slice(0, 4)
      .map(([path, ms]) => `${path} ${ms.length}× median ${rounded(percentileOf(ms, 50))} ms, p95 ${rounded(percentileOf(ms, 95))} ms`)
      .join('; ');
    const completed = runs.filter((r) => r.phase === 'completed').length;
    const wallTimes = runs.map((r) => r.wallMs);
    const reads = runs.map((r) => r.watchReads);
    return {
      name: 'many-rehearsals',
      goal: `${rehearsals} compressed rehearsals at once on one worker and the dev server all complete within ${GOAL_RATIO}× of one alone, each watching at least half the intervals one alone watched`,
      metrics: {
        batchWallMs: Math.round(batchMs),
        rehearsals,
        completed,
        failed: rehearsals - completed,
        rehearsalMedianMs: Math.round(percentileOf(wallTimes, 50)),
        rehearsalSlowestMs: Math.round(percentileOf(wallTimes, 100)),
        workerPeakRssMiB: rounded(memory.highWaterMiB ?? memory.sampledPeakMiB, 1),
        workerSampledPeakRssMiB: rounded(memory.sampledPeakMiB, 1),
        workerIdleRssMiB: rounded(idleRssMiB, 1),
        workerPeakRssAloneMiB: rounded(aloneMemory.sampledPeakMiB, 1),
        watchReadsMedian: percentileOf(reads, 50),
        watchReadsMin: Math.min(...reads),
        watchReadsTotal: totalReads,
        watchReadActivitiesSingle: singleReads,
        watchReadActivitiesCatchUp: catchUpReads,
        watchIntervalsReadByCatchUp: totalReads - singleReads,
        paycaRateLimitedAnswers: rateLimited,
        watchStartedMedianHoursAfterT: rounded(percentileOf(watchStarts, 50)),
        watchStartedLatestHoursAfterT: rounded(percentileOf(watchStarts, 100)),
        ...(workerCpu !== undefined ? { workerCpuShare: rounded(workerCpu / batchMs) } : {}),
        ...(serverCpu !== undefined ? { devServerCpuShare: rounded(serverCpu / batchMs) } : {}),
      },
      baseline: {
        aloneWallMs: alone.wallMs,
        aloneWatchReads: alone.watchReads,
        aloneWatchStartedHoursAfterT: alone.watchStartedAfterTHours,
      },
      ratio: rounded(batchMs / alone.wallMs),
      goalMet: batchGoalMet({
        rehearsals,
        completed,
        aloneCompleted: alone.phase === 'completed',
        ratio: batchMs / alone.wallMs,
        watchReadsMedian: percentileOf(reads, 50),
        aloneWatchReads: alone.watchReads,
      }),
      notes: [
        `time scale ${TIME_SCALE}×, ${watchWindow} watch window (reads every 5 plan-minutes from go-live), PayCA and the payca queue at ${PAYCA_RATE}/s, holding rehearsals listed by search attribute every ${POLL_MS} ms`,
        `one rehearsal alone: ${alone.phase} in ${alone.wallMs} ms; ${completed} of ${rehearsals} together completed in ${Math.round(batchMs)} ms`,
        `stages alone (wall ms from due to started, started to finished): ${stageTimes([alone])}`,
        `stages together (medians): ${stageTimes(runs)}`,
        `watch steps, summed over all ${runs.length} watches (from their histories): ${watchSteps.steps
          .slice(0, 8)
          .map((st) => `${st.step} ${Math.round(st.totalMs / 1000)} s/${st.count}`)
          .join('; ')}`,
        `cutover activities, summed over all ${runs.length} cutovers (type: count, waited for a worker median, ran median, waited + ran in all): ${activityTimes(
          cutoverHistories,
        )
          .slice(0, 6)
          .map(
            (a) =>
              `${a.type} ${a.count}×, ${Math.round(a.waitedMedianMs)} ms, ${Math.round(a.ranMedianMs)} ms, ${Math.round((a.waitedTotalMs + a.ranTotalMs) / 1000)} s`,
          )
          .join('; ')}`,
        `PayCA production answered (as the simulator timed it): ${paycaTimes}`,
        `worker peak RSS: the worker child process's kernel high-water mark (VmHWM), also sampled every 250 ms (${memory.samples} samples)`,
        ...failures.slice(0, 5),
      ],
    };
  } finally {
    await worker?.stop();
    await stack?.close();
    await env?.teardown();
  }
}

if (require.main === module) runStandalone(run);
