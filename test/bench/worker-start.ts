/**
 * Benchmark 3: worker start, from spawning a real `cutover worker` process to its first workflow task.
 * A cutover is started before the worker, so its first workflow task is already waiting; the interval ends
 * at that task's WorkflowTaskStarted event (the server's timestamp of the poll that picked it up; client
 * and server share this machine's clock). Measured with the prebuilt bundle `npm run build` writes and with
 * CUTOVER_BUNDLE_AT_START=1, which bundles the workflow code as the worker starts, alternating in one run
 * with a minimal SDK-only worker process on the same bundle, which shows how much of the start is the SDK's.
 */
import { spawn } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startCutover } from '../../src/operations/cutover-workflow.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { startPaycaStack, type PaycaStack } from '../helpers/payca-stack.js';
import { planFor } from '../helpers/plans.js';
import { freshWorkflowId, startDevServer } from '../helpers/temporal.js';
import { eventTimeMs } from './history-times.js';
import { median, round } from './stats.js';
import type { Benchmark, BenchOptions, BenchResult } from './types.js';

export type Mode = 'prebuilt' | 'bundle-at-start' | 'sdk-minimal';

/** Issue 16: the prebuilt worker's start to first task within 1.15× of the SDK-only process, same run. */
export const GOAL_RATIO = 1.15;

const MINIMAL_WORKER = require.resolve('./minimal-worker.js');

export interface StartSample {
  /** Spawn → the worker's "polling" line on stdout. */
  readyLineMs: number;
  /** Spawn → the first workflow task started. */
  firstTaskMs: number;
}

async function startOnce(env: TestWorkflowEnvironment, stack: PaycaStack, mode: Mode): Promise<StartSample> {
  const workflowId = freshWorkflowId(`bench-worker-start-${mode}`);
  const handle = await startCutover(env.client, {
    plan: planFor(stack, { programme: 'Bench Worker Start' }),
    planFile: 'bench.yaml',
    goLive: new Date(Date.now() + 25 * 3_600_000),
    timeScale: 1,
    startedBy: 'lara',
    workflowId,
  });
  const spawnedMs = Date.now();
  const args = mode === 'sdk-minimal' ? [MINIMAL_WORKER] : [CLI, 'worker'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      CUTOVER_BUNDLE_AT_START: mode === 'bundle-at-start' ? '1' : '',
      PAYCA_PRODUCTION_CLIENT_ID: stack.credentials.production.clientId,
      PAYCA_PRODUCTION_CLIENT_SECRET: stack.credentials.production.clientSecret,
      PAYCA_SANDBOX_CLIENT_ID: stack.credentials.sandbox.clientId,
      PAYCA_SANDBOX_CLIENT_SECRET: stack.credentials.sandbox.clientSecret,
    },
  });
  let readyLineMs = Number.NaN;
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (Number.isNaN(readyLineMs) && / worker polling/.test(output)) readyLineMs = Date.now() - spawnedMs;
  });
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    for (let poll = 0; poll < 600; poll++) {
      const events = (await handle.fetchHistory()).events ?? [];
      const started = events.find((e) => e.workflowTaskStartedEventAttributes);
      if (started) {
        // The worker polls for workflow tasks before its activity workers exist; it says it polls once they do.
        for (let wait = 0; Number.isNaN(readyLineMs) && wait < 600; wait++) {
          if (child.exitCode !== null) throw new Error(`the worker exited ${child.exitCode} before it was ready:\n${output}`);
          await delay(50);
        }
        if (Number.isNaN(readyLineMs)) throw new Error(`the worker took a task but never said it polls:\n${output}`);
        return { readyLineMs, firstTaskMs: eventTimeMs(started) - spawnedMs };
      }
      if (child.exitCode !== null) throw new Error(`the worker exited ${child.exitCode} before its first task:\n${output}`);
      await delay(50);
    }
    throw new Error(`the worker took no task within 30 s:\n${output}`);
  } finally {
    child.kill('SIGTERM');
    await exited;
    // The worker is gone, so the cutover cannot answer an abort; it only had to be picked up.
    await handle.terminate('worker start measured');
  }
}

/** The medians of one run's samples; the goal is judged on the ratio of the two medians. */
export function workerStartResult(samples: Record<Mode, StartSample[]>): BenchResult {
  const firstTask = (mode: Mode) => samples[mode].map((s) => s.firstTaskMs);
  const prebuilt = median(firstTask('prebuilt'));
  const sdkOnly = median(firstTask('sdk-minimal'));
  const ratio = prebuilt / sdkOnly;
  // Each prebuilt sample against the SDK-only one taken right after it: less swayed by a load that changes.
  const paired = samples.prebuilt.flatMap((s, i) => {
    const next = samples['sdk-minimal'][i];
    return next ? [s.firstTaskMs / next.firstTaskMs] : [];
  });
  return {
    name: 'worker start',
    goal: `prebuilt \`cutover worker\`: process start to first task within ${GOAL_RATIO}× of the SDK-only process (same run)`,
    metrics: {
      prebuiltMedianMs: round(prebuilt, 0),
      prebuiltMaxMs: round(Math.max(...firstTask('prebuilt')), 0),
      prebuiltPollingLineMedianMs: round(median(samples.prebuilt.map((s) => s.readyLineMs)), 0),
      pairedRatioMedian: round(median(paired), 3),
      samples: samples.prebuilt.length,
    },
    baseline: {
      sdkMinimalMedianMs: round(sdkOnly, 0),
      bundleAtStartMedianMs: round(median(firstTask('bundle-at-start')), 0),
      bundleAtStartPollingLineMedianMs: round(median(samples['bundle-at-start'].map((s) => s.readyLineMs)), 0),
    },
    ratio: round(ratio, 3),
    goalMet: ratio <= GOAL_RATIO,
    notes:
      'median of alternating samples; spawn of `cutover worker` to the first WorkflowTaskStarted event of a cutover started beforehand; ratio: prebuilt median / sdkMinimal median; sdkMinimal: a process that only connects and runs one workflow worker on the same bundle, the floor the SDK sets on this machine',
  };
}

export const workerStartBenchmark: Benchmark = {
  name: 'worker-start',
  async run({ short, log }: BenchOptions): Promise<BenchResult[]> {
    const samplesPerMode = short ? 1 : 5;
    const [env, stack] = await Promise.all([startDevServer(), startPaycaStack()]);
    const samples: Record<Mode, StartSample[]> = { prebuilt: [], 'bundle-at-start': [], 'sdk-minimal': [] };
    try {
      for (let n = 0; n < samplesPerMode; n++) {
        for (const mode of ['prebuilt', 'sdk-minimal', 'bundle-at-start'] as const) {
          const sample = await startOnce(env, stack, mode);
          samples[mode].push(sample);
          log(`  ${mode}: first task after ${Math.round(sample.firstTaskMs)} ms (polling line after ${Math.round(sample.readyLineMs)} ms)`);
        }
      }
    } finally {
      await stack.close();
      await env.teardown();
    }
    return [workerStartResult(samples)];
  },
};
