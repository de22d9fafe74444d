import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cutoverWorkflow } from '../src/workflows/cutover.js';
import { abortUpdate, CUTOVER_TASK_QUEUE, statusQuery } from '../src/workflows/messages.js';
import type { ChecklistItemState } from '../src/workflows/cutover-state.js';
import { simulatorWorkerEnv, startWorkerProcess, type WorkerProcess } from './helpers/worker-process.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';
import { planFor } from './helpers/plans.js';
import { freshWorkflowId, startDevServer } from './helpers/temporal.js';

/** Enough that one range takes seconds at the worker's default rate, so the kill lands inside it. */
const RECORDS = 120;

describe('card-record seeding across a worker crash', function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let stack: PaycaStack;
  let dir: string;
  const workers: WorkerProcess[] = [];

  before(async () => {
    [env, stack] = await Promise.all([startDevServer(), startPaycaStack()]);
    dir = await mkdtemp(join(tmpdir(), 'cutover-seed-crash-'));
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.kill()));
    await stack?.close();
    await env?.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  /** A real `cutover worker` process, as an operator runs it, with the simulators' credentials. */
  function startWorker(): WorkerProcess {
    const worker = startWorkerProcess(simulatorWorkerEnv(env.address, stack));
    workers.push(worker);
    return worker;
  }

  it('issues every record exactly once when the worker is killed mid-batch and another takes over', async () => {
    const csv = join(dir, 'cards.csv');
    const rows = Array.from({ length: RECORDS }, (_, i) => `CRASH-${String(i).padStart(3, '0')},Holder ${i},acc_gbp_main,GBP`);
    await writeFile(csv, ['externalRef,holderName,accountId,currency', ...rows].join('\n') + '\n');
    // Slow answers stretch the batch over seconds, so the kill lands in the middle of it.
    await stack.admin('faults', 'POST', { latencyMs: 150 });

    const handle = await env.client.workflow.start(cutoverWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: freshWorkflowId('seed-crash'),
      args: [
        {
          plan: planFor(stack, { readiness: { seedCards: { csv, dryRunSample: 1 } } }),
          goLive: new Date(Date.now() + 25 * 3_600_000).toISOString(),
          timeScale: 1,
          startedBy: 'lara',
        },
      ],
    });
    const seedItem = async (): Promise<ChecklistItemState | undefined> =>
      (await handle.query(statusQuery)).checklist.find((i) => i.id === 'seed-card-records');

    const first = startWorker();
    // Progress in status moves a range at a time; the simulator's counters show the kill lands mid-range.
    let issued = 0;
    for (let i = 0; i < 600 && issued < 40; i++) {
      await delay(100);
      issued = (await stack.counters()).cardsIssued;
    }
    assert.ok(issued >= 40 && issued < RECORDS, `killed mid-range, at ${issued} of ${RECORDS}`);
    await first.kill();

    startWorker();
    let item: ChecklistItemState | undefined;
    for (let i = 0; i < 600; i++) {
      item = await seedItem().catch(() => undefined);
      if (item?.status === 'done' || item?.status === 'failed') break;
      await delay(200);
    }
    assert.equal(item?.status, 'done', item?.problems.join('; '));
    const evidence = item?.evidence as { seeded: number; issued: number; found: number; replayed: number };
    assert.equal(evidence.seeded, RECORDS);
    assert.equal(evidence.issued + evidence.found + evidence.replayed, RECORDS, JSON.stringify(evidence));
    const state = (await stack.admin('state')) as { cards: { externalRef: string; status: string }[] };
    const open = state.cards.filter((c) => c.externalRef.startsWith('CRASH-') && c.status === 'active');
    assert.equal(new Set(open.map((c) => c.externalRef)).size, RECORDS, 'one open card per record');
    assert.equal(open.length, RECORDS, 'one card per record');

    const counters = await stack.counters();
    assert.equal(counters.cardsIssued, RECORDS + 1, 'each record issued once, plus the one dry-run card');
    assert.equal(counters.cardsClosed, 1);
    await stack.admin('faults', 'DELETE');
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });
});
