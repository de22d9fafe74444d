import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { renderStatus } from '../src/client/format/status.js';
import { cutoverSections } from '../src/room/pages.js';
import { WORKFLOW_BUNDLE_PATH } from '../src/worker/paths.js';
import { cutoverWorkflow } from '../src/workflows/cutover.js';
import type { ChecklistItemState, CutoverStatus } from '../src/workflows/cutover-state.js';
import { CUTOVER_TASK_QUEUE, statusQuery } from '../src/workflows/messages.js';
import { SEED_RANGES_PER_WORKER, SEEDING_TASK_QUEUE } from '../src/workflows/seed-ranges.js';
import { profileRanges } from './bench/seeding-at-scale.js';
import { activityCompletedAtMs, eventTimeMs, scheduledActivities, type HistoryEvent } from './bench/history-times.js';
import { simulatorWorkerEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';
import { planFor, RELAXED_READINESS } from './helpers/plans.js';
import { note } from './helpers/suite-logs.js';
import { freshWorkflowId, startDevServer } from './helpers/temporal.js';
import { startWorkerPool, type WorkerPool } from './helpers/worker-pool.js';

/** A few seconds of seeding at the rate: enough ranges for both workers to hand over several times. */
const RECORDS = 2_000;
/** CUTOVER_PAYCA_RATE across the workers; the simulator allows twice that, so no call is refused. */
const RATE = 200;

async function writeSeedCsv(path: string, prefix: string): Promise<void> {
  const rows = Array.from({ length: RECORDS }, (_, i) => `${prefix}-${String(i).padStart(5, '0')},Holder ${i},acc_gbp_main,GBP`);
  await writeFile(path, ['externalRef,holderName,accountId,currency', ...rows].join('\n') + '\n');
}

function startSeeding(client: Client, stack: PaycaStack, csv: string, id: string): Promise<WorkflowHandle<typeof cutoverWorkflow>> {
  return client.workflow.start(cutoverWorkflow, {
    taskQueue: CUTOVER_TASK_QUEUE,
    workflowId: freshWorkflowId(id),
    args: [
      {
        plan: planFor(stack, { readiness: { ...RELAXED_READINESS, seedCards: { csv, dryRunSample: 1 } } }),
        goLive: new Date(Date.now() + 25 * 3_600_000).toISOString(),
        timeScale: 1,
        startedBy: 'lara',
      },
    ],
  });
}

/** Until Temporal lists `count` pollers on the seeding queue, so every worker can take a range from the first. */
async function waitForSeedingPollers(client: Client, count: number): Promise<void> {
  for (let i = 0; i < 240; i++) {
    const described = await client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: SEEDING_TASK_QUEUE, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    if ((described.pollers ?? []).length >= count) return;
    await delay(250);
  }
  throw new Error(`fewer than ${count} workers poll ${SEEDING_TASK_QUEUE}`);
}

async function seedItem(handle: WorkflowHandle): Promise<{ status?: CutoverStatus; item?: ChecklistItemState }> {
  const status = await handle.query(statusQuery).catch(() => undefined);
  return { status, item: status?.checklist.find((i) => i.id === 'seed-card-records') };
}

/** Each range activity's worker and the span it ran, per attempt that completed it. */
function rangeSpans(
  events: readonly HistoryEvent[],
): { identity: string; attempt: number; startMs: number; endMs: number; queue: string }[] {
  return scheduledActivities(events, 'seedCardRange').map((scheduled) => {
    const id = Number(scheduled.eventId);
    const started = events.find((e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId ?? -1) === id);
    return {
      identity: started?.activityTaskStartedEventAttributes?.identity ?? '',
      attempt: started?.activityTaskStartedEventAttributes?.attempt ?? 0,
      startMs: started ? eventTimeMs(started) : NaN,
      endMs: activityCompletedAtMs(events, id) ?? NaN,
      queue: scheduled.activityTaskScheduledEventAttributes?.taskQueue?.name ?? '',
    };
  });
}

/** The most ranges one worker ran at the same moment. */
function mostAtOnce(spans: readonly { identity: string; startMs: number; endMs: number }[]): number {
  let most = 0;
  for (const span of spans) {
    const overlapping = spans.filter((s) => s.identity === span.identity && s.startMs <= span.startMs && s.endMs > span.startMs).length;
    most = Math.max(most, overlapping);
  }
  return most;
}

describe('seeding with two workers', function () {
  this.timeout(300_000);
  let env: TestWorkflowEnvironment;
  let stack: PaycaStack;
  let pool: WorkerPool | undefined;
  let dir: string;

  before(async () => {
    [env, stack] = await Promise.all([startDevServer(), startPaycaStack({ rateLimit: { perSecond: RATE * 2, burst: RATE * 2 } })]);
    pool = await startWorkerPool({
      address: env.address,
      namespace: 'default',
      client: env.client,
      identities: ['seeding-worker-a', 'seeding-worker-b'],
      paycaActivitiesPerSecond: RATE,
      simulators: { production: stack.production, sandbox: stack.sandbox },
    });
    dir = await mkdtemp(join(tmpdir(), 'cutover-seed-two-'));
  });
  after(async () => {
    await pool?.stop();
    await stack?.close();
    await env?.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps both workers seeding until the end, two ranges each at most, and shows the progress in status, current details and the room', async () => {
    const csv = join(dir, 'cards.csv');
    await writeSeedCsv(csv, 'TWO');
    await waitForSeedingPollers(env.client, 2);
    const handle = await startSeeding(env.client, stack, csv, 'seed-two-workers');

    const shown = { status: false, details: false, room: false };
    let item: ChecklistItemState | undefined;
    for (let i = 0; i < 1_200; i++) {
      const read = await seedItem(handle);
      item = read.item;
      if (read.status && item?.status === 'checking' && item.progress && item.progress.done > 0 && item.progress.done < RECORDS) {
        const line = /seed-card-records: [\d,]+ of 2,000 records \(\d+ %\), [\d.]+ a second, expected end \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/;
        if (line.test(renderStatus({ status: read.status, executionStatus: 'RUNNING', approvers: {} }))) shown.status = true;
        const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
        if (line.test(metadata.currentDetails ?? '')) shown.details = true;
        const plan = planFor(stack);
        const viewer = { name: 'erin', roles: [], identity: { issuer: 'test', subject: 'erin', via: 'session' as const } };
        const sections = cutoverSections(
          {
            workflowId: handle.workflowId,
            plan,
            reading: { status: read.status, executionStatus: 'RUNNING', approvers: {} },
            viewer,
            awaited: { stages: [], items: [] },
          },
          {},
        );
        if (line.test(String(sections.summary)) && /class="progress">[\d,]+ of 2,000 records/.test(String(sections.checklist)))
          shown.room = true;
      }
      if (item?.status === 'done' || item?.status === 'failed') break;
      await delay(200);
    }
    assert.equal(item?.status, 'done', item?.problems.join('; '));
    assert.deepEqual(shown, { status: true, details: true, room: true }, 'the progress showed part-way in each place');

    await handle.terminate('measured');
    const history = await handle.fetchHistory();
    // The ranges, their queue and the progress shown in the details replay against the same code.
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH }, replayName: 'seeding-replay' },
      history,
      handle.workflowId,
    );
    const events = history.events ?? [];
    const spans = rangeSpans(events);
    assert.deepEqual([...new Set(spans.map((s) => s.queue))], [SEEDING_TASK_QUEUE]);
    assert.deepEqual([...new Set(spans.map((s) => s.identity))].sort(), ['seeding-worker-a', 'seeding-worker-b']);
    assert.ok(mostAtOnce(spans) <= SEED_RANGES_PER_WORKER, `a worker ran ${mostAtOnce(spans)} ranges at once`);
    const { firstMs, lastMs, profile } = profileRanges(events, 2);
    const wall = (lastMs - firstMs) / 1000;
    // A worker with no range leaves its share of the rate unused: only the hand-overs and the last range.
    assert.ok(profile.workerIdleSeconds <= 0.1 * wall, `a worker ran no range for ${profile.workerIdleSeconds} s of ${wall} s`);
    assert.equal((await stack.counters()).cardsIssued, RECORDS + 1, 'each record issued once, plus the dry-run card');
    note(
      `      ${RECORDS} records in ${wall.toFixed(1)} s over ${profile.ranges} ranges (${profile.rangesPerWorker.join('/')}), a worker idle ${profile.workerIdleSeconds} s, ${events.length} events`,
    );
  });
});

describe('seeding with two worker processes, one killed with SIGKILL', function () {
  this.timeout(300_000);
  let env: TestWorkflowEnvironment;
  let stack: PaycaStack;
  let dir: string;
  const workers: WorkerProcess[] = [];

  before(async () => {
    [env, stack] = await Promise.all([startDevServer(), startPaycaStack({ rateLimit: { perSecond: RATE * 2, burst: RATE * 2 } })]);
    dir = await mkdtemp(join(tmpdir(), 'cutover-seed-kill-'));
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await stack?.close();
    await env?.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  /** A real `cutover worker` process, as an operator runs it, sharing CUTOVER_PAYCA_RATE with the other. */
  function startWorker(): WorkerProcess {
    const worker = startWorkerProcess(simulatorWorkerEnv(env.address, stack, { CUTOVER_PAYCA_RATE: String(RATE) }));
    workers.push(worker);
    return worker;
  }

  it('issues every one of 2,000 records exactly once when one of two workers is killed mid-seeding', async () => {
    const csv = join(dir, 'cards.csv');
    await writeSeedCsv(csv, 'KILL');
    const [doomed] = [startWorker(), startWorker()];
    await waitForSeedingPollers(env.client, 2);
    const handle = await startSeeding(env.client, stack, csv, 'seed-kill');

    let issued = 0;
    for (let i = 0; i < 1_200 && issued < RECORDS * 0.3; i++) {
      await delay(100);
      issued = (await stack.counters()).cardsIssued;
    }
    assert.ok(issued >= RECORDS * 0.3 && issued < RECORDS * 0.8, `killed mid-seeding, at ${issued} of ${RECORDS}`);
    await doomed?.kill();
    const killedAt = Date.now();

    let item: ChecklistItemState | undefined;
    for (let i = 0; i < 1_200; i++) {
      item = (await seedItem(handle)).item;
      if (item?.status === 'done' || item?.status === 'failed') break;
      await delay(250);
    }
    assert.equal(item?.status, 'done', item?.problems.join('; '));
    const evidence = item?.evidence as { seeded: number; issued: number; found: number; replayed: number };
    assert.equal(evidence.seeded, RECORDS);
    assert.equal(evidence.issued + evidence.found + evidence.replayed, RECORDS, JSON.stringify(evidence));

    const spans = rangeSpans((await handle.fetchHistory()).events ?? []);
    assert.ok(
      spans.some((s) => s.attempt > 1),
      'a range the killed worker held was resumed by the other',
    );
    const state = (await stack.admin('state')) as { cards: { externalRef: string; status: string }[] };
    const open = state.cards.filter((c) => c.externalRef.startsWith('KILL-') && c.status === 'active');
    assert.equal(new Set(open.map((c) => c.externalRef)).size, RECORDS, 'an open card for every record');
    assert.equal(open.length, RECORDS, 'one open card per record');
    const counters = await stack.counters();
    assert.equal(counters.cardsIssued, RECORDS + 1, 'each record issued once, plus the dry-run card');
    note(
      `      killed at ${issued} issued; done ${((Date.now() - killedAt) / 1000).toFixed(1)} s later; issued ${evidence.issued}, found ${evidence.found}, replayed ${evidence.replayed}; ${spans.filter((s) => s.attempt > 1).length} ranges resumed`,
    );

    // Not aborted: closing 2,001 cards at the survivor's share would double the suite's time for nothing it tests.
    await handle.terminate('measured');
  });
});
