/**
 * Benchmark 2: the approval round trip on the dev server. Each sample is one approval that releases a
 * held stage, sent as the `approve` update `cutover approve` sends, and the next activity the cutover starts.
 * Times: the update call sent and returned on the client, and that activity's ActivityTaskStarted event
 * (the server's timestamp; client and server share this machine's clock). The next activity usually starts
 * a few milliseconds before the update's answer reaches the client (the server schedules it in the same
 * workflow task that completes the update), so "returned to started" is at or below zero and says little;
 * the headline is the whole round trip, from sending the approval to the next activity starting. Beside it,
 * a bare workflow that takes an update and then runs a trivial activity is measured the same way in the same run.
 *
 * Stages are due at once (go-live is two seconds away, so T-24h to T-1h are past and T has come by the
 * time they pass) and the plan gates each of the four stages before go-live on one role, so every cutover
 * gives four approvals that each release a stage whose successor starts work at once. Cutovers start in small batches and are approved one approval at a time.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, NativeConnection } from '@temporalio/worker';
import { startCutover } from '../../src/operations/cutover-workflow.js';
import { readStatus } from '../../src/operations/read-status.js';
import { CUTOVER_TASK_QUEUE, MESSAGES, PAYCA_TASK_QUEUE } from '../../src/workflows/messages.js';
import type { CutoverStatus } from '../../src/workflows/cutover-state.js';
import type { StageId } from '../../src/runbook/stages.js';
import type { CutoverPlan } from '../../src/plan/schema.js';
import { startPaycaStack, type PaycaStack } from '../helpers/payca-stack.js';
import { planFor } from '../helpers/plans.js';
import { freshWorkflowId, startDevServer } from '../helpers/temporal.js';
import { startWorkerPool } from '../helpers/worker-pool.js';
import { activityStartedAtMs, eventTimeMs, type HistoryEvent } from './history-times.js';
import { percentile, round } from './stats.js';
import type { Benchmark, BenchOptions, BenchResult } from './types.js';
import { bareUpdateWorkflow, pokeUpdate, roundsDoneQuery } from './workflows/bare-update.js';

const GATED_STAGES: StageId[] = ['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test'];
const GATES = {
  'config-diff': 'ops',
  'funding-check': 'treasury',
  'disable-sandbox-jobs': 'engineering',
  'webhook-smoke-test': 'devops',
} as const;
const CUTOVERS_PER_BATCH = 10;
const BARE_TASK_QUEUE = 'bench-bare-update';
/** The bare control's other queue: its activity dispatched through matching, like a PayCA call. */
const BARE_ACTIVITY_QUEUE = 'bench-bare-activities';

export interface Sample {
  workflowId: string;
  updateId: string;
  sentMs: number;
  returnedMs: number;
}

export interface Timings {
  /** Update call returned → next activity started. */
  returnToActivityMs: number[];
  /** Update call sent → next activity started. */
  sendToActivityMs: number[];
  /** Update call sent → returned. */
  updateMs: number[];
  /** The worker's time on the workflow task that ran the update. */
  workflowTaskMs: number[];
  /** Update call sent → that workflow task started: the server's way in. */
  sentToTaskMs: number[];
  /** That workflow task completed → next activity started: the server's way out. */
  taskToActivityMs: number[];
  /** The task queue the next activity ran on. */
  nextQueue: string[];
}

/** The figures reported for the cutover's approvals and, alike, for the bare baseline. */
export function roundTripFigures(timings: Timings): Record<string, number> {
  return {
    p50Ms: round(percentile(timings.sendToActivityMs, 50)),
    p99Ms: round(percentile(timings.sendToActivityMs, 99)),
    returnedToStartedP50Ms: round(percentile(timings.returnToActivityMs, 50)),
    returnedToStartedP99Ms: round(percentile(timings.returnToActivityMs, 99)),
    updateP50Ms: round(percentile(timings.updateMs, 50)),
    workflowTaskP50Ms: round(percentile(timings.workflowTaskMs, 50)),
    sentToTaskP50Ms: round(percentile(timings.sentToTaskMs, 50)),
    taskToActivityP50Ms: round(percentile(timings.taskToActivityMs, 50)),
  };
}

interface UpdateInHistory {
  /** The next activity's start after the update completed; undefined while it has not started. */
  nextActivityStartedMs?: number;
  /** WorkflowTaskStarted to WorkflowTaskCompleted of the task that ran the update: the worker's share. */
  workflowTaskMs: number;
  taskStartedMs: number;
  taskCompletedMs: number;
  nextQueue: string;
}

function updateInHistory(events: readonly HistoryEvent[], updateId: string): UpdateInHistory | undefined {
  const index = events.findIndex((e) => e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId === updateId);
  if (index < 0) return undefined;
  const completed = events[index] as HistoryEvent;
  const before = events.slice(0, index).reverse();
  const taskCompleted = before.find((e) => e.workflowTaskCompletedEventAttributes);
  const taskStarted = before.find((e) => e.workflowTaskStartedEventAttributes);
  const next = events.find((e) => Number(e.eventId) > Number(completed.eventId) && e.activityTaskScheduledEventAttributes);
  return {
    nextActivityStartedMs: next ? activityStartedAtMs(events, Number(next.eventId)) : undefined,
    workflowTaskMs: taskCompleted && taskStarted ? eventTimeMs(taskCompleted) - eventTimeMs(taskStarted) : Number.NaN,
    taskStartedMs: taskStarted ? eventTimeMs(taskStarted) : Number.NaN,
    taskCompletedMs: taskCompleted ? eventTimeMs(taskCompleted) : Number.NaN,
    nextQueue: next?.activityTaskScheduledEventAttributes?.taskQueue?.name ?? '',
  };
}

/** Matches each sample to its update in history and to the first activity scheduled after it completed. */
export async function timingsOf(client: Client, samples: readonly Sample[]): Promise<Timings> {
  const timings: Timings = {
    returnToActivityMs: [],
    sendToActivityMs: [],
    updateMs: [],
    workflowTaskMs: [],
    sentToTaskMs: [],
    taskToActivityMs: [],
    nextQueue: [],
  };
  const histories = new Map<string, HistoryEvent[]>();
  for (const sample of samples) {
    let found: UpdateInHistory | undefined;
    // The last sample's activity may still be on its way when the history is first read.
    for (let read = 0; read < 100 && found?.nextActivityStartedMs === undefined; read++) {
      let events = histories.get(sample.workflowId);
      if (!events || read > 0) {
        if (read > 0) await delay(100);
        events = (await client.workflow.getHandle(sample.workflowId).fetchHistory()).events ?? [];
        histories.set(sample.workflowId, events);
      }
      found = updateInHistory(events, sample.updateId);
    }
    const startedMs = found?.nextActivityStartedMs;
    if (found === undefined || startedMs === undefined)
      throw new Error(`no activity started after update ${sample.updateId} in ${sample.workflowId}`);
    timings.returnToActivityMs.push(startedMs - sample.returnedMs);
    timings.sendToActivityMs.push(startedMs - sample.sentMs);
    timings.updateMs.push(sample.returnedMs - sample.sentMs);
    timings.workflowTaskMs.push(found.workflowTaskMs);
    timings.sentToTaskMs.push(found.taskStartedMs - sample.sentMs);
    timings.taskToActivityMs.push(startedMs - found.taskCompletedMs);
    timings.nextQueue.push(found.nextQueue);
  }
  return timings;
}

export async function measureBare(
  env: Pick<TestWorkflowEnvironment, 'address' | 'client'>,
  rounds: number,
  activityQueue?: string,
): Promise<Sample[]> {
  const connection = await NativeConnection.connect({ address: env.address });
  const activities = { touch: async (round: number) => round };
  const worker = await Worker.create({
    connection,
    taskQueue: BARE_TASK_QUEUE,
    workflowsPath: require.resolve('./workflows/bare-update.js'),
    activities,
  });
  const activityWorker = activityQueue ? await Worker.create({ connection, taskQueue: activityQueue, activities }) : undefined;
  const activitiesRunning = activityWorker?.run();
  const samples: Sample[] = [];
  try {
    await worker.runUntil(async () => {
      const workflowId = freshWorkflowId('bench-bare-update');
      const args: [number, string?] = activityQueue ? [rounds, activityQueue] : [rounds];
      const handle = await env.client.workflow.start(bareUpdateWorkflow, { taskQueue: BARE_TASK_QUEUE, workflowId, args });
      for (let round = 0; round < rounds; round++) {
        const updateId = randomUUID();
        const sentMs = Date.now();
        await handle.executeUpdate(pokeUpdate, { updateId });
        samples.push({ workflowId, updateId, sentMs, returnedMs: Date.now() });
        for (let poll = 0; poll < 1_000 && (await handle.query(roundsDoneQuery)) <= round; poll++) await delay(10);
      }
      await handle.result();
    });
  } finally {
    activityWorker?.shutdown();
    await activitiesRunning;
    await connection.close();
  }
  return samples;
}

/** The samples whose next activity ran on one task queue. */
function onQueue(timings: Timings, queue: string): number[] {
  return timings.sendToActivityMs.filter((_, i) => timings.nextQueue[i] === queue);
}

async function waitFor(client: Client, workflowId: string, what: string, done: (s: CutoverStatus) => boolean): Promise<CutoverStatus> {
  for (let poll = 0; poll < 1_200; poll++) {
    const status = await readStatus(client, workflowId);
    if (done(status)) return status;
    await delay(50);
  }
  throw new Error(`${workflowId} did not reach ${what} within a minute`);
}

export const settledAt = (stage: StageId) => (s: CutoverStatus) =>
  s.phase === 'holding' && s.currentStage === stage && !s.checklist.some((item) => item.status === 'checking');

/** The benchmark's plan: each stage before go-live gated on one role, so an approval releases it. */
export function approvalsPlan(stack: PaycaStack, programme = 'Bench Approvals'): CutoverPlan {
  return planFor(stack, {
    programme,
    stages: Object.fromEntries(GATED_STAGES.map((stage) => [stage, { gate: [GATES[stage as keyof typeof GATES]] }])),
  });
}

/** Sends the `approve` update `cutover approve` sends for a stage that holds for one role, as its first approver. */
export async function approveHeldStage(client: Client, plan: CutoverPlan, workflowId: string, stage: StageId): Promise<Sample> {
  const status = await readStatus(client, workflowId);
  const awaiting = status.stages.find((s) => s.id === stage)?.hold?.awaiting ?? [];
  if (awaiting.length !== 1) throw new Error(`${workflowId} ${stage} awaits ${awaiting.join(', ') || 'nobody'}, expected one role`);
  const by = plan.approvers[awaiting[0] as keyof typeof plan.approvers]?.[0] ?? '';
  const updateId = randomUUID();
  const sentMs = Date.now();
  await client.workflow.getHandle(workflowId).executeUpdate(MESSAGES.approve.update, { args: [{ stage, by }], updateId });
  return { workflowId, updateId, sentMs, returnedMs: Date.now() };
}

async function measureCutovers(
  env: TestWorkflowEnvironment,
  stack: PaycaStack,
  approvals: number,
  log: (line: string) => void,
): Promise<Sample[]> {
  const plan = approvalsPlan(stack);
  const cutovers = Math.ceil(approvals / GATED_STAGES.length);
  const samples: Sample[] = [];
  for (let first = 0; first < cutovers; first += CUTOVERS_PER_BATCH) {
    const goLive = new Date(Date.now() + 2_000);
    const ids = Array.from({ length: Math.min(CUTOVERS_PER_BATCH, cutovers - first) }, () => freshWorkflowId('bench-approvals'));
    await Promise.all(
      ids.map((workflowId) =>
        startCutover(env.client, { plan, planFile: 'bench.yaml', goLive, timeScale: 1, startedBy: 'lara', workflowId }),
      ),
    );
    // Readiness checks run beside the timeline; waiting them out keeps their activities out of the samples.
    for (const workflowId of ids) await waitFor(env.client, workflowId, 'the config-diff hold', settledAt('config-diff'));
    for (const workflowId of ids) {
      for (const [n, stage] of GATED_STAGES.entries()) {
        if (samples.length >= approvals) break;
        if (n > 0) await waitFor(env.client, workflowId, `the ${stage} hold`, settledAt(stage));
        // The last approval releases go-live's smoke tests only once T has come; before that a timer waits.
        if (n === GATED_STAGES.length - 1) await delay(Math.max(0, goLive.getTime() - Date.now() + 100));
        samples.push(await approveHeldStage(env.client, plan, workflowId, stage));
      }
    }
    log(`  ${samples.length} of ${approvals} approvals`);
  }
  return samples;
}

export const approvalRoundTripBenchmark: Benchmark = {
  name: 'approval-round-trip',
  async run({ short, log }: BenchOptions): Promise<BenchResult[]> {
    const approvals = short ? 8 : Number(process.env.BENCH_APPROVALS ?? 200);
    const [env, stack] = await Promise.all([startDevServer(), startPaycaStack({ rateLimit: { perSecond: 1_000, burst: 1_000 } })]);
    const pool = await startWorkerPool({
      address: env.address,
      namespace: 'default',
      client: env.client,
      identities: [`bench-approvals@${process.pid}`],
      paycaActivitiesPerSecond: 1_000,
      simulators: stack,
    });
    try {
      const bare = await timingsOf(env.client, await measureBare(env, approvals));
      log(`  bare update round trip: ${approvals} samples`);
      const bareOtherQueue = await timingsOf(env.client, await measureBare(env, approvals, BARE_ACTIVITY_QUEUE));
      log(`  bare update, activity on another queue: ${approvals} samples`);
      const cutover = await timingsOf(env.client, await measureCutovers(env, stack, approvals, log));
      const p50Ratio = percentile(cutover.sendToActivityMs, 50) / percentile(bare.sendToActivityMs, 50);
      const p99Ratio = percentile(cutover.sendToActivityMs, 99) / percentile(bare.sendToActivityMs, 99);
      // Which queue the next activity runs on splits the figure: the stage checks' PayCA calls go through matching.
      const byQueue = (queue: string, name: string) => {
        const times = onQueue(cutover, queue);
        return times.length > 0 ? { [`${name}P50Ms`]: round(percentile(times, 50)), [`${name}Approvals`]: times.length } : {};
      };
      return [
        {
          name: 'approval round trip',
          goal: 'p50 within 1.2× and p99 within 1.5× the bare update round trip',
          metrics: {
            ...roundTripFigures(cutover),
            p99Ratio: round(p99Ratio, 3),
            ...byQueue(CUTOVER_TASK_QUEUE, 'nextOnCutoverQueue'),
            ...byQueue(PAYCA_TASK_QUEUE, 'nextOnPaycaQueue'),
            approvals: cutover.sendToActivityMs.length,
          },
          baseline: {
            ...roundTripFigures(bare),
            updates: bare.sendToActivityMs.length,
            ...Object.fromEntries(
              Object.entries(roundTripFigures(bareOtherQueue)).map(([key, value]) => [
                `otherQueue${key.charAt(0).toUpperCase()}${key.slice(1)}`,
                value,
              ]),
            ),
          },
          ratio: round(p50Ratio, 3),
          goalMet: p50Ratio <= 1.2 && p99Ratio <= 1.5,
          notes:
            'p50/p99: approval sent (client clock) to the next ActivityTaskStarted event (server clock, same machine); returnedToStarted: from the update returning, at or below zero when the activity starts first; ' +
            'sentToTask, workflowTask, taskToActivity: the same interval in three parts (sent to the workflow task started, the task, its completion to the activity started); ' +
            "bare: an update then a trivial activity on the workflow's own queue (dispatched eagerly); otherQueue…: the same with the activity on another queue, as the cutover's PayCA calls are; " +
            'nextOnCutoverQueue/nextOnPaycaQueue: the approvals whose next activity ran on that queue',
        },
      ];
    } finally {
      await pool.stop();
      await stack.close();
      await env.teardown();
    }
  },
};
