import assert from 'node:assert/strict';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type SignalDefinition, type UpdateDefinition } from '@temporalio/common';
import fc from 'fast-check';
import { MESSAGES, statusQuery, type MessageKind, type MessageReceipt } from '../src/workflows/messages.js';
import type { CutoverStatus, RefusalRecord } from '../src/workflows/cutover-state.js';
import {
  EVERYONE,
  PEOPLE,
  badExtension,
  decideOutOfTurn,
  labelled,
  notHolding,
  spoiled,
  watchOutOfTurn,
  wrongPerson,
  wrongStage,
  type Base,
  type BadMessage,
} from './helpers/arbitraries-messages.js';
import { fuzzOptions, FUZZ_RUNS } from './helpers/arbitraries-settings.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { holdingAt, stageOf } from './helpers/temporal.js';
import { MAX_REFUSALS_KEPT } from '../src/workflows/refusal-log.js';
import { STAGE_IDS } from '../src/runbook/stages.js';
import { note } from './helpers/suite-logs.js';

type Handle = WorkflowHandle;

/** Accepted at the go-live gate once Engineering has approved (test/helpers/plans.ts people). */
const DEBRIEF_BASES: Base[] = [
  { kind: 'decide', args: { decision: 'roll-forward', by: PEOPLE.lead, reason: 'quiet first two hours' } },
  { kind: 'reject', args: { stage: 'debrief', by: PEOPLE.lead, reason: 'not yet' } },
  { kind: 'abort', args: { by: PEOPLE.lead, reason: 'PayCA asked us to wait' } },
  { kind: 'report-incident', args: { by: PEOPLE.finance, severity: 'sev3', summary: 'fee line missing' } },
];

/** Accepted while the post-launch watch runs. */
const WATCHING_BASES: Base[] = [
  { kind: 'end-watch', args: { by: PEOPLE.lead, reason: 'PayCA and Analytics agree it is stable' } },
  { kind: 'extend-watch', args: { by: PEOPLE.lead, extendByMs: 7_200_000, reason: 'decline alert recovered late' } },
  { kind: 'report-incident', args: { by: PEOPLE.analytics, severity: 'sev1', summary: 'webhooks failing' } },
];

/** Accepted at the go-live gate once Engineering has approved (test/helpers/plans.ts people). */
const GO_LIVE_BASES: Base[] = [
  { kind: 'approve', args: { stage: 'go-live', by: PEOPLE.lead, authorizationId: 'auth_1', note: 'smoke ok' } },
  { kind: 'reject', args: { stage: 'go-live', by: PEOPLE.lead, reason: 'declines too high' } },
  { kind: 'retry', args: { stage: 'go-live', by: PEOPLE.lead } },
  { kind: 'abort', args: { by: PEOPLE.lead, reason: 'PayCA asked us to wait' } },
  { kind: 'report-incident', args: { by: PEOPLE.cx, severity: 'sev2', summary: 'declines at one merchant' } },
];
const STACK_TRACE = /\n\s+at .+[:(]\d+/;

/** Sends any argument list, well-formed or not, the way a client other than the CLI could. */
function sendUpdate(handle: Handle, kind: MessageKind, args: unknown[]): Promise<MessageReceipt> {
  const update = MESSAGES[kind].update as unknown as UpdateDefinition<MessageReceipt, [unknown]>;
  return args.length ? handle.executeUpdate(update, { args: args as [unknown] }) : handle.executeUpdate<MessageReceipt, []>(update.name);
}

function sendSignal(handle: Handle, kind: MessageKind, args: unknown[]): Promise<void> {
  const signal = MESSAGES[kind].signal as unknown as SignalDefinition<unknown[]>;
  return handle.signal(signal, ...args);
}

const argsOf = (m: BadMessage): unknown[] => (m.noArgs ? [] : [m.args]);
const historyLength = async (handle: Handle) => (await handle.describe()).historyLength;

/** The update is refused by the workflow's validator, with a short reason and no stack trace; returns the reason. */
async function refusedUpdate(handle: Handle, m: BadMessage): Promise<string> {
  const err = await sendUpdate(handle, m.kind, argsOf(m)).then(
    (receipt) => assert.fail(`accepted (${m.why}): ${receipt.outcome}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowUpdateFailedError, `${m.why}: expected a refused update, got ${String(err)}`);
  assert.ok(err.cause instanceof ApplicationFailure, `${m.why}: refused without a reason: ${String(err.cause)}`);
  assert.equal(err.cause.type, 'MessageRefused');
  const reason = err.cause.message;
  assert.match(reason, /\S/);
  assert.ok(reason.length <= 500, `${m.why}: a ${reason.length}-character reason`);
  assert.doesNotMatch(reason, STACK_TRACE);
  return reason;
}

/** Text cut to `max` characters, saying how long it was, as the refusal log keeps it. */
const clipped = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…(${text.length} characters)` : text);

/**
 * What the workflow keeps of a refused signal: kind, how it came, the same reason, and who and which stage
 * when they are text, each cut short.
 */
function expectedRefusal(m: BadMessage, reason: string): Omit<RefusalRecord, 'at'> {
  const args = (m.args ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof args[key] === 'string' ? { [key]: clipped(args[key], 200) } : {});
  return { kind: m.kind, via: 'signal', reason: clipped(reason, 500), ...text('by'), ...text('stage'), ...text('item') };
}

/** Every refusal the log has seen: kept in full, dropped as older, or counted as a stranger's. */
const attemptsCounted = (status: CutoverStatus) =>
  status.refusals.length + (status.refusalSummary?.omitted ?? 0) + (status.refusalSummary?.strangers.attempts ?? 0);

describe('cutover messages under generated bad input', function () {
  this.timeout(300_000);
  // The dev server, not the time-skipping one: only a real server drops the workflow task of a rejected update.
  const harness = useCutoverHarness('dev', 'generated-messages');
  const counts = new Map<string, number>();

  /**
   * A quiet plan at real speed: go-live 20 s after the start (the earlier stages are already due and run at
   * once), the debrief straight after go-live, no escalation for months and an hour between watch reads, so
   * nothing changes on its own while messages are sent. The watch starts at the roll-forward (the plan's
   * opt-out of the watch from T): the messages generated for the gates take a watch decision as out of turn.
   */
  const quietPlan = () =>
    planFor(harness.stack, {
      approvalTimeout: '300d',
      stages: { debrief: { offset: '1s' } },
      postLaunch: { watch: { window: '3h', from: 'roll-forward', interval: '1h', summaryEvery: '1h', segment: '6h' } },
    });
  const startQuiet = () => harness.start({ plan: quietPlan(), goLiveInMs: 20_000 });

  /**
   * Each generated message is refused as an update, the status is deep-equal to before and the history
   * has not grown. With `signals`, the same message is then sent as a signal: the status gains exactly one
   * refusal record with the update's reason, and nothing else changes.
   */
  function refusesEvery(title: string, get: () => Handle, arbitrary: fc.Arbitrary<BadMessage>, options: { signals?: boolean } = {}): void {
    it(title, async () => {
      const handle = get();
      let before: CutoverStatus = await handle.query(statusQuery);
      let events = await historyLength(handle);
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(labelled(arbitrary), async (m) => {
          cases += 1;
          const reason = await refusedUpdate(handle, m);
          const [status, length] = await Promise.all([handle.query(statusQuery), historyLength(handle)]);
          assert.deepEqual(status, before, `${m.why}: the status changed`);
          assert.equal(length, events, `${m.why}: the history grew`);
          if (!options.signals) return;
          await sendSignal(handle, m.kind, argsOf(m));
          const after = await refusalRecorded(handle, attemptsCounted(before) + 1);
          const { refusals: _r, refusalSummary: _s, ...rest } = after;
          const { refusals: _br, refusalSummary: _bs, ...restBefore } = before;
          assert.deepEqual(rest, restBefore, `${m.why}: the signal changed more than the refusal log`);
          const expected = expectedRefusal(m, reason);
          if (expected.by !== undefined && EVERYONE.includes(expected.by)) {
            const kept = after.refusals.at(-1) as RefusalRecord;
            assert.ok(Date.parse(kept.at) >= Date.parse(before.refusals.at(-1)?.at ?? '1970-01-01'), kept.at);
            assert.deepEqual(kept, { ...expected, at: kept.at }, `${m.why}: the refusal kept`);
            const full = before.refusals.length === MAX_REFUSALS_KEPT;
            assert.deepEqual(after.refusals.slice(0, -1), before.refusals.slice(full ? 1 : 0), `${m.why}: earlier refusals`);
            assert.equal(after.refusalSummary?.omitted ?? 0, (before.refusalSummary?.omitted ?? 0) + (full ? 1 : 0));
          } else {
            // A name the plan does not list is counted, not kept: strangers cannot fill the log.
            assert.deepEqual(after.refusals, before.refusals, `${m.why}: a stranger's refusal was kept in full`);
            const strangers = after.refusalSummary?.strangers;
            assert.equal(strangers?.attempts, (before.refusalSummary?.strangers.attempts ?? 0) + 1);
            const name = expected.by === undefined ? '(no name)' : clipped(expected.by, 40);
            assert.deepEqual(strangers?.latest, {
              ...expected,
              ...(expected.by === undefined ? {} : { by: name }),
              at: strangers?.latest?.at,
            });
            assert.ok(
              strangers?.names.includes(name) || strangers?.names.length === 10,
              `${m.why}: ${name} not among ${strangers?.names.join(', ')}`,
            );
          }
          before = after;
          events = await historyLength(handle);
        }),
        fuzzOptions(),
      );
      counts.set(title, cases);
      assert.ok(cases >= FUZZ_RUNS, `only ${cases} cases ran`);
    });
  }

  /** Waits until `ready` holds and two reads a second apart agree, so nothing is still settling. */
  async function quiet(handle: Handle, ready: (s: CutoverStatus) => boolean): Promise<void> {
    let last: CutoverStatus | undefined;
    for (let i = 0; i < 240; i++) {
      const status: CutoverStatus = await handle.query(statusQuery);
      if (ready(status) && last !== undefined && JSON.stringify(status) === JSON.stringify(last)) return;
      last = ready(status) ? status : undefined;
      await delay(500);
    }
    throw new Error('the cutover did not settle');
  }

  async function refusalRecorded(handle: Handle, count: number): Promise<CutoverStatus> {
    for (let i = 0; i < 200; i++) {
      const status = await handle.query(statusQuery);
      if (attemptsCounted(status) >= count) return status;
      await delay(20);
    }
    throw new Error(`no refusal recorded for a signal (expected ${count})`);
  }

  after(() => {
    note(`      generated cases: ${[...counts].map(([k, v]) => `${k.split(':')[0]} ${v}`).join('; ')}`);
  });

  describe('after the cutover has ended', () => {
    let ended: Handle;
    before(async () => {
      ended = await startQuiet();
      await sendUpdate(ended, 'abort', [{ by: PEOPLE.lead, reason: 'rehearsal over' }]);
      assert.equal(((await ended.result()) as CutoverStatus).phase, 'aborted');
    });

    it('refuses every message to an ended cutover, even ones that were valid before, and its status and history stay as they were', async () => {
      const before: CutoverStatus = await ended.query(statusQuery);
      const events = await historyLength(ended);
      const late = fc.oneof(
        spoiled(GO_LIVE_BASES),
        fc.constantFrom(...GO_LIVE_BASES).map((b) => ({ ...b, why: `${b.kind}, valid before the end` })),
      );
      let cases = 0;
      await fc.assert(
        fc.asyncProperty(labelled(late), async (m) => {
          cases += 1;
          const update = await sendUpdate(ended, m.kind, argsOf(m)).then(
            () => undefined,
            (e: unknown) => e,
          );
          assert.ok(update instanceof Error, `${m.why}: accepted after the end`);
          const signal = await sendSignal(ended, m.kind, argsOf(m)).then(
            () => undefined,
            (e: unknown) => e,
          );
          assert.ok(signal instanceof Error, `${m.why}: signal taken after the end`);
        }),
        fuzzOptions(),
      );
      counts.set('after the end', cases);
      assert.ok(cases >= FUZZ_RUNS);
      assert.deepEqual(await ended.query(statusQuery), before);
      assert.equal(await historyLength(ended), events);
    });
  });

  describe('holding at the go-live gate', () => {
    let handle: Handle;
    before(async () => {
      handle = await startQuiet();
      await quiet(handle, (s) => holdingAt('go-live')(s) && s.checklist.every((item) => item.status !== 'checking'));
    });

    it('accepts an Engineering approval, which changes the status and the history (the control)', async () => {
      const before: CutoverStatus = await handle.query(statusQuery);
      const events = await historyLength(handle);
      const receipt = await sendUpdate(handle, 'approve', [{ stage: 'go-live', by: 'erin', note: 'smoke tests green' }]);
      assert.match(receipt.outcome, /go-live still awaits Programme lead/);
      const after: CutoverStatus = await handle.query(statusQuery);
      assert.notDeepEqual(after, before);
      assert.deepEqual(stageOf(after, 'go-live').hold?.awaiting, ['lead']);
      assert.ok((await historyLength(handle)) > events, 'an accepted update is in the history');
    });

    const goLiveRefused = fc.oneof(
      spoiled(GO_LIVE_BASES),
      wrongStage(
        notHolding(['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test', 'debrief', 'fee-reconciliation']),
      ),
      wrongPerson(
        'approve',
        { stage: 'go-live', authorizationId: 'auth_9' },
        EVERYONE.filter((p) => p !== PEOPLE.lead),
      ),
      wrongPerson(
        'reject',
        { stage: 'go-live', reason: 'not ready' },
        EVERYONE.filter((p) => p !== PEOPLE.lead),
      ),
      wrongPerson(
        'retry',
        { stage: 'go-live' },
        EVERYONE.filter((p) => p !== PEOPLE.lead && !PEOPLE.engineering.includes(p as 'erin')),
      ),
      wrongPerson(
        'abort',
        { reason: 'stop' },
        EVERYONE.filter((p) => p !== PEOPLE.lead),
      ),
      fc.constant<BadMessage>({
        kind: 'approve',
        args: { stage: 'go-live', by: PEOPLE.lead },
        why: 'the last go-live approval without the authorization id',
      }),
      decideOutOfTurn,
      watchOutOfTurn,
    );

    refusesEvery('refuses every generated bad update at the gate: status deep-equal, no history event', () => handle, goLiveRefused);

    describe('then holding at the debrief', () => {
      before(async () => {
        const auth = await runLowRiskAuthorization(harness.stack.production.url);
        const receipt = await sendUpdate(handle, 'approve', [{ stage: 'go-live', by: PEOPLE.lead, authorizationId: auth.id }]);
        assert.match(receipt.outcome, /go-live is approved/);
        await quiet(handle, holdingAt('debrief'));
      });

      const debriefRefused = fc.oneof(
        spoiled(DEBRIEF_BASES),
        wrongStage(
          notHolding(['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test', 'go-live', 'fee-reconciliation']),
        ),
        wrongPerson('approve', { stage: 'debrief' }, EVERYONE),
        wrongPerson('retry', { stage: 'debrief' }, EVERYONE),
        wrongPerson(
          'decide',
          { decision: 'roll-forward', reason: 'green' },
          EVERYONE.filter((p) => p !== PEOPLE.lead),
        ),
        fc
          .constantFrom('roll-sideways', 'ROLL-FORWARD', 'rollback', 'roll_forward', 'forward', 'yes')
          .map((decision): BadMessage => ({ kind: 'decide', args: { decision, by: PEOPLE.lead, reason: 'x' }, why: `decide ${decision}` })),
        watchOutOfTurn,
      );
      refusesEvery(
        'refuses every generated bad decision, late approval or out-of-turn message at the debrief',
        () => handle,
        debriefRefused,
      );

      describe('then watching after roll-forward', () => {
        before(async () => {
          const receipt = await sendUpdate(handle, 'decide', [{ decision: 'roll-forward', by: PEOPLE.lead, reason: 'all green' }]);
          assert.match(receipt.outcome, /rolling forward/);
          await quiet(handle, (s) => s.watch?.status === 'watching');
          const extended = await sendUpdate(handle, 'extend-watch', [{ by: PEOPLE.lead, extendByMs: 3_600_000, reason: 'control' }]);
          assert.match(extended.outcome, /now ends at/);
          await quiet(handle, (s) => s.watch?.decisions.length === 1);
        });

        const watchingRefused = fc.oneof(
          spoiled(WATCHING_BASES),
          wrongStage(notHolding([...STAGE_IDS])),
          wrongPerson('abort', { reason: 'too late to abort' }, EVERYONE),
          wrongPerson(
            'end-watch',
            { reason: 'stable' },
            EVERYONE.filter((p) => p !== PEOPLE.lead),
          ),
          wrongPerson(
            'extend-watch',
            { extendByMs: 3_600_000, reason: 'late alert' },
            EVERYONE.filter((p) => p !== PEOPLE.lead),
          ),
          decideOutOfTurn,
          badExtension,
        );
        refusesEvery('refuses every generated bad watch decision or message out of turn while watching', () => handle, watchingRefused);
        // Last, because each refused signal is counted in the status and stays in its history: the status changes from here on.
        refusesEvery(
          'refuses the same messages as signals, recording each one (in full for a person in the plan, counted for a stranger) and changing nothing else',
          () => handle,
          watchingRefused,
          {
            signals: true,
          },
        );
      });
    });
  });
});
