/**
 * Idempotency keys for PayCA POSTs. A key must be the same on every attempt of one logical operation, or a
 * retried top-up after a lost answer would move money twice; and different for different operations, or
 * PayCA would replay one operation's answer for another. Temporal gives most of that identity: workflow
 * id, run id and activity id do not change across retries of an activity, while a new activity (even for
 * the same step, scheduled again on purpose) gets a new activity id. `purpose` separates several POSTs made
 * by one activity, such as issuing and then closing a smoke-test card.
 *
 * The run id is not enough for calls that move money: `temporal workflow reset` starts a new run that
 * performs the same steps again, and with the run id in the key PayCA would act twice. Those calls take a
 * {@link MoneyCallScope} from the workflow instead: the chain's first run id (kept by resets and
 * continue-as-new, new for `cutover start --new-run`) and the task with its attempt.
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
const SCOPED_KEY_VERSION = 'v2';

/**
 * Names one money-moving operation independently of the run performing it. `chain` is the workflow's
 * `firstExecutionRunId`; `task` names the step and its attempt (a deliberate re-run is a new attempt).
 */
export interface MoneyCallScope {
  chain: string;
  task: string;
}

/**
 * A key PayCA accepts (printable ASCII, at most 255 characters). Each part is percent-encoded, so a `:`
 * inside a workflow id cannot make two different part lists produce the same key, and any Unicode in
 * ids becomes header-safe. Keys that would be too long are replaced by the SHA-256 of the full key: still
 * stable and unique, just no longer readable in PayCA's logs.
 */
export function idempotencyKeyFor(parts: IdempotencyKeyParts): string {
  return keyOf(KEY_VERSION, { workflowId: parts.workflowId, runId: parts.runId, activityId: parts.activityId, purpose: parts.purpose });
}

/** The key of a money-moving call: no run id and no activity id, so a reset's new run meets PayCA's replay. */
export function moneyIdempotencyKeyFor(parts: { workflowId: string; scope: MoneyCallScope; purpose: string }): string {
  return keyOf(SCOPED_KEY_VERSION, {
    workflowId: parts.workflowId,
    chain: parts.scope.chain,
    task: parts.scope.task,
    purpose: parts.purpose,
  });
}

function keyOf(version: string, parts: Record<string, string>): string {
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value !== 'string' || value.length === 0) {
      throw new TypeError(`idempotencyKeyFor needs a non-empty ${name}`);
    }
  }
  const key = [version, ...Object.values(parts).map(encodeURIComponent)].join(':');
  if (key.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return key;
  return `${version}-sha256:${createHash('sha256').update(key).digest('hex')}`;
}

/**
 * The key for `purpose` in the running activity; fails outside an activity scheduled by a workflow. With a
 * `scope` the key is the money-call key of that scope; without one (runs scheduled before the workflow
 * passed scopes) it keeps the run-bound format, so those runs' retries still meet their earlier keys.
 */
export function idempotencyKeyFromActivity(purpose: string, scope?: MoneyCallScope): string {
  const info = Context.current().info;
  if (info.workflowExecution === undefined) {
    throw new Error(
      `idempotencyKeyFromActivity("${purpose}") needs an activity scheduled by a workflow: its workflow and run ids make the key stable across retries`,
    );
  }
  if (scope !== undefined) return moneyIdempotencyKeyFor({ workflowId: info.workflowExecution.workflowId, scope, purpose });
  return idempotencyKeyFor({
    workflowId: info.workflowExecution.workflowId,
    runId: info.workflowExecution.runId,
    activityId: info.activityId,
    purpose,
  });
}
