import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { temporal } from '@temporalio/proto';
import type { CutoverListing } from '../src/client/commands/list.js';
import { startCutover } from '../src/operations/cutover-workflow.js';
import { startDevStack, type DevStack } from '../src/dev/stack.js';
import { readSimulatorCounters } from '../src/dev/simulator-counters.js';
import { CUTOVER_TASK_QUEUE, PAYCA_TASK_QUEUE } from '../src/workflows/messages.js';
import { activityStarts, busiestWindow, type ActivityStart } from './helpers/activity-starts.js';
import { launchBrowser, type HeadlessBrowser } from './helpers/browser.js';
import { requireTestTool } from './helpers/test-tools.js';
import { runCli } from './helpers/cli.js';
import { planFor } from './helpers/plans.js';
import { listedWorkflow, openWorkflowList } from './helpers/temporal-ui.js';
import { freshWorkflowId } from './helpers/temporal.js';
import { holdingAtGoLive, waitForStatus } from './helpers/wait-for-status.js';
import { startWorkerPool, type WorkerPool } from './helpers/worker-pool.js';
import { note } from './helpers/suite-logs.js';

/** Low enough that three cutovers' PayCA calls queue up behind it, so sharing it shows. */
const PAYCA_RATE = 4;

const REGIONS = [
  { region: 'uk', programme: 'Acme Prepaid UK', accountId: 'acc_gbp_main', currency: 'GBP' },
  { region: 'eu', programme: 'Acme Prepaid EU', accountId: 'acc_eur_main', currency: 'EUR' },
  { region: 'nordics', programme: 'Acme Prepaid Nordics', accountId: 'acc_eur_main', currency: 'EUR' },
] as const;

interface SimCard {
  id: string;
  externalRef: string;
  currency: string;
}

describe('many workers running many cutovers', function () {
  this.timeout(240_000);
  let dataDir: string;
  let stack: DevStack;
  let pool: WorkerPool;
  let browser: HeadlessBrowser;
  const identities = [`cutover-worker-a@${process.pid}`, `cutover-worker-b@${process.pid}`];
  const cutovers = REGIONS.map((r) => ({ ...r, workflowId: freshWorkflowId(`cutover-${r.region}`) }));
  let starts: ActivityStart[] = [];

  before(async function () {
    requireTestTool(this, 'chromium');
    browser = await launchBrowser();
    dataDir = await mkdtemp(join(tmpdir(), 'cutover-many-workers-'));
    stack = await startDevStack({
      dataDir,
      temporalPort: 0,
      uiPort: 0,
      productionSimPort: 0,
      sandboxSimPort: 0,
      receiverPort: 0,
      worker: false,
    });
    pool = await startWorkerPool({
      address: stack.temporal.address,
      namespace: stack.temporal.namespace,
      client: stack.client,
      identities,
      paycaActivitiesPerSecond: PAYCA_RATE,
      simulators: stack,
    });
    // Go-live an hour ahead at 720×: every stage up to go-live runs at once, all three cutovers together.
    const goLive = new Date(Date.now() + 3_600_000);
    await Promise.all(
      cutovers.map((c) =>
        startCutover(stack.client, {
          plan: planFor(stack, {
            programme: c.programme,
            smokeTest: { accountId: c.accountId, currency: c.currency, topUpAmount: 100 },
          }),
          planFile: `${c.region}.yaml`,
          goLive,
          timeScale: 720,
          startedBy: 'lara',
          workflowId: c.workflowId,
        }),
      ),
    );
    await Promise.all(cutovers.map((c) => waitForStatus(stack.client, c.workflowId, 'go-live holding', holdingAtGoLive, 150_000)));
    for (const c of cutovers) {
      starts = starts.concat(activityStarts(await stack.client.workflow.getHandle(c.workflowId).fetchHistory()));
    }
  });

  after(async () => {
    await browser?.close();
    await pool?.stop();
    await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  // Activities scheduled on the cutover queue may be handed eagerly to the worker whose (sticky) workflow task
  // scheduled them, so how they split there is the server's choice; both workers must still poll it. The payca
  // queue is only ever polled, so its calls are shared between the two.
  it('polls both task queues from both workers, and shares the PayCA calls of every cutover between them', async () => {
    for (const queue of [CUTOVER_TASK_QUEUE, PAYCA_TASK_QUEUE]) {
      const described = await stack.client.connection.workflowService.describeTaskQueue({
        namespace: stack.temporal.namespace,
        taskQueue: { name: queue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      });
      const polling = new Set((described.pollers ?? []).map((p) => p.identity ?? ''));
      assert.deepEqual(
        identities.filter((identity) => polling.has(identity)),
        identities,
        `${queue}: both workers poll it`,
      );
      const onQueue = starts.filter((s) => s.taskQueue === queue);
      const byWorker = identities.map((identity) => onQueue.filter((s) => s.identity === identity).length);
      assert.equal(
        byWorker.reduce((a, b) => a + b, 0),
        onQueue.length,
        `${queue}: every activity started by one of the pool`,
      );
      if (queue === PAYCA_TASK_QUEUE) {
        assert.ok(
          byWorker.every((n) => n > 0),
          `${queue} queue: activities started by ${identities.map((id, n) => `${id} ${byWorker[n]}`).join(', ')}`,
        );
      }
    }
  });

  it('holds PayCA calls of all cutovers together to the payca queue rate both workers declare', async () => {
    const described = await stack.client.connection.workflowService.describeTaskQueue({
      namespace: stack.temporal.namespace,
      taskQueue: { name: PAYCA_TASK_QUEUE },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    const pollers = (described.pollers ?? []).filter((p) => identities.includes(p.identity ?? ''));
    assert.deepEqual([...new Set(pollers.map((p) => p.identity))].sort(), [...identities].sort());
    for (const poller of pollers) assert.equal(poller.ratePerSecond, PAYCA_RATE, `${poller.identity} polls with its rate`);

    // The server's token bucket lets a burst of about two seconds' worth through at first, then hands tasks out
    // at the rate. Unlimited, three cutovers' PayCA calls would all start within two or three seconds.
    const payca = starts.filter((s) => s.taskQueue === PAYCA_TASK_QUEUE);
    const windowSeconds = 5;
    const allowed = PAYCA_RATE * windowSeconds + 2 * PAYCA_RATE;
    assert.ok(payca.length > allowed, `enough PayCA calls to press on the rate (${payca.length})`);
    const busiest = busiestWindow(payca, windowSeconds * 1_000);
    assert.ok(busiest <= allowed, `at most ${allowed} PayCA calls started in any ${windowSeconds} s; the busiest had ${busiest}`);
    const counters = await readSimulatorCounters(stack.production.url);
    assert.equal(counters.answersByCode.ErrRateLimited ?? 0, 0, 'PayCA never had to refuse a call');
  });

  it('issues exactly one smoke-test card per cutover, in its currency, and no duplicates', async () => {
    const res = await fetch(new URL('/_sim/state', stack.production.url));
    const state = (await res.json()) as { cards: SimCard[] };
    for (const c of cutovers) {
      const cards = state.cards.filter((card) => card.externalRef.startsWith(`${c.workflowId}-smoke-`));
      assert.equal(cards.length, 1, `${c.workflowId}: ${JSON.stringify(cards)}`);
      assert.equal(cards[0]?.currency, c.currency);
    }
    const counters = await readSimulatorCounters(stack.production.url);
    assert.equal(counters.cardsIssued, cutovers.length, 'no other card was issued');
    assert.equal(counters.cardsClosed, cutovers.length, 'every smoke-test card was closed again');
  });

  it('tells the cutovers apart in `cutover list`', async () => {
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: stack.temporal.address,
      TEMPORAL_NAMESPACE: stack.temporal.namespace,
      CUTOVER_DEBUG: '',
    };
    // Visibility trails the workflow by a moment: the search attribute is written before it is searchable.
    let listed: CutoverListing[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      const result = await runCli(['list', '--phase', 'holding', '--json'], env);
      assert.equal(result.code, 0, result.stderr);
      listed = JSON.parse(result.stdout) as CutoverListing[];
      if (cutovers.every((c) => listed.some((l) => l.workflowId === c.workflowId))) break;
      await delay(250);
    }
    for (const c of cutovers) {
      const listing = listed.find((l) => l.workflowId === c.workflowId);
      assert.ok(listing, `${c.workflowId} listed: ${JSON.stringify(listed)}`);
      assert.equal(listing.phase, 'holding');
      assert.equal(listing.stage, 'go-live');
    }
    const table = await runCli(['list', '--phase', 'holding'], env);
    assert.equal(table.code, 0, table.stderr);
    for (const c of cutovers) assert.match(table.stdout, new RegExp(`^${c.workflowId}\\s+RUNNING\\s+holding\\s+go-live`, 'm'));
  });

  it('tells the cutovers apart in the Temporal UI list', async () => {
    await openWorkflowList(browser.page, stack.temporal.uiUrl, stack.temporal.namespace, 'CutoverPhase="holding"');
    for (const c of cutovers) await listedWorkflow(browser.page, c.workflowId).waitFor();
    const path = await browser.screenshot('many-cutovers-list-holding');
    note(`      screenshot: ${path}`);

    const uk = cutovers[0];
    assert.ok(uk);
    await openWorkflowList(
      browser.page,
      stack.temporal.uiUrl,
      stack.temporal.namespace,
      `CutoverPhase="holding" AND WorkflowId="${uk.workflowId}"`,
    );
    await listedWorkflow(browser.page, uk.workflowId).waitFor();
    for (const other of cutovers.slice(1)) assert.equal(await listedWorkflow(browser.page, other.workflowId).count(), 0);
  });
});
