/**
 * Starting the post-launch watch as a child, taking over from a watch an earlier run of the same cutover
 * left running. A run that was reset, or terminated and started again under the same id, finds that
 * watch still holding the id (it outlives runs, parent-close ABANDON): its controls answer to a link this
 * run cannot know, so it would neither take this run's decisions nor report to it, and the cutover would
 * wait on it for ever. It is cancelled (it closes as cancelled, its record in its own history) and this
 * run starts its own.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  getExternalWorkflowHandle,
  patched,
  sleep,
  startChild,
  type ChildWorkflowHandle,
  type ChildWorkflowOptions,
} from '@temporalio/workflow';
import { postLaunchWatchWorkflow } from './post-launch-watch.js';
import type { WatchInput } from './watch-protocol.js';

/** Cutovers whose watch start failed on an earlier run's watch replay that failure. */
export const WATCH_REPLACES_EARLIER_RUNS_PATCH = 'watch-replaces-earlier-runs-watch';

/** How often, and how many times, the start is tried again while the cancelled watch closes. */
const RETRY_EVERY = '1 second';
const RETRIES = 60;

export async function startWatchChild(
  input: WatchInput,
  options: Omit<ChildWorkflowOptions, 'typeInfo' | 'args'> & { workflowId: string },
): Promise<ChildWorkflowHandle<typeof postLaunchWatchWorkflow>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await startChild(postLaunchWatchWorkflow, { ...options, args: [input] });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt >= RETRIES || !patched(WATCH_REPLACES_EARLIER_RUNS_PATCH))
        throw err;
      if (attempt === 0) await getExternalWorkflowHandle(options.workflowId).cancel();
      await sleep(RETRY_EVERY);
    }
  }
}
