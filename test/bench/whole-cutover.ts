/**
 * Benchmark 4: one whole cutover on the time-skipping server, from T-24h through the end of the 48 h
 * post-launch watch, with the runbook's defaults (a read every 5 minutes, hourly summaries, a 6 h segment
 * per run). Goal: under 10 s of wall time in 5 runs out of 5 (each on a time-skipping server of its own),
 * and no run of the cutover's chain (the cutover and every run of its watch) over 2,000 events.
 *
 * The profile comes from the simulator's side: every PayCA request's start and finish on the wall clock
 * (Node's HTTP diagnostics channels), so each watch read splits into the time PayCA answered in and the
 * time between reads, which is Temporal's: the read's completion, workflow tasks, the timer and the
 * time-skipping server's unlock and lock, and dispatching the next read.
 */
import { runLowRiskAuthorization } from '../../src/dev/low-risk-authorization.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { performance } from 'node:perf_hooks';
import { createCutoverWorkers } from '../../src/worker/create-workers.js';
import { cutoverWorkflow } from '../../src/workflows/cutover.js';
import { approveUpdate, CUTOVER_TASK_QUEUE, decideUpdate } from '../../src/workflows/messages.js';
import type { CutoverInput } from '../../src/workflows/cutover-state.js';
import { watchWorkflowId } from '../../src/workflows/watch-protocol.js';
import { startPaycaStack, type PaycaStack } from '../helpers/payca-stack.js';
import { planFor } from '../helpers/plans.js';
import { advanceUntil, freshWorkflowId, holdingAt, startTimeSkippingServer } from '../helpers/temporal.js';
import type { BenchResult, BenchRunOptions } from './cutover-bench-result.js';
import { stepTimes, workflowTaskGrowth } from './history-gaps.js';
import { childrenCpuMs, cpuBetween } from './child-process-cpu.js';
import { runHistories } from './run-histories.js';
import { recordRequests, type TimedRequest } from './http-request-timeline.js';
import { percentileOf, rounded, sumOf } from './samples.js';
import { runStandalone } from './standalone.js';

const HOUR = 3_600_000;
const GOAL_WALL_MS = 10_000;
const GOAL_EVENTS_PER_RUN = 2_000;
/**
 * The worker's PayCA call limit (CUTOVER_PAYCA_RATE). The limiter counts wall time while the server skips
 * plan time: at the default 20 calls a second, the 48 h watch's 1,104 calls alone took 55 s, so the limit
 * is raised with the simulator's; the limit is not under test here.
 */
export const WORKER_PAYCA_CALLS_PER_SECOND = 2_000;
/** Reads in a 48 h watch (one every 5 minutes from T+2h) and PayCA calls per read (metrics, balances). */
export const FULL_WATCH_CALLS = 552 * 2;

export interface WatchReadProfile {
  reads: number;
  /** Per read: from the metrics request's start to the balances request's finish, as PayCA saw them. */
  paycaMs: { median: number; p95: number; total: number };
  /** Between one read's last answer and the next read's first request: Temporal's share. */
  betweenReadsMs: { median: number; p95: number; total: number };
}

/** Pairs each metrics request with the balances request after it: one watch read. */
export function profileWatchReads(requests: readonly TimedRequest[]): WatchReadProfile {
  const reads: { startMs: number; endMs: number }[] = [];
  const sorted = [...requests].sort((a, b) => a.startMs - b.startMs);
  for (let i = 0; i < sorted.length; i++) {
    const request = sorted[i];
    if (request?.path !== '/v1/reports/metrics') continue;
    const balances = sorted.slice(i + 1).find((r) => r.path === '/v2/accounts');
    if (balances) reads.push({ startMs: request.startMs, endMs: balances.endMs });
  }
  const payca = reads.map((r) => r.endMs - r.startMs);
  const between = reads.slice(1).map((r, i) => r.startMs - (reads[i]?.endMs ?? r.startMs));
  const summary = (samples: number[]) => ({
    median: rounded(percentileOf(samples, 50)),
    p95: rounded(percentileOf(samples, 95)),
    total: rounded(sumOf(samples)),
  });
  return { reads: reads.length, paycaMs: summary(payca), betweenReadsMs: summary(between) };
}

/** Runs in one bench run: the goal is under 10 s in 5 runs out of 5. BENCH_WHOLE_CUTOVER_RUNS overrides. */
export const GOAL_RUNS = 5;

export function wholeCutoverRuns(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BENCH_WHOLE_CUTOVER_RUNS?.trim();
  if (!raw) return GOAL_RUNS;
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`BENCH_WHOLE_CUTOVER_RUNS=${raw} is not a whole number of runs, 1 or more`);
  return runs;
}

/**
 * The series judged as the goal says: every run under 10 s and within the events limit, and as many runs as
 * the goal asks. The figures are the slowest run's, beside every run's wall time.
 */
export function judgeSeries(runs: readonly BenchResult[], short: boolean): BenchResult {
  const walls = runs.map((r) => r.metrics['wallMs'] ?? Number.POSITIVE_INFINITY);
  const slowest = runs[walls.indexOf(Math.max(...walls))]!;
  const under = runs.filter((r) => r.goalMet).length;
  return {
    ...slowest,
    goal: `${slowest.goal}, in ${GOAL_RUNS} runs out of ${GOAL_RUNS}`,
    metrics: {
      ...slowest.metrics,
      runs: runs.length,
      runsMeetingGoal: under,
      wallMsMedian: Math.round(percentileOf(walls, 50)),
      ...Object.fromEntries(walls.map((w, i) => [`wallMsRun${i + 1}`, w])),
    },
    goalMet: !short && runs.length >= GOAL_RUNS && under === runs.length,
    notes: [
      `wall time of each run: ${walls.map((w) => `${(w / 1000).toFixed(1)} s`).join(', ')} (the slowest described)`,
      ...slowest.notes,
    ],
  };
}

export async function run({ short, log = () => undefined }: BenchRunOptions): Promise<BenchResult> {
  const count = short ? 1 : wholeCutoverRuns();
  const runs: BenchResult[] = [];
  for (let i = 0; i < count; i++) {
    runs.push(await runOnce({ short, log }));
    log(`whole cutover: run ${i + 1} of ${count}, ${runs[i]!.metrics['wallMs']} ms`);
  }
  return judgeSeries(runs, short);
}

async function runOnce({ short, log = () => undefined }: BenchRunOptions): Promise<BenchResult> {
  const watchHours = short ? 6 : 48;
  let env: TestWorkflowEnvironment | undefined;
  let stack: PaycaStack | undefined;
  let workers: Awaited<ReturnType<typeof createCutoverWorkers>> | undefined;
  let running: Promise<void> | undefined;
  try {
    [env, stack] = await Promise.all([
      startTimeSkippingServer(),
      // Skipped time reads far faster than PayCA's real-time rate limit allows; the limit is not under test here.
      startPaycaStack({ rateLimit: { perSecond: 10_000, burst: 10_000 } }),
    ]);
    workers = await createCutoverWorkers({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      temporalClient: env.client,
      paycaCredentials: stack.credentials,
      notifyWrite: () => undefined,
      paycaActivitiesPerSecond: WORKER_PAYCA_CALLS_PER_SECOND,
    });
    running = workers.run();

    const plan = planFor(stack, {
      postLaunch: { alerts: { declineRate: { baseline: 0.05 } }, watch: { window: `${watchHours}h` } },
      stages: { 'fee-reconciliation': { offset: short ? '3h' : '24h' } },
    });
    const timeline = recordRequests(Number(new URL(stack.production.url).port));
    const startedAt = performance.now();
    const input: CutoverInput = {
      plan,
      goLive: new Date((await env.currentTimeMs()) + 24 * HOUR + 60_000).toISOString(),
      timeScale: 1,
      startedBy: 'lara',
    };
    const workflowId = freshWorkflowId('bench-whole-cutover');
    const handle = await env.client.workflow.start(cutoverWorkflow, { taskQueue: CUTOVER_TASK_QUEUE, workflowId, args: [input] });
    await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    await handle.executeUpdate(approveUpdate, {
      args: [{ stage: 'go-live', by: 'lara', authorizationId: (await runLowRiskAuthorization(plan.payca.production.baseUrl)).id }],
    });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await advanceUntil(env, handle, holdingAt('debrief'), 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'benchmark' }] });
    const decidedAt = performance.now();
    const cpuAtDecision = process.cpuUsage();
    const serverCpuAtDecision = childrenCpuMs();
    log(`whole cutover: rolled forward after ${Math.round(decidedAt - startedAt)} ms; watching ${watchHours} h`);

    // The time-skipping client skips time while it waits for a result; following the watch's runs to its end.
    const watch = await env.client.workflow.getHandle(watchWorkflowId(workflowId)).result();
    const watchedAt = performance.now();
    const watchCpu = process.cpuUsage(cpuAtDecision);
    // The only child process is the time-skipping server.
    const serverCpu = cpuBetween(serverCpuAtDecision, childrenCpuMs(), () => true);
    const final = await handle.result();
    const finishedAt = performance.now();
    timeline.stop();

    const watchHistories = await runHistories(env.client, watchWorkflowId(workflowId));
    const watchRuns = watchHistories.map((h) => h.events?.length ?? 0);
    const steps = stepTimes(watchHistories);
    const growth = workflowTaskGrowth(watchHistories);
    const cutoverEvents = (await handle.fetchHistory()).events?.length ?? 0;
    const wallMs = watchedAt - startedAt;
    const maxEvents = Math.max(cutoverEvents, ...watchRuns);
    const watchRequests = timeline.requests.filter((r) => r.startMs >= decidedAt);
    const profile = profileWatchReads(watchRequests);
    const readsWallMs = watchedAt - decidedAt;

    const metrics: Record<string, number> = {
      wallMs: Math.round(wallMs),
      toDebriefMs: Math.round(decidedAt - startedAt),
      watchMs: Math.round(readsWallMs),
      cutoverCompletedMs: Math.round(finishedAt - startedAt),
      watchReads: watch.reads,
      watchRuns: watchRuns.length,
      maxEventsPerRun: maxEvents,
      cutoverEvents,
      maxWatchRunEvents: Math.max(...watchRuns),
      minWatchRunEvents: Math.min(...watchRuns),
      perReadWallMs: rounded(readsWallMs / Math.max(1, watch.reads)),
      readPaycaMedianMs: profile.paycaMs.median,
      readPaycaP95Ms: profile.paycaMs.p95,
      readPaycaTotalMs: Math.round(profile.paycaMs.total),
      betweenReadsMedianMs: profile.betweenReadsMs.median,
      betweenReadsP95Ms: profile.betweenReadsMs.p95,
      betweenReadsTotalMs: Math.round(profile.betweenReadsMs.total),
      paycaRequestsDuringWatch: watchRequests.length,
      workflowTaskEarlyMedianMs: rounded(growth.earlyMs),
      workflowTaskLateMedianMs: rounded(growth.lateMs),
      workerProcessCpuShareDuringWatch: rounded((watchCpu.user + watchCpu.system) / 1_000 / (watchedAt - decidedAt)),
      ...(serverCpu !== undefined ? { serverCpuShareDuringWatch: rounded(serverCpu / (watchedAt - decidedAt)) } : {}),
      watchStepsRealMs: Math.round(steps.realMs),
      watchSkips: steps.skips,
      watchSkipsResidualMs: Math.round(readsWallMs - steps.realMs),
    };
    const goalMet = !short && wallMs < GOAL_WALL_MS && maxEvents <= GOAL_EVENTS_PER_RUN && final.phase === 'completed';
    return {
      name: 'whole-cutover',
      goal: `whole cutover T-24h to the end of the ${watchHours} h watch on the time-skipping server under 10 s; no run over 2,000 events`,
      metrics,
      baseline: { goalWallMs: GOAL_WALL_MS, goalEventsPerRun: GOAL_EVENTS_PER_RUN },
      ratio: rounded(wallMs / GOAL_WALL_MS),
      goalMet,
      notes: [
        `cutover ended ${final.phase}; watch ${watch.status} after ${watch.reads} reads in ${watchRuns.length} runs`,
        `events per run: cutover ${cutoverEvents}; watch runs ${watchRuns.join(', ')}`,
        `per watch read: PayCA answered in ${profile.paycaMs.median} ms (median), Temporal took ${profile.betweenReadsMs.median} ms between reads (median)`,
        `watch steps by real time (from its history): ${steps.steps
          .slice(0, 8)
          .map((s) => `${s.step} ${Math.round(s.totalMs)} ms/${s.count}`)
          .join('; ')}`,
        `time-skipping: ${steps.skips} skips; wall time not inside any step (skips, continue-as-new hand-over): ${Math.round(readsWallMs - steps.realMs)} ms`,
        ...(short ? ['short run: a 6 h watch, so the goal (a 48 h watch) is not judged'] : []),
      ],
    };
  } finally {
    workers?.shutdown();
    await running;
    await stack?.close();
    await env?.teardown();
  }
}

if (require.main === module) runStandalone(run);
