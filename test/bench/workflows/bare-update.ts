/**
 * The baseline for the approval round trip: a workflow that does nothing but take an update and then run
 * a trivial activity, over and over. Whatever it costs is Temporal's own price for that round trip.
 */
import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface BareActivities {
  touch(round: number): Promise<number>;
}

export const pokeUpdate = defineUpdate<number, []>('poke');
/** Rounds whose activity has completed, so the driver knows when to send the next update. */
export const roundsDoneQuery = defineQuery<number>('rounds-done');

/**
 * `activityQueue`: run the activity on another task queue, as a cutover runs its PayCA calls. On its own
 * queue the server hands the activity straight back to the worker that completes the workflow task
 * (eager dispatch); on another it goes through matching to that queue's pollers.
 */
export async function bareUpdateWorkflow(rounds: number, activityQueue?: string): Promise<number> {
  const { touch } = proxyActivities<BareActivities>({
    startToCloseTimeout: '10 seconds',
    ...(activityQueue !== undefined && { taskQueue: activityQueue }),
  });
  let pending = 0;
  let done = 0;
  setHandler(pokeUpdate, () => {
    pending += 1;
    return done;
  });
  setHandler(roundsDoneQuery, () => done);
  while (done < rounds) {
    await condition(() => pending > 0);
    pending -= 1;
    await touch(done);
    done += 1;
  }
  return done;
}
