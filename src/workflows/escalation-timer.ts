/**
 * How a hold waits for its people with a timeout to escalate on. `condition(fn, timeout)` cancels its
 * timer the moment `fn` comes true, which puts a cancel command into the very workflow task that answers
 * the approval. Cutovers started with LEAN_APPROVALS_PATCH (search-index.ts) start the timer outside the
 * hold's cancellation scope and leave it to run out: when it fires after its hold has ended, it wakes the
 * workflow once and changes nothing, off the approval's path. Runs started before wait as they were recorded.
 */
import { CancellationScope, condition, sleep, type TimerOptions } from '@temporalio/workflow';

/** True if `fn` came true, false if the timeout came first; `fn` wins when both happen in one activation. */
export async function holdUntil(fn: () => boolean, timeoutMs: number, options: TimerOptions, leaveTimer: boolean): Promise<boolean> {
  if (!leaveTimer) return condition(fn, timeoutMs, options);
  let rang = false;
  // Not cancellable: neither the hold settling nor an abort cancels it.
  void CancellationScope.nonCancellable(() => sleep(timeoutMs, options)).then(() => {
    rang = true;
  });
  await condition(() => fn() || rang);
  return fn();
}
