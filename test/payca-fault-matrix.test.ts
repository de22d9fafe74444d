/**
 * The PayCA fault matrix: each fault the simulator can inject, on the money-moving go-live smoke test and
 * on the read stages before it, through the whole stack (workflow, activities, client, simulator over HTTP).
 * A cell either recovers (the stage passes on its first run) or holds the stage for its owner with a
 * named error code and, when PayCA answered at all, the request id of that answer. Either way the
 * simulator's own state must show one card per go-live attempt and at most one top-up per card.
 * cutover-payca-faults.test.ts keeps the first cases (429s on issue and accounts, a lost top-up answer,
 * a wrong-shaped health answer, an outage at config-diff, mixed bursts before go-live); this suite
 * fills in the rest of the grid around them.
 */
import assert from 'node:assert/strict';
import { abortUpdate, retryUpdate } from '../src/workflows/messages.js';
import type { CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import { PaycaClient } from '../src/payca/client.js';
import type { z } from 'zod';
import type { FaultsInput } from '../src/simulator/faults.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';
import { waitForStatus } from './helpers/wait-for-status.js';
import { duplicatesIn, moneyMovements } from './soak/money-movements.js';
import type { Role } from '../src/runbook/stages.js';

type StageUnderTest = 'config-diff' | 'funding-check' | 'go-live';

/** Who may re-run each stage after a hold: its owner. */
const OWNER: Record<StageUnderTest, { role: Role; person: string }> = {
  'config-diff': { role: 'ops', person: 'olivia' },
  'funding-check': { role: 'treasury', person: 'tomas' },
  'go-live': { role: 'lead', person: 'lara' },
};

/** Just past the client's 10 s budget for one call, so the call times out after PayCA has acted. */
const PAST_CLIENT_TIMEOUT_MS = 10_500;

/**
 * Two 429s with Retry-After: 3 take 6 s when Retry-After is honoured; the retry policy's own backoff would
 * retry after 1 s and 2 s (3 s). The harness skips up to one second past the stage's due time, which may
 * eat into the first wait, hence 5 s.
 */
const RETRY_AFTER_WALL_MS = 5_000;

interface Recovered {
  brokenAnswer: string;
  foundBy: string;
}

interface SmokeEvidence {
  issueCard?: { replayed: boolean; recovered?: Recovered };
  topUp?: { replayed: boolean; recovered?: Recovered };
  closeCard?: { status: string; recovered?: Recovered };
}

function assertRecovered(recovered: Recovered | undefined, what: string): void {
  assert.match(recovered?.brokenAnswer ?? '', /^req_\w+$/, `${what}: the broken answer's request id is kept`);
  assert.match(recovered?.foundBy ?? '', /^req_\w+$/, `${what}: the read that found what PayCA did is kept`);
}

interface FaultCell {
  fault: string;
  stage: StageUnderTest;
  inject: z.input<typeof FaultsInput>;
  /** Simulator answer counters (`answersByCode`) that prove the fault was met, with their minimum. */
  met: Record<string, number>;
  plan?: Record<string, unknown>;
  expect:
    | { recovers: true; minWallMs?: number; check?: (stage: StageState) => void }
    | {
        holds: string;
        requestId: boolean;
        message?: RegExp;
        /** Test cards over both go-live runs: a fault before the issue call leaves the first run without one. */
        cards?: number;
      };
}

const POST_CARDS = { path: '/v1/cards', method: 'POST' };
/** Top-up and close, not the issue call; within go-live the top-up comes first. */
const POST_CARD_ACTIONS = { path: '/v1/cards/', method: 'POST' };
const smokeOf = (stage: StageState) => (stage.evidence as { smokeTests?: unknown }).smokeTests as SmokeEvidence;

const CELLS: FaultCell[] = [
  {
    fault: 'a 429 storm with Retry-After: 3 on the top-up',
    stage: 'go-live',
    inject: { force: { count: 2, code: 'ErrRateLimited', retryAfterSeconds: 3, ...POST_CARD_ACTIONS } },
    met: { ErrRateLimited: 2 },
    expect: { recovers: true, minWallMs: RETRY_AFTER_WALL_MS },
  },
  {
    fault: 'a burst of 500s on the card issue',
    stage: 'go-live',
    inject: { force: { count: 2, code: 'ErrInternal', ...POST_CARDS } },
    met: { ErrInternal: 2 },
    expect: { recovers: true },
  },
  {
    fault: 'a burst of 503s on the top-up',
    stage: 'go-live',
    inject: { force: { count: 2, code: 'ErrUnavailable', ...POST_CARD_ACTIONS } },
    met: { ErrUnavailable: 2 },
    expect: { recovers: true },
  },
  {
    fault: 'a card issue answered after the client timed out',
    stage: 'go-live',
    inject: { force: { count: 1, kind: 'hold-answer', delayMs: PAST_CLIENT_TIMEOUT_MS, ...POST_CARDS } },
    met: { AnswerHeld: 1 },
    expect: {
      recovers: true,
      check: (stage) => assert.equal(smokeOf(stage).issueCard?.replayed, true, 'the retry got the card PayCA had issued'),
    },
  },
  {
    fault: 'a connection reset in the middle of the top-up answer',
    stage: 'go-live',
    inject: { force: { count: 1, kind: 'cut-answer', ...POST_CARD_ACTIONS } },
    met: { AnswerCut: 1 },
    expect: {
      recovers: true,
      check: (stage) => assert.equal(smokeOf(stage).topUp?.replayed, true, 'the retry got the top-up PayCA had made'),
    },
  },
  {
    fault: 'a connection reset before the card issue is answered',
    stage: 'go-live',
    inject: { force: { count: 1, kind: 'reset', ...POST_CARDS } },
    met: { ConnectionReset: 1 },
    expect: { recovers: true, check: (stage) => assert.equal(smokeOf(stage).issueCard?.replayed, false) },
  },
  {
    fault: 'slow answers under the timeout on issue, top-up and close',
    stage: 'go-live',
    inject: { force: { count: 3, kind: 'hold-answer', delayMs: 1_500, method: 'POST', path: '/v1/cards' } },
    met: { AnswerHeld: 3 },
    expect: {
      recovers: true,
      minWallMs: 4_500,
      check: (stage) => {
        const smoke = smokeOf(stage);
        assert.equal(smoke.issueCard?.replayed, false, 'a slow answer is not retried');
        assert.equal(smoke.topUp?.replayed, false, 'a slow answer is not retried');
        assert.equal(smoke.closeCard?.status, 'closed');
      },
    },
  },
  {
    fault: 'a top-up answered with a body that is not JSON',
    stage: 'go-live',
    inject: { malformed: { count: 1, kind: 'invalid-json', ...POST_CARD_ACTIONS } },
    met: { '200': 1 },
    expect: { holds: 'ErrBadResponse', requestId: true, message: /not JSON/, cards: 2 },
  },
  {
    fault: 'a card issue answered with JSON of the wrong shape',
    stage: 'go-live',
    inject: { malformed: { count: 1, kind: 'wrong-shape', ...POST_CARDS } },
    met: { '200': 1 },
    expect: { holds: 'ErrBadResponse', requestId: true, message: /breaks the contract/, cards: 1 },
  },
  {
    fault: 'a card issue PayCA carried out and then answered with JSON of the wrong shape',
    stage: 'go-live',
    inject: { force: { count: 1, kind: 'spoil-answer', body: 'wrong-shape', ...POST_CARDS } },
    met: { AnswerSpoiled: 1 },
    expect: { recovers: true, check: (stage) => assertRecovered(smokeOf(stage).issueCard?.recovered, 'issue') },
  },
  {
    fault: 'a top-up PayCA carried out and then answered with a body that is not JSON',
    stage: 'go-live',
    inject: { force: { count: 1, kind: 'spoil-answer', body: 'invalid-json', ...POST_CARD_ACTIONS } },
    met: { AnswerSpoiled: 1 },
    expect: { recovers: true, check: (stage) => assertRecovered(smokeOf(stage).topUp?.recovered, 'top-up') },
  },
  {
    fault: 'a top-up and a close PayCA carried out and then answered with JSON of the wrong shape',
    stage: 'go-live',
    inject: { force: { count: 2, kind: 'spoil-answer', ...POST_CARD_ACTIONS } },
    met: { AnswerSpoiled: 2 },
    expect: {
      recovers: true,
      check: (stage) => {
        assertRecovered(smokeOf(stage).topUp?.recovered, 'top-up');
        assertRecovered(smokeOf(stage).closeCard?.recovered, 'close');
        assert.equal(smokeOf(stage).closeCard?.status, 'closed');
      },
    },
  },
  {
    fault: 'a card issue PayCA carried out, answered badly, and whose lookup failed too',
    stage: 'go-live',
    inject: {
      force: { count: 1, kind: 'spoil-answer', ...POST_CARDS },
      malformed: { count: 1, kind: 'wrong-shape', path: '/v1/cards', method: 'GET' },
    },
    met: { AnswerSpoiled: 1 },
    // The re-run finds the first run's card under its external reference and closes it before issuing its own.
    expect: { holds: 'ErrBadResponse', requestId: true, message: /GET \/v1\/cards\?externalRef=/, cards: 2 },
  },
  {
    fault: 'an outage longer than the retry budget',
    stage: 'go-live',
    plan: { paycaRetryBudget: '3s' },
    inject: { outage: { durationMs: 6_000 } },
    met: { ErrUnavailable: 1 },
    expect: { holds: 'ErrUnavailable', requestId: true, message: /simulated outage/, cards: 1 },
  },
  {
    fault: 'a 429 storm with Retry-After: 3 on the balances',
    stage: 'funding-check',
    inject: { force: { count: 2, code: 'ErrRateLimited', retryAfterSeconds: 3, path: '/v2/accounts' } },
    met: { ErrRateLimited: 2 },
    expect: { recovers: true, minWallMs: RETRY_AFTER_WALL_MS },
  },
  {
    fault: 'a balances answer held past the client timeout',
    stage: 'funding-check',
    inject: { force: { count: 1, kind: 'hold-answer', delayMs: PAST_CLIENT_TIMEOUT_MS, path: '/v2/accounts' } },
    met: { AnswerHeld: 1 },
    expect: { recovers: true, minWallMs: 10_000 },
  },
  {
    fault: 'balances answered with JSON of the wrong shape',
    stage: 'funding-check',
    inject: { malformed: { count: 1, kind: 'wrong-shape', path: '/v2/accounts' } },
    met: { '200': 1 },
    expect: { holds: 'ErrBadResponse', requestId: true, message: /breaks the contract/ },
  },
  {
    fault: 'an outage longer than the retry budget',
    stage: 'funding-check',
    plan: { paycaRetryBudget: '3s' },
    inject: { outage: { durationMs: 6_000 } },
    met: { ErrUnavailable: 1 },
    expect: { holds: 'ErrUnavailable', requestId: true },
  },
  {
    fault: 'timeouts on every attempt until the retry budget runs out',
    stage: 'funding-check',
    // One attempt of 10 s fits the budget; the retry after it would not, so the stage holds on the timeout.
    plan: { paycaRetryBudget: '11s' },
    inject: { force: { count: 2, kind: 'hold-answer', delayMs: PAST_CLIENT_TIMEOUT_MS, path: '/v2/accounts' } },
    met: { AnswerHeld: 1 },
    expect: { holds: 'ErrTimeout', requestId: false, message: /timed out after 10000 ms before an answer arrived/ },
  },
  {
    fault: 'the production config answered with a body that is not JSON',
    stage: 'config-diff',
    inject: { malformed: { count: 1, kind: 'invalid-json', path: '/v1/program/config' } },
    met: { '200': 1 },
    expect: { holds: 'ErrBadResponse', requestId: true, message: /not JSON/ },
  },
  {
    fault: 'a connection reset in the middle of the production config answer',
    stage: 'config-diff',
    inject: { force: { count: 1, kind: 'cut-answer', path: '/v1/program/config' } },
    met: { AnswerCut: 1 },
    expect: { recovers: true },
  },
];

/** The stage before the one under test has passed, so a counted fault meets the stage under test first. */
const READY_FOR: Record<StageUnderTest, ((s: CutoverStatus) => boolean) | undefined> = {
  'config-diff': undefined,
  'funding-check': (s) => stageOf(s, 'config-diff').status === 'passed',
  'go-live': (s) => stageOf(s, 'webhook-smoke-test').status === 'passed',
};

describe('PayCA fault matrix', function () {
  this.timeout(120_000);
  const harness = useCutoverHarness('time-skipping', 'fault-matrix');

  beforeEach(() => harness.stack.reset());

  function assertHeldWithNamedError(stage: StageState, cell: FaultCell, code: string, requestId: boolean, message?: RegExp): void {
    assert.equal(stage.status, 'holding');
    assert.equal(stage.error?.type, code, `held with ${code}: ${stage.hold?.reason}`);
    assert.ok(stage.hold?.awaiting.includes(OWNER[cell.stage].role), `held for ${OWNER[cell.stage].role}`);
    assert.match(stage.hold?.reason ?? '', new RegExp(`^${code}\\b`), 'the hold reason starts with the error code');
    if (message) assert.match(stage.hold?.reason ?? '', message);
    if (requestId) {
      assert.match(stage.error?.requestId ?? '', /^req_\w+$/, 'the PayCA request id is kept');
      assert.ok(stage.hold?.reason.includes(`request ${stage.error?.requestId}`), 'the hold reason names the request id');
    } else {
      assert.equal(stage.error?.requestId, undefined, 'no answer, so no request id to keep');
      assert.match(stage.hold?.reason ?? '', /no request id/, 'the hold reason says no request id was seen');
    }
  }

  for (const cell of CELLS) {
    const outcome = 'recovers' in cell.expect ? 'passes' : `holds for ${OWNER[cell.stage].role} with ${cell.expect.holds}`;
    it(`${cell.stage} ${outcome} under ${cell.fault}, moving money at most once per attempt`, async () => {
      const { env, stack } = harness;
      const handle = await harness.start({ plan: planFor(stack, cell.plan ?? {}) });
      const ready = READY_FOR[cell.stage];
      if (ready) await advanceUntil(env, handle, ready, `the stage before ${cell.stage} to pass`);
      await stack.admin('faults', 'POST', cell.inject);
      const injectedAt = Date.now();

      const reached = (s: CutoverStatus) =>
        holdingAt(cell.stage)(s) || (cell.stage !== 'go-live' && stageOf(s, cell.stage).status === 'passed');
      let status = await advanceUntil(env, handle, reached, `${cell.stage} to pass or hold`);
      let stage = stageOf(status, cell.stage);
      const counters = await stack.counters();
      for (const [key, minimum] of Object.entries(cell.met)) {
        assert.ok(
          (counters.answersByCode[key] ?? 0) >= minimum,
          `the fault was met: ${key} ${counters.answersByCode[key] ?? 0} >= ${minimum}`,
        );
      }

      if ('recovers' in cell.expect) {
        assert.equal(stage.attempts, 1, 'passed on its first run, no hold for a person');
        assert.deepEqual(stage.problems, []);
        assert.equal(stage.error, undefined);
        if (cell.stage === 'go-live') assert.deepEqual(stage.hold?.awaiting.sort(), ['engineering', 'lead'], 'only the gate holds go-live');
        if (cell.expect.minWallMs !== undefined) {
          assert.ok(
            Date.now() - injectedAt >= cell.expect.minWallMs,
            `took ${Date.now() - injectedAt} ms, at least ${cell.expect.minWallMs}`,
          );
        }
        cell.expect.check?.(stage);
        assert.equal(counters.answersByCode.ErrIdempotencyConflict, undefined, 'retries reuse the same body with the same key');
      } else {
        assertHeldWithNamedError(stage, cell, cell.expect.holds, cell.expect.requestId, cell.expect.message);
        await stack.admin('faults', 'DELETE');
        await handle.executeUpdate(retryUpdate, { args: [{ stage: cell.stage, by: OWNER[cell.stage].person }] });
        const rerun = (s: CutoverStatus) => stageOf(s, cell.stage).attempts === 2 && reached(s);
        status = await advanceUntil(env, handle, rerun, `${cell.stage} to pass on the re-run`);
        stage = stageOf(status, cell.stage);
        assert.deepEqual(stage.problems, [], 're-run after the fault cleared passes');
      }

      await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
      const result = await handle.result();
      assert.equal(result.phase, 'aborted');
      // Read from the end state: the timeline may have reached go-live before the abort landed.
      const goLiveAttempts = stageOf(result, 'go-live').attempts;
      const money = await moneyMovements(stack, goLiveAttempts);
      assert.equal(duplicatesIn(money), 0, `no duplicate money movement: ${JSON.stringify(money)}`);
      assert.equal(money.openCards, 0, 'every test card is closed');
      const expectedCards = cell.stage === 'go-live' && 'holds' in cell.expect ? cell.expect.cards : goLiveAttempts;
      assert.equal(money.cards, expectedCards, 'test cards issued');
      assert.equal(money.topUps, Math.min(goLiveAttempts, 1), 'one top-up in all: a held run moved no money');
      assert.equal((await stack.counters()).topUps, money.topUps, 'every top-up the simulator made is a smoke-test top-up');
    });
  }

  it('counts a card issued twice under one external reference as a duplicate (control for the checks above)', async () => {
    const { stack } = harness;
    const client = new PaycaClient({ baseUrl: stack.production.url, environment: 'production', credentials: stack.credentials.production });
    const card = { accountId: 'acc_gbp_main', externalRef: 'control-smoke-1', holderName: 'Control', currency: 'GBP' };
    const first = await client.issueCard(card, { idempotencyKey: 'control-a' });
    await client.issueCard(card, { idempotencyKey: 'control-b' });
    await client.topUp(first.body.id, { amount: 100, currency: 'GBP' }, { idempotencyKey: 'control-c' });
    await client.topUp(first.body.id, { amount: 100, currency: 'GBP' }, { idempotencyKey: 'control-d' });
    const money = await moneyMovements(stack, 1);
    assert.deepEqual(
      {
        duplicateCards: money.duplicateCards,
        duplicateTopUps: money.duplicateTopUps,
        cardsBeyondAttempts: money.cardsBeyondAttempts,
        openCards: money.openCards,
      },
      { duplicateCards: 1, duplicateTopUps: 1, cardsBeyondAttempts: 1, openCards: 2 },
    );
    assert.equal(duplicatesIn(money), 3);
  });
});

/**
 * The Temporal server proper (unlike the time-skipping server) ends an activity whose retry budget runs
 * out during an attempt with a bare timeout failure rather than the attempt's own error. The hold must
 * still carry a named code.
 */
describe('PayCA fault matrix on the Temporal dev server', function () {
  this.timeout(120_000);
  const harness = useCutoverHarness('dev', 'fault-matrix-dev');

  it('holds funding-check for Treasury with ACTIVITY_TIMED_OUT when the retry budget ends inside a slow answer', async () => {
    const { env, stack } = harness;
    await stack.reset();
    // Funding-check (T-12h) falls due five seconds after the start; config-diff (T-24h) runs at once.
    const handle = await harness.start({ plan: planFor(stack, { paycaRetryBudget: '5s' }), goLiveInMs: 12 * HOUR + 5_000 });
    await waitForStatus(env.client, handle.workflowId, 'config-diff to pass', (s) => stageOf(s, 'config-diff').status === 'passed');
    // Slower than the 5 s budget, quicker than the client's own 10 s timeout: the budget ends mid-attempt.
    await stack.admin('faults', 'POST', { force: { count: 1, kind: 'hold-answer', delayMs: 6_000, path: '/v2/accounts' } });
    const held = await waitForStatus(env.client, handle.workflowId, 'the funding-check hold', holdingAt('funding-check'));
    const stage = stageOf(held, 'funding-check');
    assert.equal((await stack.counters()).answersByCode.AnswerHeld, 1, 'the held answer was met');
    assert.equal(stage.error?.type, 'ACTIVITY_TIMED_OUT', stage.hold?.reason);
    assert.match(stage.hold?.reason ?? '', /^ACTIVITY_TIMED_OUT: the activity ran out of time \(SCHEDULE_TO_CLOSE: /);
    assert.deepEqual(stage.hold?.awaiting, ['treasury']);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    assert.equal((await handle.result()).phase, 'aborted');
  });
});
