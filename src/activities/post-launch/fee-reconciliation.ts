/**
 * T+24h (Finance): the day's fees as PayCA's metrics counted them against the fee statement PayCA bills,
 * currency by currency. A difference above the plan's tolerance, a statement line in a currency the plan
 * does not use, or a currency the plan uses that the statement lacks, is what Finance must look at before
 * the launch is closed.
 */
import { Context } from '@temporalio/activity';
import { paycaCall } from '../../payca/activity-failure.js';
import type { PaycaClients } from '../payca-clients.js';
import { reconcileCurrencies, type CurrencyFees } from '../../plan/fee-reconciliation.js';

export interface FeeReconciliationInput {
  baseUrl: string;
  /** The statement day, yyyy-mm-dd (UTC). */
  date: string;
  /** The only currency reconciled by cutovers scheduled before reconciliation went per currency. */
  currency: string;
  /** Every currency the programme uses. */
  currencies?: string[];
  tolerance: number;
}

export interface FeeReconciliationResult {
  date: string;
  /** The currencies the plan expects, sorted. */
  currencies: string[];
  /** One row per expected currency, and per other currency the statement bills or the metrics count. */
  byCurrency: CurrencyFees[];
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
      // A PayCA answering in the single-currency shape still counts: its one currency is all it reports.
      const metricsByCurrency = metrics.body.feesByCurrency ?? { [metrics.body.fees.currency]: metrics.body.fees.amount };
      const statementLines =
        statement.body.lines ??
        Object.entries(statement.body.fees.byType).map(([type, amount]) => ({ currency: statement.body.currency, type, amount }));
      const currencies = [...new Set(input.currencies ?? [input.currency])].sort();
      const byCurrency = reconcileCurrencies({ expected: currencies, metricsByCurrency, statementLines, tolerance: input.tolerance });
      return {
        date: input.date,
        currencies,
        byCurrency,
        tolerance: input.tolerance,
        matches: byCurrency.every((row) => row.matches),
        requestIds: { metrics: metrics.requestId, statement: statement.requestId },
      };
    },
  };
}
