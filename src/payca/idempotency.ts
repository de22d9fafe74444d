/**
 * Idempotency keys for PayCA POSTs. A key must be the same on every attempt of one logical operation, or a
 * retried top-up after a lost answer would move money twice; and different for different operations, or
 * PayCA would replay one operation's answer for another. Temporal gives exactly that identity: workflow
 * id, run id and activity id do not change across retries of an activity, while a new activity (even for
 * the same step, scheduled again on purpose) gets a new activity id. `purpose` separates several POSTs made
 * by one activity, such as issuing and then closing a smoke-test card.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { MAX_IDEMPOTENCY_KEY_LENGTH } from './client.js';

export interface IdempotencyKeyParts {
  workflowId: string;
  runId: string;
  activityId: string;
  purpose: string;
}

/** Bumped if the format ever changes, so keys of the old format can never collide with new ones. */
const KEY_VERSION = 'v1';

/**
 * A key PayCA accepts (printable ASCII, at most 255 characters). Each part is percent-encoded, so a `:`
 * inside a workflow id cannot make two different part lists produce the same key, and any Unicode in
 * ids becomes header-safe. Keys that would be too long are replaced by the SHA-256 of the full key: still
 * stable and unique, just no longer readable in PayCA's logs.
 */
export function idempotencyKeyFor(parts: IdempotencyKeyParts): string {
  const ordered = [parts.workflowId, parts.runId, parts.activityId, parts.purpose];
  const names = ['workflowId', 'runId', 'activityId', 'purpose'];
  ordered.forEach((value, i) => {
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError(`idempotencyKeyFor needs a non-empty ${names[i]}`);
    }
  });
  const key = [KEY_VERSION, ...ordered.map(encodeURIComponent)].join(':');
  if (key.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return key;
  return `${KEY_VERSION}-sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/** The key for `purpose` in the running activity; fails outside an activity scheduled by a workflow. */
export function idempotencyKeyFromActivity(purpose: string): string {
  const info = Context.current().info;
  if (info.workflowExecution === undefined) {
    throw new Error(
      `idempotencyKeyFromActivity("${purpose}") needs an activity scheduled by a workflow: its workflow and run ids make the key stable across retries`,
    );
  }
  return idempotencyKeyFor({
    workflowId: info.workflowExecution.workflowId,
    runId: info.workflowExecution.runId,
    activityId: info.activityId,
    purpose,
  });
}
