/** T-12h (Treasury): production master-account balances against the plan's prefund minimums. */
import { Context } from '@temporalio/activity';
import { paycaCall } from '../payca/activity-failure.js';
import type { PaycaClients } from './payca-clients.js';

export interface FundingCheckInput {
  baseUrl: string;
  /** Minimum available balance per currency, minor units. */
  minimums: Record<string, number>;
}

export interface FundingShortfall {
  currency: string;
  minimum: number;
  available: number;
  missing: number;
}

export interface FundingCheckResult {
  accounts: { id: string; currency: string; available: number; status: string }[];
  shortfalls: FundingShortfall[];
  requestId: string;
}

export function createFundingCheckActivities({ payca }: { payca: PaycaClients }) {
  return {
    async checkFunding(input: FundingCheckInput): Promise<FundingCheckResult> {
      const signal = Context.current().cancellationSignal;
      const answer = await paycaCall(() => payca.get('production', input.baseUrl).listAccounts({ signal }));
      const accounts = answer.body.data.map((a) => ({
        id: a.id,
        currency: a.currency,
        available: a.available.amount,
        status: a.status,
      }));
      const shortfalls = Object.entries(input.minimums)
        .map(([currency, minimum]) => {
          // Only active accounts can fund authorizations; a frozen account's balance does not count.
          const available = accounts
            .filter((a) => a.currency === currency && a.status === 'active')
            .reduce((sum, a) => sum + a.available, 0);
          return { currency, minimum, available, missing: Math.max(0, minimum - available) };
        })
        .filter((s) => s.missing > 0);
      return { accounts, shortfalls, requestId: answer.requestId };
    },
  };
}
