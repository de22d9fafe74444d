/**
 * Generated messages a cutover must refuse. Each scenario names messages that would be accepted right
 * now (the bases) and messages its state refuses whatever they say; the generators spoil a base in one
 * way (a stranger, a wrong type, a field missing, a field nobody defined, text far too long, no object
 * at all) or draw from the refused ones. Approve is spoiled only through the fields it has today and
 * junk names no message will ever define, so fields added to approve later keep these cases refused.
 */
import fc from 'fast-check';
import type { MessageKind } from '../../src/workflows/messages.js';
import { STAGE_IDS } from '../../src/runbook/stages.js';

export interface BadMessage {
  kind: MessageKind;
  /** The single argument sent; `noArgs` sends none at all. */
  args: unknown;
  noArgs?: boolean;
  why: string;
}

type Args = Record<string, unknown>;

/** People in the test plan (test/helpers/plans.ts), by role. */
export const PEOPLE = {
  lead: 'lara',
  ops: 'olivia',
  treasury: 'tomas',
  engineering: ['erin', 'eli'],
  devops: 'dev',
  analytics: 'ana',
  finance: 'fiona',
  cx: 'cara',
  compliance: 'cody',
} as const;
export const EVERYONE: string[] = Object.values(PEOPLE).flat();

/** Fields each message must carry; missing any one is refused. */
const REQUIRED: Partial<Record<MessageKind, string[]>> = {
  approve: ['stage', 'by'],
  reject: ['stage', 'by', 'reason'],
  decide: ['decision', 'by', 'reason'],
  retry: ['stage', 'by'],
  abort: ['by', 'reason'],
  'report-incident': ['by', 'severity', 'summary'],
  'end-watch': ['by', 'reason'],
  'extend-watch': ['by', 'extendByMs', 'reason'],
};

/** Text fields that must say something when present. */
const NON_BLANK = new Set(['stage', 'by', 'reason', 'summary', 'authorizationId', 'decision', 'severity']);

/** A message that would be accepted in the scenario's state; `key` tells its variants apart. */
export interface Base {
  kind: MessageKind;
  args: Args;
}

const jsonOfType = (notLike: unknown): fc.Arbitrary<unknown> =>
  fc
    .oneof(
      fc.string({ maxLength: 10 }),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
      fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
    )
    .filter((v) => typeOf(v) !== typeOf(notLike));

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Never a field name of any message, now or later: message fields are camelCase words. */
const junkField = fc.stringMatching(/^[a-z]{1,10}_[a-z0-9_]{0,8}$/);

/** Names that are nobody in the plan, including near misses of real ones. */
const stranger = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9._-]{0,12}$/).filter((s) => !EVERYONE.includes(s)),
  fc.constantFrom(
    'Lara',
    'lara ',
    ' lara',
    'l\u0430ra',
    'LARA',
    'erin.eng',
    'mallory',
    'root',
    'admin',
    'constructor',
    '__proto__',
    'toString',
  ),
);

/** One base spoiled in one way. */
export function spoiled(bases: Base[]): fc.Arbitrary<BadMessage> {
  const base = fc.constantFrom(...bases);
  const pickField = (b: Base, fields: string[]) => fc.constantFrom(...fields.filter((f) => f in b.args));
  return fc.oneof(
    base.chain((b) =>
      fc.tuple(fc.constant(b), pickField(b, Object.keys(b.args))).chain(([b2, field]) =>
        jsonOfType(b2.args[field]).map((value) => ({
          kind: b2.kind,
          args: { ...b2.args, [field]: value },
          why: `${field} of the wrong type`,
        })),
      ),
    ),
    base
      .filter((b) => (REQUIRED[b.kind] ?? []).some((f) => f in b.args))
      .chain((b) =>
        pickField(b, REQUIRED[b.kind] ?? []).map((field) => {
          const args = { ...b.args };
          delete args[field];
          return { kind: b.kind, args, why: `${field} missing` };
        }),
      ),
    base
      .filter((b) => Object.keys(b.args).some((f) => NON_BLANK.has(f)))
      .chain((b) =>
        fc.tuple(pickField(b, [...NON_BLANK]), fc.constantFrom('', ' ', '\t\n', '   ')).map(([field, blank]) => ({
          kind: b.kind,
          args: { ...b.args, [field]: blank },
          why: `${field} blank`,
        })),
      ),
    base.chain((b) =>
      fc
        .tuple(junkField, jsonOfType(undefined))
        .map(([field, value]) => ({ kind: b.kind, args: { ...b.args, [field]: value }, why: `extra field ${field}` })),
    ),
    base.chain((b) =>
      fc
        .tuple(
          pickField(
            b,
            Object.keys(b.args).filter((f) => typeof b.args[f] === 'string'),
          ),
          fc.integer({ min: 2_001, max: 10_000 }),
        )
        .map(([field, length]) => ({
          kind: b.kind,
          args: { ...b.args, [field]: 'x'.repeat(length) },
          why: `${field} of ${length} characters`,
        })),
    ),
    base.chain((b) =>
      stranger.map((who) => ({ kind: b.kind, args: { ...b.args, by: who }, why: `from ${JSON.stringify(who)}, not in the plan` })),
    ),
    base.chain((b) =>
      fc.constantFrom<unknown>(null, 42, true, 'approve go-live', [b.args], [], undefined).map((args) => ({
        kind: b.kind,
        args,
        noArgs: args === undefined,
        why: `not an object: ${JSON.stringify(args) ?? 'no argument'}`,
      })),
    ),
  );
}

const reason = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '');
const anyPerson = fc.constantFrom(...EVERYONE);

/** Stages that are not holding in a scenario, and ids that are no stage. */
export function notHolding(passedOrPending: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...passedOrPending),
    fc.stringMatching(/^[a-z][a-z-]{0,14}$/).filter((s) => !(STAGE_IDS as readonly string[]).includes(s)),
    fc.constantFrom('GO-LIVE', 'go_live', 'golive', ' go-live', 'go-live '),
  );
}

/** Approve, reject and retry of a stage that is not waiting for people: too early, too late or no such stage. */
export function wrongStage(stages: fc.Arbitrary<string>): fc.Arbitrary<BadMessage> {
  return fc.oneof(
    fc.tuple(stages, anyPerson, fc.option(reason, { nil: undefined })).map(([stage, by, note]) => ({
      kind: 'approve' as const,
      args: { stage, by, ...(note ? { note } : {}) },
      why: `approve ${stage}, not holding`,
    })),
    fc
      .tuple(stages, anyPerson, reason)
      .map(([stage, by, why]) => ({ kind: 'reject' as const, args: { stage, by, reason: why }, why: `reject ${stage}, not holding` })),
    fc.tuple(stages, anyPerson).map(([stage, by]) => ({ kind: 'retry' as const, args: { stage, by }, why: `retry ${stage}, not holding` })),
  );
}

/** A debrief decision while the debrief is not holding, whoever sends it. */
export const decideOutOfTurn: fc.Arbitrary<BadMessage> = fc
  .tuple(fc.constantFrom('roll-forward', 'roll-back'), anyPerson, reason)
  .map(([decision, by, why]) => ({ kind: 'decide', args: { decision, by, reason: why }, why: 'decide while the debrief is not holding' }));

/** End or extend a watch that is not running, by the lead with a reason. */
export const watchOutOfTurn: fc.Arbitrary<BadMessage> = fc.oneof(
  reason.map((why) => ({ kind: 'end-watch' as const, args: { by: PEOPLE.lead, reason: why }, why: 'end a watch that is not running' })),
  fc.tuple(fc.integer({ min: 60_000, max: 86_400_000 }), reason).map(([ms, why]) => ({
    kind: 'extend-watch' as const,
    args: { by: PEOPLE.lead, extendByMs: ms, reason: why },
    why: 'extend a watch that is not running',
  })),
);

/** Messages from people whose role the message does not allow. */
export function wrongPerson(kind: MessageKind, args: Args, people: string[]): fc.Arbitrary<BadMessage> {
  return fc.constantFrom(...people).map((by) => ({ kind, args: { ...args, by }, why: `${kind} from ${by}, whose role may not` }));
}

/** Extensions the watch refuses: not positive, not whole milliseconds, longer than 30 days, not a number. */
export const badExtension: fc.Arbitrary<BadMessage> = fc
  .oneof(
    fc.integer({ max: 0 }),
    fc.double({ min: 0.001, max: 1e9, noNaN: true }).filter((x) => !Number.isInteger(x)),
    fc.integer({ min: 30 * 86_400_000 + 1, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(1e300, Number.MAX_VALUE, -1e300),
    fc.constantFrom<unknown>('12h', '3600000', null, [3_600_000], { ms: 1 }),
  )
  .chain((extendByMs) =>
    reason.map((why) => ({
      kind: 'extend-watch' as const,
      args: { by: PEOPLE.lead, extendByMs, reason: why },
      why: `extend by ${JSON.stringify(extendByMs)}`,
    })),
  );

/** fast-check prints a failing message by what is wrong with it, and its arguments cut short. */
export function labelled(arbitrary: fc.Arbitrary<BadMessage>): fc.Arbitrary<BadMessage> {
  return arbitrary.map((m) =>
    Object.assign(m, { [fc.toStringMethod]: () => `${m.kind}(${m.why}): ${(JSON.stringify(m.args) ?? 'no argument').slice(0, 200)}` }),
  );
}
