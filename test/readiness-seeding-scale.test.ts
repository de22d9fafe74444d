import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCutoverWorkers, type CutoverWorkers } from '../src/worker/create-workers.js';
import { cutoverWorkflow } from '../src/workflows/cutover.js';
import { abortUpdate, CUTOVER_TASK_QUEUE, statusQuery } from '../src/workflows/messages.js';
import type { ChecklistItemState } from '../src/workflows/cutover-state.js';
import { MAX_SEED_RANGES, seedRanges } from '../src/workflows/readiness-checks.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';
import { planFor, RELAXED_READINESS } from './helpers/plans.js';
import { freshWorkflowId, startDevServer } from './helpers/temporal.js';
import { note } from './helpers/suite-logs.js';

/** More records than the per-record design could seed: it took about five events per record. */
const RECORDS = 3_000;
/** The whole cutover, readiness and seeding included, whatever the number of records. */
const MAX_CUTOVER_EVENTS = 600;
const RATE = 200;

describe('seeding card records at scale', function () {
  this.timeout(600_000);
  let env: TestWorkflowEnvironment;
  let stack: PaycaStack;
  let workers: CutoverWorkers | undefined;
  let running: Promise<void> | undefined;
  let dir: string;

  before(async () => {
    [env, stack] = await Promise.all([startDevServer(), startPaycaStack({ rateLimit: { perSecond: RATE * 2, burst: RATE * 2 } })]);
    workers = await createCutoverWorkers({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      temporalClient: env.client,
      paycaCredentials: stack.credentials,
      paycaActivitiesPerSecond: RATE,
      notifyWrite: () => undefined,
    });
    running = workers.run();
    dir = await mkdtemp(join(tmpdir(), 'cutover-seed-scale-'));
  });
  after(async () => {
    workers?.shutdown();
    await running;
    await stack?.close();
    await env?.teardown();
    await rm(dir, { recursive: true, force: true });
  });

  it('widens the ranges instead of adding more once a file passes the range cap', () => {
    assert.equal(seedRanges(RECORDS).length, 6);
    assert.equal(seedRanges(100_000).length, MAX_SEED_RANGES);
    assert.equal(seedRanges(1_000_000).length, MAX_SEED_RANGES);
    assert.deepEqual(
      seedRanges(1_001).map((r) => [r.from, r.to]),
      [
        [0, 500],
        [500, 1_000],
        [1_000, 1_001],
      ],
    );
  });

  it('seeds 3,000 records once each in a history of constant size, and the abort closes every one', async () => {
    const csv = join(dir, 'cards.csv');
    const rows = Array.from({ length: RECORDS }, (_, i) => `SCALE-${String(i).padStart(5, '0')},Holder ${i},acc_gbp_main,GBP`);
    await writeFile(csv, ['externalRef,holderName,accountId,currency', ...rows].join('\n') + '\n');

    const handle = await env.client.workflow.start(cutoverWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: freshWorkflowId('seed-scale'),
      args: [
        {
          plan: planFor(stack, { readiness: { ...RELAXED_READINESS, seedCards: { csv, dryRunSample: 2 } } }),
          goLive: new Date(Date.now() + 25 * 3_600_000).toISOString(),
          timeScale: 1,
          startedBy: 'lara',
        },
      ],
    });
    const started = Date.now();
    let item: ChecklistItemState | undefined;
    let largestStatus = 0;
    let sawProgress = false;
    for (let i = 0; i < 1_200; i++) {
      const status = await handle.query(statusQuery).catch(() => undefined);
      if (status) largestStatus = Math.max(largestStatus, Buffer.byteLength(JSON.stringify(status)));
      item = status?.checklist.find((c) => c.id === 'seed-card-records');
      if (item?.progress && item.progress.done > 0 && item.progress.done < RECORDS) {
        sawProgress = true;
        assert.equal(item.progress.total, RECORDS);
        assert.ok((item.progress.perSecond ?? 0) > 0 && item.progress.expectedEnd, JSON.stringify(item.progress));
      }
      if (item?.status === 'done' || item?.status === 'failed') break;
      await delay(250);
    }
    const seconds = (Date.now() - started) / 1000;
    assert.equal(item?.status, 'done', item?.problems.join('; '));
    const evidence = item?.evidence as { seeded: number; issued: number; found: number; ranges: number };
    assert.deepEqual(
      { seeded: evidence.seeded, issued: evidence.issued, found: evidence.found },
      { seeded: RECORDS, issued: RECORDS, found: 0 },
    );
    assert.ok(sawProgress, 'status showed the seeding part-way');

    const counters = await stack.counters();
    assert.equal(counters.cardsIssued, RECORDS + 2, 'each record issued once, plus the two dry-run cards');
    const events = (await handle.fetchHistory()).events?.length ?? 0;
    assert.ok(events < MAX_CUTOVER_EVENTS, `the cutover's history holds ${events} events`);
    assert.ok(largestStatus < 16_384, `the largest status answer was ${largestStatus} bytes`);
    note(
      `      seeded ${RECORDS} in ${seconds.toFixed(1)} s (${(RECORDS / seconds).toFixed(0)}/s), ${events} events, status ≤ ${largestStatus} bytes`,
    );

    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    const result = await handle.result();
    assert.equal(result.compensations.find((c) => c.step === 'close-seeded-cards')?.status, 'done');
    const state = (await stack.admin('state')) as { cards: { externalRef: string; status: string }[] };
    const seeded = state.cards.filter((c) => c.externalRef.startsWith('SCALE-'));
    assert.equal(seeded.length, RECORDS + 2);
    assert.deepEqual(
      seeded.filter((c) => c.status !== 'closed').map((c) => c.externalRef),
      [],
      'every seeded card is closed',
    );
    assert.equal((await stack.counters()).cardsClosed, RECORDS + 2);
  });
});
