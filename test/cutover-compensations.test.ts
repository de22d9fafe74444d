/**
 * Roll-back and abort on the time-skipping server: seeded cards are closed (or kept, when the plan says
 * so), a compensation that fails past its budget holds for Engineering instead of ending the cutover, and
 * an abort cancels the checks in flight instead of waiting out their retry budgets.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import {
  abortUpdate,
  approveUpdate,
  compensationDoneUpdate,
  decideUpdate,
  retryCompensationUpdate,
  statusQuery,
} from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import type { cutoverWorkflow } from '../src/workflows/cutover.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor, RELAXED_READINESS } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { refusalOf } from './helpers/refused-update.js';

const SEED_CSV =
  'externalRef,holderName,accountId,currency\nR-1,Ada,acc_gbp_main,GBP\nR-2,Grace,acc_gbp_main,GBP\nR-3,Alan,acc_eur_main,EUR\nR-4,Edsger,acc_eur_main,EUR\n';

/** A sandbox HTTP job whose endpoints can be taken down, as the sandbox is during an outage. */
interface FlakyJob {
  url: string;
  enabled: boolean;
  down: boolean;
  close(): Promise<void>;
}

async function startFlakyJob(): Promise<FlakyJob> {
  const job = { enabled: true, down: false } as FlakyJob;
  const server: Server = createServer((req, res) => {
    if (job.down) {
      res.writeHead(503).end('sandbox unavailable');
      return;
    }
    if (req.method === 'POST' && req.url === '/disable') job.enabled = false;
    if (req.method === 'POST' && req.url === '/enable') job.enabled = true;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ enabled: job.enabled }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  job.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  job.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return job;
}

describe('compensations on the time-skipping server', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('time-skipping', 'compensations');
  let dir: string;
  let csv: string;
  let job: FlakyJob;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutover-compensations-'));
    csv = join(dir, 'cards.csv');
    await writeFile(csv, SEED_CSV);
    job = await startFlakyJob();
  });
  after(async () => {
    await job?.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await harness.stack.reset();
    Object.assign(job, { enabled: true, down: false });
  });

  const seededPlan = (keepOnRollBack?: boolean): CutoverPlan =>
    planFor(harness.stack, {
      readiness: { ...RELAXED_READINESS, seedCards: { csv, dryRunSample: 1, ...(keepOnRollBack === undefined ? {} : { keepOnRollBack }) } },
    });

  const readinessSettled = (s: CutoverStatus) =>
    s.checklist.every((i) => i.kind === 'attested' || i.postLaunch || (i.status !== 'checking' && i.status !== 'open'));

  /** The workflow keeps no card ids: the seeded cards are the open ones PayCA holds for the CSV's references. */
  async function seededCards(): Promise<string[]> {
    const state = (await harness.stack.admin('state')) as { cards: { id: string; status: string; externalRef: string }[] };
    return state.cards.filter((c) => /^R-\d$/.test(c.externalRef) && c.status === 'active').map((c) => c.id);
  }

  async function cardStatuses(ids: string[]): Promise<string[]> {
    const state = (await harness.stack.admin('state')) as { cards: { id: string; status: string }[] };
    return ids.map((id) => state.cards.find((c) => c.id === id)?.status ?? 'missing');
  }

  it('closes the cards seeded during readiness when the lead rolls back, and the report says so', async () => {
    const handle = await harness.start({ plan: seededPlan() });
    await advanceUntil(harness.env, handle, holdingAt('go-live'), 'the go-live gate');
    const cards = await seededCards();
    assert.equal(cards.length, 4);
    assert.deepEqual(await cardStatuses(cards), ['active', 'active', 'active', 'active']);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    const authorization = await runLowRiskAuthorization(harness.stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: authorization.id }] });
    await advanceUntil(harness.env, handle, holdingAt('debrief'), 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: 'lara', reason: 'declines too high' }] });
    const result = await handle.result();

    assert.equal(result.phase, 'rolled-back');
    assert.deepEqual(await cardStatuses(cards), ['closed', 'closed', 'closed', 'closed']);
    const closing = result.compensations.find((c) => c.step === 'close-seeded-cards');
    assert.equal(closing?.status, 'done');
    assert.match(closing?.detail ?? '', /closed 4 seeded cards \(requests \S+ … \S+\)/);
    assert.equal(result.compensations[0]?.step, 'restore-sandbox-jobs', 'the newest change is undone first');
    assert.deepEqual(result.owedCompensations, [], 'nothing is left owed');
    const counters = await harness.stack.counters();
    assert.equal(counters.cardsClosed, counters.cardsIssued, 'the dry-run card, the smoke-test card and every seeded card are closed');
  });

  it('keeps the seeded cards open on abort when the plan says keepOnRollBack, and records them as kept', async () => {
    const handle = await harness.start({ plan: seededPlan(true) });
    await advanceUntil(harness.env, handle, readinessSettled, 'the readiness checks');
    const cards = await seededCards();
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'PayCA asked us to wait' }] });
    const result = await handle.result();

    assert.equal(result.phase, 'aborted');
    assert.deepEqual(await cardStatuses(cards), ['active', 'active', 'active', 'active']);
    const kept = result.compensations.find((c) => c.step === 'close-seeded-cards');
    assert.equal(kept?.status, 'kept');
    assert.match(kept?.detail ?? '', /kept 4 seeded cards open \(readiness\.seedCards\.keepOnRollBack\)/);
    assert.equal(result.compensations.find((c) => c.step === 'remove-webhook-subscription')?.status, 'done');
  });

  describe('a compensation that fails past its budget', () => {
    const jobPlan = () =>
      planFor(harness.stack, {
        compensationRetryBudget: '3s',
        sandboxJobs: [
          {
            kind: 'http',
            name: 'card-generator',
            disableUrl: `${job.url}/disable`,
            enableUrl: `${job.url}/enable`,
            statusUrl: `${job.url}/status`,
          },
        ],
      });

    /** Aborts after T-2h paused the job, with the job's endpoints down, until the restore holds. */
    async function abortIntoHold(): Promise<WorkflowHandle<typeof cutoverWorkflow>> {
      const handle = await harness.start({ plan: jobPlan() });
      await advanceUntil(
        harness.env,
        handle,
        (s) => stageOf(s, 'disable-sandbox-jobs').status === 'passed' && s.phase === 'waiting',
        'T-2h to pass',
      );
      assert.equal(job.enabled, false);
      job.down = true;
      await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'PayCA incident' }] });
      await heldAfter(handle, 1);
      return handle;
    }

    async function heldAfter(handle: WorkflowHandle, holds: number): Promise<CutoverStatus> {
      for (let i = 0; i < 600; i++) {
        const status = await handle.query(statusQuery);
        const restore = status.compensations.find((c) => c.step === 'restore-sandbox-jobs');
        if (restore?.status === 'held' && restore.holds === holds) return status;
        await delay(100);
      }
      throw new Error(`restore-sandbox-jobs never held ${holds} time(s)`);
    }

    it('holds for Engineering with the reason instead of ending the cutover, and a retry once the sandbox is back undoes it', async () => {
      const handle = await abortIntoHold();
      const held = await handle.query(statusQuery);
      assert.equal(held.phase, 'holding');
      const restore = held.compensations.find((c) => c.step === 'restore-sandbox-jobs');
      assert.match(restore?.reason ?? '', /SandboxJobUnreachable: could not enable sandbox job card-generator .*HTTP 503/);
      assert.equal((await handle.describe()).status.name, 'RUNNING', 'the cutover has not ended as if undone');
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      assert.match(
        metadata.currentDetails ?? '',
        /\| restore-sandbox-jobs \| held: awaiting Engineering, SandboxJobUnreachable/,
        'the Temporal UI shows the hold',
      );
      assert.equal(
        held.compensations.some((c) => c.step === 'remove-webhook-subscription'),
        false,
        'the older steps wait their turn',
      );

      assert.match(
        await refusalOf(handle.executeUpdate(retryCompensationUpdate, { args: [{ step: 'restore-sandbox-jobs', by: 'olivia' }] })),
        /olivia cannot answer the held compensation restore-sandbox-jobs: Engineering \(erin, eli\) or the programme lead can/,
      );
      assert.match(
        await refusalOf(handle.executeUpdate(retryCompensationUpdate, { args: [{ step: 'close-test-card', by: 'erin' }] })),
        /compensation close-test-card is not holding; restore-sandbox-jobs is/,
      );
      assert.match(
        await refusalOf(handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'again' }] })),
        /rolling back and restore-sandbox-jobs holds for Engineering; only `cutover compensation retry\|done` is taken/,
      );
      // Still down: the retry spends its budget again and holds a second time.
      await handle.executeUpdate(retryCompensationUpdate, { args: [{ step: 'restore-sandbox-jobs', by: 'erin' }] });
      await heldAfter(handle, 2);
      job.down = false;
      await handle.executeUpdate(retryCompensationUpdate, { args: [{ step: 'restore-sandbox-jobs', by: 'erin' }] });
      const result = await handle.result();

      assert.equal(result.phase, 'aborted');
      assert.equal(job.enabled, true, 'the sandbox job runs again');
      assert.deepEqual(
        result.compensations.map((c) => [c.step, c.status, c.holds]),
        [
          ['restore-sandbox-jobs', 'done', 2],
          ['remove-webhook-subscription', 'done', undefined],
        ],
      );
    });

    it('is marked done by hand with evidence, and the roll-back goes on', async () => {
      const handle = await abortIntoHold();
      assert.match(
        await refusalOf(
          handle.executeUpdate(compensationDoneUpdate, { args: [{ step: 'restore-sandbox-jobs', by: 'erin', evidence: ' ' }] }),
        ),
        /needs evidence/,
      );
      await handle.executeUpdate(compensationDoneUpdate, {
        args: [{ step: 'restore-sandbox-jobs', by: 'erin', evidence: 're-enabled card-generator from the sandbox console, OPS-981' }],
      });
      const result = await handle.result();

      assert.equal(result.phase, 'aborted');
      const restore = result.compensations.find((c) => c.step === 'restore-sandbox-jobs');
      assert.equal(restore?.status, 'done-by-hand');
      assert.deepEqual(
        { by: restore?.doneByHand?.by, evidence: restore?.doneByHand?.evidence, holds: restore?.holds },
        { by: 'erin', evidence: 're-enabled card-generator from the sandbox console, OPS-981', holds: 1 },
      );
      assert.equal(result.compensations.find((c) => c.step === 'remove-webhook-subscription')?.status, 'done');
    });
  });

  it('cancels the checks in flight when the lead aborts while PayCA answers 503, and undoes before any check runs out its budget', async () => {
    await harness.stack.admin('faults', 'POST', {
      force: [
        { count: 100_000, kind: 'answer', code: 'ErrUnavailable', status: 503, path: '/v1/cards' },
        { count: 100_000, kind: 'answer', code: 'ErrUnavailable', status: 503, path: '/v2/accounts' },
      ],
    });
    const handle = await harness.start({
      plan: planFor(harness.stack, { paycaRetryBudget: '10m', readiness: { ...RELAXED_READINESS, seedCards: { csv, dryRunSample: 1 } } }),
    });
    // The subscription is made; seeding and the prefunding check keep meeting 503s.
    await advanceUntil(
      harness.env,
      handle,
      (s) => s.checklist.find((i) => i.id === 'sync-webhooks')?.status === 'done' && s.checklist.some((i) => i.status === 'checking'),
      'readiness to be retrying against 503s',
    );
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'PayCA is down' }] });
    const result = await handle.result();
    assert.equal(result.phase, 'aborted');
    assert.deepEqual(
      result.compensations.map((c) => [c.step, c.status]),
      [['remove-webhook-subscription', 'done']],
    );
    const seeding = result.checklist.find((i) => i.id === 'seed-card-records');
    assert.deepEqual(seeding?.problems, ['not finished: the cutover was aborted while this check ran']);

    const events = (await handle.fetchHistory()).events ?? [];
    const index = (test: (e: temporal.api.history.v1.IHistoryEvent) => boolean) => events.findIndex(test);
    const abortedAt = index((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'abort');
    const undoAt = index((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'removeWebhookSubscription');
    assert.ok(abortedAt > 0 && undoAt > abortedAt, `abort at event ${abortedAt}, undo scheduled at ${undoAt}`);
    const between = events.slice(abortedAt, undoAt);
    assert.ok(
      between.some((e) => e.activityTaskCancelRequestedEventAttributes),
      'the checks in flight were cancelled',
    );
    assert.equal(
      events.filter((e) => e.activityTaskTimedOutEventAttributes).length,
      0,
      'no check ran out its retry budget: undoing did not wait for them',
    );
    const scheduledAfterAbort = between
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name);
    assert.deepEqual(scheduledAfterAbort, [], `nothing but undoing was scheduled after the abort: ${scheduledAfterAbort.join(', ')}`);
  });
});
