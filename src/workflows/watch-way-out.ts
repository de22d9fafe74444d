/**
 * The watch outlives each run of the cutover (parent-close ABANDON), so that it survives continue-as-new.
 * Any other way out, a failure or a cancellation from outside, would leave it running with nobody to read
 * it: on its way out the cutover ends it, as the lead would, and keeps its record. After roll-forward a
 * failing run has already cancelled it (post-launch.ts); a cancellation never reaches the run, so it is
 * handled here in every phase.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  TemporalFailure,
} from '@temporalio/workflow';
import type { CutoverContext } from './cutover-context.js';
import { hasRolledForward } from './rolled-forward.js';
import { addWatchDecision } from './state-bounds.js';
import { watchControlSignal, watchWorkflowId, type WatchDecision } from './watch-protocol.js';

/** Cutovers that failed or were cancelled before left their watch running, and replay that way. */
export const WATCH_ENDS_WITH_CUTOVER_PATCH = 'live-window-ends-with-cutover';

/** How long a cutover on its way out waits for its ended watch's record before it closes without it. */
const RECORD_WAIT = '10 minutes';

export async function endWatchOnWayOut(ctx: CutoverContext, err: unknown): Promise<void> {
  // Continuing as new hands the watch to the next run, and an error that is no Temporal failure only fails the
  // workflow task, which Temporal retries until the code is fixed: neither is a way out.
  if (!(err instanceof TemporalFailure)) return;
  const { status, flags } = ctx;
  const watch = status.watch;
  // A watch that does not outlive the run ends with it (parent-close TERMINATE).
  if (!watch || watch.finishedAt !== undefined || !flags.watchOutlivesRun) return;
  const cancelled = isCancellation(err);
  if (hasRolledForward(status) && !cancelled) return;
  if (!patched(WATCH_ENDS_WITH_CUTOVER_PATCH)) return;
  const decision: WatchDecision = {
    kind: 'end',
    by: 'cutover',
    reason: (cancelled ? 'the cutover was cancelled' : `the cutover failed: ${err.message}`).slice(0, 500),
    at: ctx.nowIso(),
  };
  // A cancelled cutover may still end its watch: this part is not cancelled with it.
  await CancellationScope.nonCancellable(async () => {
    addWatchDecision(status, watch.decisions, decision, ctx.boundedState);
    try {
      await getExternalWorkflowHandle(watchWorkflowId(ctx.workflowId)).signal(watchControlSignal, { ...decision, link: flags.watchLink });
      // The watch sends its result as a message (it outlives runs), which sets finishedAt.
      await condition(() => watch.finishedAt !== undefined, RECORD_WAIT);
      ctx.publish();
    } catch (endErr) {
      log.warn('the watch could not be ended with the cutover', { error: String(endErr) });
    }
  });
}
