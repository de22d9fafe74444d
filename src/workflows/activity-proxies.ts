/**
 * How the workflow calls its activities. PayCA calls go to their own task queue, retry within the plan's
 * budget (wall time) and never retry the codes the contract calls final; the rest run beside the workflow.
 * Every call carries a summary, which is what an engineer reads in the Temporal UI's event history.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  proxyLocalActivities,
  TimeoutFailure,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { CutoverActivities, PaycaActivities } from '../activities/index.js';
import { FAILURE_TYPES, NON_RETRYABLE_PAYCA_CODES } from '../errors.js';
import { PAYCA_TASK_QUEUE } from './messages.js';

export interface PaycaCallOptions {
  startToCloseTimeout?: number;
  heartbeatTimeout?: string;
  /** Instead of the plan's retry budget, for an activity whose own work takes longer than one call. */
  scheduleToCloseTimeout?: number;
  cancellationType?: ActivityCancellationType;
  /** Another queue the workers serve with the same PayCA limiter (seeding ranges: seed-ranges.ts). */
  taskQueue?: string;
}

/**
 * For calls that change something at PayCA: when an abort cancels one, the workflow waits for the attempt
 * already at PayCA to end (a retry is never started), so a card or subscription it made is known and undone.
 */
export const ACTING_CALL: PaycaCallOptions = { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED };

const PAYCA_RETRY: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: [...NON_RETRYABLE_PAYCA_CODES, FAILURE_TYPES.CREDENTIALS_MISSING, FAILURE_TYPES.CONFIG_INVALID],
};

export function paycaActivities(retryBudgetMs: number, summary: string, extra: PaycaCallOptions = {}) {
  const options: ActivityOptions = {
    taskQueue: PAYCA_TASK_QUEUE,
    // One PayCA call (the client gives up after 10 s). Kept short because it is also how long a call
    // that died with its worker waits before another worker retries it.
    startToCloseTimeout: '20s',
    scheduleToCloseTimeout: retryBudgetMs,
    retry: PAYCA_RETRY,
    ...extra,
    summary,
  };
  return proxyActivities<PaycaActivities>(options);
}

/**
 * A PayCA read run by the workflow's own worker inside its workflow task: no activity task, and one
 * workflow task where a queued call takes two. It bypasses the payca queue (its calls still take the worker's
 * PayCA permits, like every call), so it is only for reads that come seconds apart (the post-launch watch's); the worker registers the read on both queues.
 */
export function paycaLocalReads(retryBudgetMs: number, summary: string) {
  return proxyLocalActivities<Pick<PaycaActivities, 'readWatchMetrics' | 'readWatchMetricsWindows'>>({
    startToCloseTimeout: '20s',
    scheduleToCloseTimeout: retryBudgetMs,
    retry: PAYCA_RETRY,
    summary,
  });
}

export function cutoverActivities(summary: string) {
  return proxyActivities<CutoverActivities>({
    startToCloseTimeout: '60s',
    heartbeatTimeout: '20s',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
    summary,
  });
}

/**
 * A notice: the activity retries the webhook itself within `retryBudgetMs` and answers "not delivered"
 * rather than failing, so Temporal only retries it when its worker is lost. It heartbeats between tries.
 */
export function noticeActivities(summary: string, retryBudgetMs: number, attemptTimeoutMs: number) {
  return proxyActivities<Pick<CutoverActivities, 'notify'>>({
    startToCloseTimeout: retryBudgetMs + attemptTimeoutMs + 30_000,
    heartbeatTimeout: attemptTimeoutMs + 20_000,
    retry: { initialInterval: '1s', maximumInterval: '10s', maximumAttempts: 2 },
    summary,
  });
}

export interface ActivityProblem {
  type: string;
  message: string;
  requestId?: string;
}

/** The named error and PayCA request id behind a failed activity, for the stage's hold reason. */
export function activityProblem(err: unknown): ActivityProblem {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) {
    // The server ends an activity that outlives its retry budget (or an attempt's own limit) with a bare
    // timeout failure: give it a stable code and say which limit ran out, so the hold reason is named.
    const attempt = cause.cause instanceof TimeoutFailure ? `; last attempt: ${cause.cause.message}` : '';
    return {
      type: FAILURE_TYPES.ACTIVITY_TIMED_OUT,
      message: `the activity ran out of time (${cause.timeoutType ?? 'timeout'}: ${cause.message}${attempt})`,
    };
  }
  if (cause instanceof ApplicationFailure) return applicationProblem(cause);
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: 'Error', message: String(cause) };
}

function applicationProblem(failure: ApplicationFailure): ActivityProblem {
  const details = failure.details?.[0] as { requestId?: string } | undefined;
  return { type: failure.type ?? 'Error', message: failure.message, requestId: details?.requestId };
}
