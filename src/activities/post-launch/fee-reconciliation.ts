/**
 * T+24h (Finance): the day's fees as PayCA's metrics counted them against the fee statement PayCA bills.
 * A difference above the plan's tolerance is what Finance must look at before the launch is closed.
 */
import { Context } from '@temporalio/activity';
import { paycaCall } from '../../payca/activity-failure.js';
import type { PaycaClients } from '../payca-clients.js';

export interface FeeReconciliationInput {
  baseUrl: string;
  /** The statement day, yyyy-mm-dd (UTC). */
  date: string;
  currency: string;
  tolerance: number;
}

export interface FeeReconciliationResult {
  date: string;
  currency: string;
  /** Fees PayCA's metrics counted over the day, minor units. */
  metricsFees: number;
  /** The statement's total and its lines, minor units. */
  statementFees: number;
  statementByType: Record<string, number>;
  /** Statement minus metrics: positive when PayCA billed more than the traffic explains. */
  difference: number;
  tolerance: number;
  matches: boolean;
  requestIds: { metrics: string; statement: string };
}

export function createFeeReconciliationActivities({ payca }: { payca: PaycaClients }) {
  return {
    async reconcileDayFees(input: FeeReconciliationInput): Promise<FeeReconciliationResult> {
      const signal = Context.current().cancellationSignal;
      const client = payca.get('production', input.baseUrl);
      const from = new Date(`${input.date}T00:00:00.000Z`);
      const to = new Date(from.getTime() + 86_400_000);
      const metrics = await paycaCall(() => client.getMetrics(from.toISOString(), to.toISOString(), { signal }));
      const statement = await paycaCall(() => client.getStatement(input.date, { signal }));
      const metricsFees = metrics.body.fees.currency === input.currency ? metrics.body.fees.amount : 0;
      const statementFees = statement.body.currency === input.currency ? statement.body.fees.total : 0;
      const difference = statementFees - metricsFees;
      return {
        date: input.date,
        currency: input.currency,
        metricsFees,
        statementFees,
        statementByType: statement.body.fees.byType,
        difference,
        tolerance: input.tolerance,
        matches: Math.abs(difference) <= input.tolerance,
        requestIds: { metrics: metrics.requestId, statement: statement.requestId },
      };
    },
  };
}
