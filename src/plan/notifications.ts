/**
 * Defaults of the plan's `notifications` budgets. Pure code with no imports, so the workflow sandbox can
 * use it too.
 */

/** A notice keeps trying for minutes: it never holds up the timeline, and a webhook often recovers that fast. */
export const DEFAULT_NOTIFY_RETRY_BUDGET_MS = 5 * 60_000;
/** How long one POST to the webhook may take before it counts as failed. */
export const DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS = 10_000;
