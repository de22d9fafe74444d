/**
 * The strict schema of every message people send: which fields it has, what each holds and how long it
 * may be. Checked before any rule about who may say what, the same for an update and a signal, so an
 * extra field or an over-long text never reaches the workflow's state whichever way it came in.
 */
import type { MessageArgs, MessageKind } from './messages.js';
import { describeRoomStatementProblem } from '../signing/room-statement.js';

/** Cutovers started before this check keep the looser one, so their histories replay. */
export const STRICT_MESSAGES_PATCH = 'strict-bounded-messages';

/** Notes, reasons, evidence and summaries: sentences for the record, not documents. */
export const MAX_TEXT_LENGTH = 2_000;
/** Names, stages, items, steps, decisions and ids: the plan's own are far shorter. */
export const MAX_NAME_LENGTH = 200;
/** A signature's time; its digest and value have lengths of their own. */
const MAX_SIGNED_AT_LENGTH = 64;

type FieldRule = 'name' | 'text' | 'number' | 'signature' | 'room';

/** Every field of every message; one not listed is refused. The type makes a new field fail to compile until it is listed. */
export const MESSAGE_SCHEMA: { [K in MessageKind]: { [F in keyof Required<MessageArgs[K]>]: FieldRule } } = {
  approve: { stage: 'name', by: 'name', note: 'text', authorizationId: 'name', signature: 'signature', roomStatement: 'room' },
  reject: { stage: 'name', by: 'name', reason: 'text', signature: 'signature', roomStatement: 'room' },
  decide: { decision: 'name', by: 'name', reason: 'text', signature: 'signature', roomStatement: 'room' },
  retry: { stage: 'name', by: 'name', roomStatement: 'room' },
  abort: { by: 'name', reason: 'text' },
  'complete-item': { item: 'name', by: 'name', evidence: 'text', signature: 'signature', roomStatement: 'room' },
  'waive-item': { item: 'name', by: 'name', reason: 'text', signature: 'signature', roomStatement: 'room' },
  'retry-item': { item: 'name', by: 'name', signature: 'signature', roomStatement: 'room' },
  'report-incident': { by: 'name', severity: 'name', summary: 'text', roomStatement: 'room' },
  'end-watch': { by: 'name', reason: 'text', roomStatement: 'room' },
  'extend-watch': { by: 'name', extendByMs: 'number', reason: 'text', roomStatement: 'room' },
  'retry-compensation': { step: 'name', by: 'name' },
  'compensation-done': { step: 'name', by: 'name', evidence: 'text' },
  'task-answer': {
    task: 'name',
    action: 'name',
    by: 'name',
    evidence: 'text',
    note: 'text',
    signature: 'signature',
    roomStatement: 'room',
  },
};

const SIGNATURE_FIELDS = { signedAt: MAX_SIGNED_AT_LENGTH, evidenceDigest: 64, value: 128 } as const;

/** Thousands separated, without Intl (workflow code). */
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A field name echoed in a refusal, cut short: the name itself is what the sender chose. */
const fieldName = (name: string) => (name.length > 40 ? `${name.slice(0, 40)}…` : name);

function tooLong(field: string, length: number, limit: number, hint: string): string {
  return `${field} is ${count(length)} characters; the limit is ${count(limit)}${hint}`;
}

function unknownFields(what: string, given: object, allowed: readonly string[]): string | undefined {
  const unknown = Object.keys(given).filter((key) => !allowed.includes(key));
  if (unknown.length === 0) return undefined;
  const listed = unknown
    .slice(0, 3)
    .map((k) => `"${fieldName(k)}"`)
    .join(', ');
  return `${what} has no field ${listed}${unknown.length > 3 ? ` (and ${unknown.length - 3} more)` : ''}; its fields are ${allowed.join(', ')}`;
}

function checkSignatureBounds(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return 'the signature must be an object with signedAt, evidenceDigest and value';
  const extra = unknownFields('the signature', value, Object.keys(SIGNATURE_FIELDS));
  if (extra) return extra;
  for (const [field, limit] of Object.entries(SIGNATURE_FIELDS)) {
    const text = (value as Record<string, unknown>)[field];
    if (typeof text === 'string' && text.length > limit) return tooLong(`signature.${field}`, text.length, limit, '');
  }
  return undefined;
}

/**
 * Why the message breaks its schema, naming the field and the limit, or undefined when it keeps to it.
 * Whether required fields are there and say something is left to the message's own rules.
 */
export function checkMessageBounds(kind: MessageKind, args: unknown): string | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return `a ${kind} message must be an object of named fields`;
  const schema: Record<string, FieldRule> = MESSAGE_SCHEMA[kind];
  const extra = unknownFields(`a ${kind} message`, args, Object.keys(schema));
  if (extra) return extra;
  for (const [field, value] of Object.entries(args)) {
    if (value === undefined) continue;
    const rule = schema[field];
    if (rule === 'signature') {
      const problem = checkSignatureBounds(value);
      if (problem) return problem;
    } else if (rule === 'room') {
      const problem = describeRoomStatementProblem(value);
      if (problem) return problem;
    } else if (rule === 'number') {
      if (typeof value !== 'number') return `${field} must be a number`;
    } else if (typeof value !== 'string') {
      return `${field} must be text`;
    } else if (rule === 'name' && value.length > MAX_NAME_LENGTH) {
      return tooLong(field, value.length, MAX_NAME_LENGTH, ' for a name or id');
    } else if (rule === 'text' && value.length > MAX_TEXT_LENGTH) {
      return tooLong(field, value.length, MAX_TEXT_LENGTH, ': say it shorter and link to anything longer');
    }
  }
  return undefined;
}

const REFUSAL_REPORT_FIELDS = ['kind', 'by', 'stage', 'item', 'task', 'reason'];

/**
 * A refusal report has only its own fields, each text. Its lengths are not refused but cut on record
 * (`boundedRefusal`): it repeats what the sender sent, which may be exactly what was too long.
 */
export function checkRefusalReportBounds(report: unknown): string | undefined {
  if (report === null || typeof report !== 'object' || Array.isArray(report)) return 'a refusal report must be an object of named fields';
  const extra = unknownFields('a refusal report', report, REFUSAL_REPORT_FIELDS);
  if (extra) return extra;
  const notText = Object.entries(report).find(([, value]) => value !== undefined && typeof value !== 'string');
  return notText ? `${fieldName(notText[0])} must be text` : undefined;
}

/** `rules` behind the strict schema when `strict`, so both the cutover and its undo refuse alike. */
export function withBounds<A>(kind: MessageKind, strict: boolean, rules: (args: A) => string | undefined): (args: A) => string | undefined {
  return strict ? (args: A) => checkMessageBounds(kind, args) ?? rules(args) : rules;
}
