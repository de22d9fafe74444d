/**
 * The automated readiness items: each runs its check at the start and again on each `retry-item`, beside
 * the timeline, until the timeline ends. The checks themselves live in readiness-checks.ts.
 */
import { condition, setCurrentDetails, type CancellationScope } from '@temporalio/workflow';
import type { AutomatedCheck } from '../runbook/readiness-items.js';
import { activityProblem } from './activity-proxies.js';
import type { CutoverContext } from './cutover-context.js';
import { renderCurrentDetails } from './current-details.js';
import type { ChecklistItemState } from './cutover-state.js';
import { createReadinessChecks } from './readiness-checks.js';
import { cancelledByAbort } from './stage-runner.js';

/** Starts every automated item's check in `inFlight`; settles once the timeline is over and the last check ended. */
export function runReadiness(ctx: CutoverContext, inFlight: CancellationScope): Promise<unknown> {
  const { plan, status, resumed, compensations, retryItemRequested, flags, nowIso, publish, checklistItem } = ctx;

  const readinessChecks = createReadinessChecks({
    plan,
    compensations,
    item: (id) => status.checklist.find((i) => i.id === id),
    // Current details only: no command, so the history is the same whether or not the UI follows progress.
    progressed: () => setCurrentDetails(renderCurrentDetails(status)),
  });

  /** Runs one automated item's check now and again on each `retry-item`, until the timeline ends. */
  async function runReadinessItem(item: ChecklistItemState, check: AutomatedCheck): Promise<void> {
    // A run that continues an earlier one only waits for re-runs of the checks the earlier run made.
    let checkNow = !(resumed && item.attempts > 0);
    for (;;) {
      if (checkNow) await checkReadinessItem(item, check);
      checkNow = true;
      await condition(() => retryItemRequested.has(item.id) || flags.timelineOver);
      if (flags.timelineOver) return;
      retryItemRequested.delete(item.id);
    }
  }

  async function checkReadinessItem(item: ChecklistItemState, check: AutomatedCheck): Promise<void> {
    item.status = 'checking';
    item.attempts += 1;
    item.problems = [];
    item.progress = undefined;
    publish();
    try {
      const outcome = await readinessChecks[check]();
      item.problems = outcome.problems;
      item.evidence = outcome.evidence;
    } catch (err) {
      const problem = activityProblem(err);
      item.problems = cancelledByAbort(ctx, err)
        ? ['not finished: the cutover was aborted while this check ran']
        : [`${problem.type}: ${problem.message}${problem.requestId ? ` (request ${problem.requestId})` : ''}`];
    }
    // A waiver given while the check ran stands; the check's findings stay on record beside it.
    if ((item.status as ChecklistItemState['status']) !== 'waived') {
      item.status = item.problems.length > 0 ? 'failed' : 'done';
      item.at = nowIso();
    }
    publish();
  }

  return inFlight
    .run(() =>
      Promise.all(
        plan.readiness.items
          .filter((planned) => planned.kind === 'automated' && planned.check)
          .map((planned) => runReadinessItem(checklistItem(planned.id), planned.check as AutomatedCheck)),
      ),
    )
    .catch((err: unknown) => {
      if (!cancelledByAbort(ctx, err)) throw err;
    });
}
