/**
 * Turns PayCA errors into Temporal failures inside activities. The failure `type` is the PayCA code, so the
 * workflow's retry policy and catch blocks match on the same names as the contract; `nonRetryable` stops
 * Temporal from repeating calls that cannot succeed; `nextRetryDelay` makes the next attempt wait out
 * PayCA's Retry-After instead of the policy's own backoff.
 */
import { ApplicationFailure } from '@temporalio/common';
import { PaycaError } from '../errors.js';

/** Spreads retries from parallel activities that were throttled at the same instant. */
const MAX_RETRY_JITTER_MS = 250;

/** A PaycaError becomes an ApplicationFailure; anything else (cancellation included) is returned unchanged. */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof PaycaError)) return err;
  const status = err.status === undefined ? 'no HTTP status' : `HTTP ${err.status}`;
  const requestId = err.requestId === undefined ? 'no request id' : `request ${err.requestId}`;
  const retryable = err.retryable;
  // Activities may be non-deterministic, so Math.random is fine here (it would not be in a workflow).
  const nextRetryDelay =
    retryable && err.retryAfterSeconds !== undefined
      ? err.retryAfterSeconds * 1000 + Math.floor(Math.random() * (MAX_RETRY_JITTER_MS + 1))
      : undefined;
  return ApplicationFailure.create({
    type: err.code,
    message: `${err.code} (${status}, ${requestId}): ${err.message}`,
    details: [err.toDetails()],
    nonRetryable: !retryable,
    nextRetryDelay,
    cause: err,
  });
}

/** Runs one PayCA call inside an activity and rethrows its failure in the form Temporal acts on. */
export async function paycaCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toActivityFailure(err);
  }
}
