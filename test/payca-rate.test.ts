/**
 * CUTOVER_PAYCA_RATE is a rate of calls: two real `cutover worker` processes on the dev server, one cutover
 * seeding card records and two post-launch watches reading (one on the payca queue every second, one by
 * local activity every ten seconds), counted where it matters, at the PayCA simulator. The simulator's own
 * limit sits a little above the rate, so a worker going over it would also be answered 429.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readSimulatorCounters } from '../src/dev/simulator-counters.js';
import type { CallRate } from '../src/simulator/call-rate.js';
import { cutoverWorkflow } from '../src/workflows/cutover.js';
import { CUTOVER_TASK_QUEUE, PAYCA_TASK_QUEUE, statusQuery } from '../src/workflows/messages.js';
import type { ChecklistItemState } from '../src/workflows/cutover-state.js';
import { watchStatusQuery, type WatchInput } from '../src/workflows/watch-protocol.js';
import { postLaunchWatchWorkflow } from '../src/workflows/post-launch-watch.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';
import { planFor } from './helpers/plans.js';
import { freshWorkflowId, startDevServer } from './helpers/temporal.js';
import { startWorkerPool } from './helpers/worker-pool.js';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process.js';
import { note } from './helpers/suite-logs.js';

const RATE = 8;
/** About eight seconds of seeding at the rate, on top of the other readiness checks' calls. */
const RECORDS = 60;
const MINUTE = 60_000;

interface Load {
  cutover: WorkflowHandle<typeof cutoverWorkflow>;
  watches: WorkflowHandle<typeof postLaunchWatchWorkflow>[];
}

describe('PayCA calls per second across two worker processes', function () {
  this.timeout(300_000);
  let env: TestWorkflowEnvironment;
  let stack: PaycaStack;
  let dir: string;
  const processes: WorkerProcess[] = [];
  const started: WorkflowHandle[] = [];

  before(async () => {
    [env, stack] = await Promise.all([startDevServer(), startPaycaStack({ rateLimit: { perSecond: RATE + 2, burst: RATE + 2 } })]);
    dir = await mkdtemp(join(tmpdir(), 'cutover-payca-rate-'));
  });

  afterEach(async () => {
    await Promise.allSettled(started.splice(0).map((handle) => handle.terminate('test done')));
    await Promise.allSettled(processes.splice(0).map((worker) => worker.kill()));
  });

  after(async () => {
    await stack?.close();
    await env?.teardown();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function payCaPollers(): Promise<Set<string>> {
    const described = await env.client.workflowService.describeTaskQueue({
      namespace: env.namespace ?? 'default',
      taskQueue: { name: PAYCA_TASK_QUEUE },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return new Set((described.pollers ?? []).map((p) => p.identity ?? ''));
  }

  /** A seeding cutover and two watches reporting to it, started together. */
  async function startLoad(label: string): Promise<Load> {
    const csv = join(dir, `${label}.csv`);
    const rows = Array.from({ length: RECORDS }, (_, i) => `${label}-${String(i).padStart(3, '0')},Holder ${i},acc_gbp_main,GBP`);
    await writeFile(csv, ['externalRef,holderName,accountId,currency', ...rows].join('\n') + '\n');
    const plan = planFor(stack, { programme: `Rate ${label}`, readiness: { seedCards: { csv, dryRunSample: 1 } } });
    const cutover = await env.client.workflow.start(cutoverWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: freshWorkflowId(`rate-${label}`),
      // Far ahead: the readiness checks, seeding among them, are all that runs.
      args: [{ plan, goLive: new Date(Date.now() + 25 * 60 * MINUTE).toISOString(), timeScale: 1, startedBy: 'lara' }],
    });
    started.push(cutover);
    // A 5-minute interval read every second (300×, on the payca queue) and every ten seconds (30×, locally).
    const watches = await Promise.all([300, 30].map((timeScale) => startWatch(plan, cutover.workflowId, timeScale)));
    return { cutover, watches };
  }

  async function startWatch(plan: CutoverPlan, cutoverWorkflowId: string, timeScale: number) {
    const nowMs = Date.now();
    const input: WatchInput = {
      cutoverWorkflowId,
      programme: plan.programme,
      postLaunch: plan.postLaunch,
      paycaBaseUrl: plan.payca.production.baseUrl,
      paycaRetryBudgetMs: plan.paycaRetryBudgetMs,
      analysts: ['ana'],
      timeScale,
      anchorMs: nowMs,
      startPlanMs: nowMs,
      goLive: new Date(nowMs).toISOString(),
      endsPlanMs: nowMs + 3 * 60 * MINUTE,
    };
    const handle = await env.client.workflow.start(postLaunchWatchWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: freshWorkflowId(`rate-watch-${timeScale}x`),
      args: [input],
    });
    started.push(handle);
    return handle;
  }

  async function seeded(load: Load): Promise<ChecklistItemState> {
    const deadline = Date.now() + 3 * MINUTE;
    let item: ChecklistItemState | undefined;
    while (Date.now() < deadline) {
      item = (await load.cutover.query(statusQuery)).checklist.find((i) => i.id === 'seed-card-records');
      if (item?.status === 'done' || item?.status === 'failed') return item;
      await delay(500);
    }
    throw new Error(`seeding did not finish: ${JSON.stringify(item)}`);
  }

  const history = (rate: CallRate) => rate.callsPerSecond.map((s) => s.calls).join(' ');

  it('holds every second at PayCA to CUTOVER_PAYCA_RATE while two workers seed cards and watches read', async () => {
    for (let n = 0; n < 2; n++) {
      processes.push(
        startWorkerProcess({
          ...process.env,
          TEMPORAL_ADDRESS: env.address,
          TEMPORAL_NAMESPACE: env.namespace ?? 'default',
          PAYCA_PRODUCTION_CLIENT_ID: stack.credentials.production.clientId,
          PAYCA_PRODUCTION_CLIENT_SECRET: stack.credentials.production.clientSecret,
          PAYCA_SANDBOX_CLIENT_ID: stack.credentials.sandbox.clientId,
          PAYCA_SANDBOX_CLIENT_SECRET: stack.credentials.sandbox.clientSecret,
          CUTOVER_PAYCA_RATE: String(RATE),
          CUTOVER_NOTIFY_URL: '',
        }),
      );
    }
    for (let attempt = 0; (await payCaPollers()).size < 2; attempt++) {
      assert.ok(attempt < 120, `both workers poll the payca queue: ${processes.map((p) => p.output()).join('\n')}`);
      await delay(250);
    }
    await stack.reset();

    const load = await startLoad('limited');
    const item = await seeded(load);
    assert.equal(item.status, 'done', JSON.stringify(item.problems));
    const reads = await Promise.all(load.watches.map((w) => w.query(watchStatusQuery).then((s) => s.reads)));
    const { callRate } = await readSimulatorCounters(stack.production.url);
    note(
      `      ${callRate.calls} calls, busiest second ${callRate.maxCallsInOneSecond}, watch reads ${reads.join(' and ')}; per second: ${history(callRate)}`,
    );

    assert.ok(callRate.calls >= RECORDS + 10, `the load reached PayCA: ${callRate.calls} calls`);
    assert.ok(
      reads.every((r) => r >= 1),
      `both watches read while the cards were seeded: ${reads.join(', ')}`,
    );
    assert.ok(
      callRate.maxCallsInOneSecond <= RATE,
      `at most ${RATE} calls in any one second at PayCA; the busiest had ${callRate.maxCallsInOneSecond}`,
    );
    assert.equal(callRate.rateLimited, 0, 'PayCA never answered 429');
    for (const worker of processes) assert.match(worker.output(), /PayCA rate: 2 worker\(s\) poll the task queues/, worker.output());
  });

  it('goes over the rate with the same load and workers without the call limiter (the control)', async () => {
    const pool = await startWorkerPool({
      address: env.address,
      namespace: env.namespace ?? 'default',
      client: env.client,
      identities: [`rate-control-a@${process.pid}`, `rate-control-b@${process.pid}`],
      paycaActivitiesPerSecond: RATE,
      simulators: stack,
      limitPaycaCalls: false,
    });
    try {
      await stack.reset();
      const load = await startLoad('unlimited');
      await seeded(load);
      const { callRate } = await readSimulatorCounters(stack.production.url);
      note(
        `      ${callRate.calls} calls, busiest second ${callRate.maxCallsInOneSecond}, ${callRate.rateLimited} answered 429; per second: ${history(callRate)}`,
      );
      assert.ok(callRate.maxCallsInOneSecond > RATE, `the busiest second had ${callRate.maxCallsInOneSecond} calls`);
    } finally {
      await Promise.allSettled(started.splice(0).map((handle) => handle.terminate('test done')));
      await pool.stop();
    }
  });
});
