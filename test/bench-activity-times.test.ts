/** Benchmark 5's profile of a timeline's activities, from histories. */
import assert from 'node:assert/strict';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { activityTimes } from './bench/activity-times.js';

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

function history(offsetMs: number): History {
  return {
    events: [
      { eventId: 5, eventTime: at(offsetMs), activityTaskScheduledEventAttributes: { activityType: { name: 'checkFunding' } } },
      { eventId: 6, eventTime: at(offsetMs + 100), activityTaskStartedEventAttributes: { scheduledEventId: 5 } },
      { eventId: 7, eventTime: at(offsetMs + 350), activityTaskCompletedEventAttributes: { scheduledEventId: 5, startedEventId: 6 } },
      {
        eventId: 8,
        eventTime: at(offsetMs + 400),
        activityTaskScheduledEventAttributes: { activityType: { name: 'awaitWebhookDelivery' } },
      },
      { eventId: 9, eventTime: at(offsetMs + 2_400), activityTaskStartedEventAttributes: { scheduledEventId: 8 } },
      { eventId: 10, eventTime: at(offsetMs + 7_400), activityTaskFailedEventAttributes: { scheduledEventId: 8, startedEventId: 9 } },
      // Still running when the history was read: neither waited nor ran yet, so not counted.
      { eventId: 11, eventTime: at(offsetMs + 7_500), activityTaskScheduledEventAttributes: { activityType: { name: 'notify' } } },
    ],
  } as unknown as History;
}

describe('activity times from histories', () => {
  it('splits each closed activity into its wait for a worker and its run, by type, slowest in all first', () => {
    const times = activityTimes([history(0), history(60_000)]);
    assert.deepEqual(times, [
      { type: 'awaitWebhookDelivery', count: 2, waitedMedianMs: 2_000, waitedTotalMs: 4_000, ranMedianMs: 5_000, ranTotalMs: 10_000 },
      { type: 'checkFunding', count: 2, waitedMedianMs: 100, waitedTotalMs: 200, ranMedianMs: 250, ranTotalMs: 500 },
    ]);
  });
});
