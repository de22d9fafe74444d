import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { createCutoverActivities } from '../src/activities/index.js';
import type { PaycaClients } from '../src/activities/payca-clients.js';
import { createWatchMetricsActivities } from '../src/activities/post-launch/watch-metrics.js';
import { CutoverError } from '../src/errors.js';
import {
  activitiesOnceLoaded,
  checkCutoverQueueNames,
  CUTOVER_QUEUE_ACTIVITY_NAMES,
  type CutoverQueueActivities,
} from '../src/worker/cutover-queue-activities.js';

describe("the cutover queue's activities, registered by name before their code loads", () => {
  const built = () => ({
    ...createCutoverActivities({ temporal: {} as Client }),
    ...createWatchMetricsActivities({ payca: {} as PaycaClients }),
  });

  it('lists exactly the activities the worker builds for the queue', () => {
    assert.deepEqual(Object.keys(built()).sort(), [...CUTOVER_QUEUE_ACTIVITY_NAMES].sort());
    assert.doesNotThrow(() => checkCutoverQueueNames(built()));
  });

  it('refuses activity code with a name the list lacks, or without one it has, naming both', () => {
    const { notify: _notify, ...withoutNotify } = built();
    assert.throws(
      () => checkCutoverQueueNames({ ...withoutNotify, sendPager: async () => undefined }),
      (err: unknown) =>
        err instanceof CutoverError && /not listed: sendPager/.test(err.message) && /listed but absent: notify/.test(err.message),
    );
  });

  it('runs an activity started before the code has loaded once it has, on the loaded object', async () => {
    let load: (code: CutoverQueueActivities) => void = () => undefined;
    const activities = activitiesOnceLoaded(new Promise((resolve) => (load = resolve)));
    assert.deepEqual(Object.keys(activities), [...CUTOVER_QUEUE_ACTIVITY_NAMES]);
    const code = {
      ...built(),
      prefix: 'checked',
      async httpCheck(this: { prefix: string }, url: string) {
        return `${this.prefix} ${url}`;
      },
    } as unknown as CutoverQueueActivities;
    const answer = activities['httpCheck']!('http://127.0.0.1/ready');
    load(code);
    assert.equal(await answer, 'checked http://127.0.0.1/ready');
  });
});
