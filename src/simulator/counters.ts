/**
 * What `GET /_sim/counters` answers: the simulator's running tallies plus the parts derived when read
 * (webhook deliveries by status, the PayCA call rate). The simulator builds it, the demo and the tests
 * read it with this schema, so the three agree on one shape.
 */
import { z } from 'zod';
import { CallRate } from './call-rate.js';

const Count = z.number().int().nonnegative();

/** The tallies the simulator keeps as requests arrive. */
export const CounterTallies = z.object({
  cardsIssued: Count,
  cardsClosed: Count,
  topUps: Count,
  ledgerEntries: Count,
  webhookSubscriptionsCreated: Count,
  webhookSubscriptionsDeleted: Count,
  /** Success answers by HTTP status ("200"), error answers by code ("ErrRateLimited"). */
  answersByCode: z.record(z.string(), Count),
  requests: Count,
  idempotentReplays: Count,
  jobChanges: Count,
});
export type CounterTallies = z.infer<typeof CounterTallies>;

export const SimulatorCounters = CounterTallies.extend({
  webhookDeliveries: z.object({ succeeded: Count, failed: Count, pending: Count }),
  callRate: CallRate,
});
export type SimulatorCounters = z.infer<typeof SimulatorCounters>;
