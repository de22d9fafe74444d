/**
 * The post-launch watch's read: PayCA's metrics for one interval (or, when the watch has fallen behind its
 * plan clock, for each of several intervals in turn) and the master accounts' balances now.
 */
import { Context } from '@temporalio/activity';
import { paycaCall } from '../../payca/activity-failure.js';
import type { Metrics } from '../../payca/schemas.js';
import type { MetricsTotals } from '../../workflows/watch-protocol.js';
import type { PaycaClients } from '../payca-clients.js';

export interface MetricsWindow {
  /** The interval, half-open [from, to), ISO 8601 on the wall clock PayCA keeps. */
  fromIso: string;
  toIso: string;
}

export interface WatchMetricsInput extends MetricsWindow {
  baseUrl: string;
}

export type WatchAccount = { id: string; currency: string; available: number; status: string };

export interface WatchMetricsResult {
  metrics: MetricsTotals;
  accounts: WatchAccount[];
  requestIds: string[];
}

export interface WatchMetricsWindowsInput {
  baseUrl: string;
  /** Consecutive intervals, oldest first. */
  windows: MetricsWindow[];
}

export interface WatchMetricsWindowsResult {
  /** One per window, in the same order; fewer when PayCA refused part-way (the rest are read next). */
  intervals: { metrics: MetricsTotals; requestId: string }[];
  accounts: WatchAccount[];
  accountsRequestId: string;
}

function totalsOf(m: Metrics): MetricsTotals {
  return {
    authorizations: { approved: m.authorizations.approved, declined: m.authorizations.declined },
    settlements: { count: m.settlements.count, amount: m.settlements.amount },
    refunds: { count: m.refunds.count, amount: m.refunds.amount },
    fees: { amount: m.fees.amount, currency: m.fees.currency },
    webhooks: { succeeded: m.webhooks.succeeded, failed: m.webhooks.failed },
    rateLimited: m.rateLimited,
  };
}

export function createWatchMetricsActivities({ payca }: { payca: PaycaClients }) {
  return {
    async readWatchMetrics(input: WatchMetricsInput): Promise<WatchMetricsResult> {
      const signal = Context.current().cancellationSignal;
      const client = payca.get('production', input.baseUrl);
      // Two independent reads: asked together, a read costs one round trip to PayCA rather than two.
      const [metrics, accounts] = await Promise.all([
        paycaCall(() => client.getMetrics(input.fromIso, input.toIso, { signal })),
        paycaCall(() => client.listAccounts({ signal })),
      ]);
      return {
        metrics: totalsOf(metrics.body),
        accounts: accounts.body.data.map((a) => ({ id: a.id, currency: a.currency, available: a.available.amount, status: a.status })),
        requestIds: [metrics.requestId, accounts.requestId],
      };
    },

    /**
     * A catch-up read: the balances once, since a balance is only ever known now, then the metrics of each
     * window in turn (the rules judge each interval on its own, so the windows are not merged into one).
     */
    async readWatchMetricsWindows(input: WatchMetricsWindowsInput): Promise<WatchMetricsWindowsResult> {
      const signal = Context.current().cancellationSignal;
      const client = payca.get('production', input.baseUrl);
      const accounts = await paycaCall(() => client.listAccounts({ signal }));
      const intervals: WatchMetricsWindowsResult['intervals'] = [];
      for (const window of input.windows) {
        try {
          const metrics = await paycaCall(() => client.getMetrics(window.fromIso, window.toIso, { signal }));
          intervals.push({ metrics: totalsOf(metrics.body), requestId: metrics.requestId });
        } catch (err) {
          // Several calls in one activity can meet PayCA's rate limit part-way: what was read is kept and
          // the watch reads the rest next, rather than a retry reading every window again.
          if (intervals.length === 0) throw err;
          break;
        }
      }
      return {
        intervals,
        accounts: accounts.body.data.map((a) => ({ id: a.id, currency: a.currency, available: a.available.amount, status: a.status })),
        accountsRequestId: accounts.requestId,
      };
    },
  };
}
