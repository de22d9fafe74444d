/** The post-launch watch's read: PayCA's metrics for one interval and the master accounts' balances now. */
import { Context } from '@temporalio/activity';
import { paycaCall } from '../../payca/activity-failure.js';
import type { MetricsTotals } from '../../workflows/definitions.js';
import type { PaycaClients } from '../payca-clients.js';

export interface WatchMetricsInput {
  baseUrl: string;
  /** The interval, half-open [from, to), ISO 8601 on the wall clock PayCA keeps. */
  fromIso: string;
  toIso: string;
}

export interface WatchMetricsResult {
  metrics: MetricsTotals;
  accounts: { id: string; currency: string; available: number; status: string }[];
  requestIds: string[];
}

export function createWatchMetricsActivities({ payca }: { payca: PaycaClients }) {
  return {
    async readWatchMetrics(input: WatchMetricsInput): Promise<WatchMetricsResult> {
      const signal = Context.current().cancellationSignal;
      const client = payca.get('production', input.baseUrl);
      const metrics = await paycaCall(() => client.getMetrics(input.fromIso, input.toIso, { signal }));
      const accounts = await paycaCall(() => client.listAccounts({ signal }));
      const m = metrics.body;
      return {
        metrics: {
          authorizations: { approved: m.authorizations.approved, declined: m.authorizations.declined },
          settlements: { count: m.settlements.count, amount: m.settlements.amount },
          refunds: { count: m.refunds.count, amount: m.refunds.amount },
          fees: { amount: m.fees.amount, currency: m.fees.currency },
          webhooks: { succeeded: m.webhooks.succeeded, failed: m.webhooks.failed },
          rateLimited: m.rateLimited,
        },
        accounts: accounts.body.data.map((a) => ({ id: a.id, currency: a.currency, available: a.available.amount, status: a.status })),
        requestIds: [metrics.requestId, accounts.requestId],
      };
    },
  };
}
