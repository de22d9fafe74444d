/**
 * The refusal log, bounded. Every refused attempt is counted, but the status stays small whatever is sent:
 * text fields are cut short, only the latest refusals by people the plan lists are kept in full, and
 * attempts by names the plan does not list are summarised. The status is read by query, and a query
 * answer past the server's message size fails, so an unbounded log would let a stranger blind `status`.
 */
import type { CutoverPlan } from '../plan/schema.js';
import { MESSAGES, type MessageKind } from './messages.js';
import type { CutoverStatus, RefusalRecord, RefusalSummary } from './cutover-state.js';
import { MAX_NAME_LENGTH } from './message-bounds.js';
import { keepLatest } from './state-bounds.js';
import { rolesOf } from './message-rules.js';

/** Names, stages, items and tasks are identifiers: cut at the length a message may carry them. */
export const MAX_REFUSAL_FIELD_LENGTH = MAX_NAME_LENGTH;
/** Reasons are the workflow's sentences (or the sender's account of them); the longest name people and items. */
export const MAX_REFUSAL_REASON_LENGTH = 500;
export const MAX_REFUSALS_KEPT = 100;
export const MAX_STRANGER_NAMES = 10;
const MAX_STRANGER_NAME_LENGTH = 40;

const MESSAGE_KINDS = Object.keys(MESSAGES) as MessageKind[];

export function isMessageKind(value: unknown): value is MessageKind {
  return typeof value === 'string' && (MESSAGE_KINDS as string[]).includes(value);
}

/** The text cut to `max` characters, saying how long it was. */
export function clip(text: string, max: number = MAX_REFUSAL_FIELD_LENGTH): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length} characters)` : text;
}

const textField = (value: unknown, max: number = MAX_REFUSAL_FIELD_LENGTH): string | undefined =>
  typeof value === 'string' ? clip(value, max) : undefined;

/** The record as kept: only text fields, each cut short; absent fields stay absent. */
export function boundedRefusal(fields: {
  kind: MessageKind;
  via: RefusalRecord['via'];
  reason: unknown;
  at: string;
  by?: unknown;
  stage?: unknown;
  item?: unknown;
  task?: unknown;
  reportedBySender?: boolean;
}): RefusalRecord {
  const record: RefusalRecord = {
    kind: fields.kind,
    via: fields.via,
    reason: textField(fields.reason, MAX_REFUSAL_REASON_LENGTH) ?? '(no reason given)',
    at: fields.at,
  };
  for (const key of ['by', 'stage', 'item', 'task'] as const) {
    const value = textField(fields[key]);
    if (value !== undefined) record[key] = value;
  }
  if (fields.reportedBySender) record.reportedBySender = true;
  return record;
}

function summaryOf(status: CutoverStatus): RefusalSummary {
  status.refusalSummary ??= { omitted: 0, omittedBy: [], strangers: { attempts: 0, names: [] } };
  return status.refusalSummary;
}

/** Adds a bounded record: kept in full for a person the plan lists (dropping the oldest past the cap), summarised otherwise. */
export function recordRefusal(plan: CutoverPlan, status: CutoverStatus, record: RefusalRecord): void {
  const by = record.by;
  if (by === undefined || rolesOf(plan, by).length === 0) {
    const { strangers } = summaryOf(status);
    strangers.attempts += 1;
    const name = by === undefined ? '(no name)' : clip(by, MAX_STRANGER_NAME_LENGTH);
    if (strangers.names.length < MAX_STRANGER_NAMES && !strangers.names.includes(name)) strangers.names.push(name);
    strangers.latest = { ...record, ...(by === undefined ? {} : { by: name }) };
    return;
  }
  keepLatest(status.refusals, record, MAX_REFUSALS_KEPT, (dropped) => {
    const summary = summaryOf(status);
    summary.omitted += 1;
    const person = summary.omittedBy.find((entry) => entry.by === dropped.by);
    if (person) person.count += 1;
    else summary.omittedBy.push({ by: dropped.by ?? '(no name)', count: 1 });
  });
}
