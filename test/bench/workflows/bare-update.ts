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

const { touch } = proxyActivities<BareActivities>({ startToCloseTimeout: '10 seconds' });

export async function bareUpdateWorkflow(rounds: number): Promise<number> {
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
