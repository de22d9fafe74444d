/**
 * Cancelling a cutover from outside (`temporal workflow cancel`) ends it as cancelled. The run itself is kept
 * out of the cancellation: cancelled, its many waits would reject at once with nobody left to handle them,
 * which fails every workflow task and leaves the cutover stuck. The cancellation reaches the caller instead,
 * which then ends what must not outlive the cutover (the watch from T) before the cutover closes. The lead's
 * abort, which undoes the cutover's changes, stays the way to stop a cutover on purpose; a cancelled one owes
 * what `cutover undo` runs.
 */
import { CancellationScope, patched } from '@temporalio/workflow';

/** Cutovers started before a cancellation could end them replay with it reaching the run, as they ran. */
export const CANCELLATION_AS_WAY_OUT_PATCH = 'cutover-cancellation-as-way-out';

export async function withCancellationAsWayOut<T>(run: () => Promise<T>): Promise<T> {
  if (!patched(CANCELLATION_AS_WAY_OUT_PATCH)) return run();
  const cancelled = CancellationScope.current().cancelRequested;
  return Promise.race([CancellationScope.nonCancellable(run), cancelled.then(() => new Promise<never>(() => undefined))]);
}
