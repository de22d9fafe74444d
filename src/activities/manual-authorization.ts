/**
 * The go-live gate's check of the real low-risk authorization an approver ran by hand (runbook section 4):
 * PayCA production must know it, have approved it, on a card of this programme, for no more than the plan
 * allows and within the change window. A finding that refuses the approval is returned, not thrown, so the
 * approver reads it as the reason; only transport trouble fails the activity (and is retried).
 */
import { Context } from '@temporalio/activity';
import { PaycaError } from '../errors.js';
import { paycaCall } from '../payca/activity-failure.js';
import type { PaycaClients } from './payca-clients.js';

export interface VerifyAuthorizationInput {
  baseUrl: string;
  authorizationId: string;
  /** Integer minor units of the authorization's currency. */
  maxAmount: number;
  maxAgeMs: number;
  /** PayCA's clock when the change window's smoke tests began; absent for runs that did not record it. */
  windowOpenedAt?: string;
}

export interface VerifiedAuthorization {
  authorizationId: string;
  cardId: string;
  accountId: string;
  last4: string;
  amount: number;
  currency: string;
  merchant: string | null;
  createdAt: string;
  /** Age on PayCA's clock when the gate read it. */
  ageSeconds: number;
  requestIds: { authorization: string; card: string; accounts: string; clock: string };
}

export type AuthorizationVerdict = { ok: true; authorization: VerifiedAuthorization } | { ok: false; reason: string };

export function createManualAuthorizationActivities({ payca }: { payca: PaycaClients }) {
  const signal = () => Context.current().cancellationSignal;

  return {
    async verifyManualAuthorization(input: VerifyAuthorizationInput): Promise<AuthorizationVerdict> {
      const client = payca.get('production', input.baseUrl);
      const id = input.authorizationId;
      const refuse = (reason: string): AuthorizationVerdict => ({ ok: false, reason: `authorization ${id} ${reason}` });

      const read = await readOrMissing(() => client.getAuthorization(id, { signal: signal() }));
      if (read === 'missing') {
        return refuse(
          `is not known to PayCA production (${input.baseUrl}); give the id PayCA returned for the low-risk authorization run on the production programme`,
        );
      }
      const auth = read.body;
      const where = `(request ${read.requestId})`;
      if (auth.status !== 'approved') {
        return refuse(
          `was ${auth.status}${auth.declineReason ? ` (${auth.declineReason})` : ''}, not approved ${where}; run another low-risk authorization and give its id`,
        );
      }
      const card = await readOrMissing(() => client.getCard(auth.cardId, { signal: signal() }));
      if (card === 'missing')
        return refuse(`is on card ${auth.cardId}, which this programme's production credentials cannot read ${where}`);
      const accounts = await paycaCall(() => client.listAccounts({ signal: signal() }));
      if (!accounts.body.data.some((a) => a.id === card.body.accountId)) {
        return refuse(
          `is on card ${auth.cardId} of account ${card.body.accountId}, which is not one of this programme's master accounts (${accounts.body.data.map((a) => a.id).join(', ') || 'none'}) ${where}`,
        );
      }
      if (auth.amount.amount > input.maxAmount) {
        return refuse(
          `is for ${auth.amount.amount} ${auth.amount.currency} (minor units), above the plan's low-risk limit of ${input.maxAmount} (smokeTest.authorization.maxAmount) ${where}`,
        );
      }
      // PayCA's own clock, so a skewed worker clock cannot make an old authorization look fresh.
      const clock = await paycaCall(() => client.health({ signal: signal() }));
      const paycaNowMs = Date.parse(clock.body.time);
      const createdMs = Date.parse(auth.createdAt);
      const ageMs = paycaNowMs - createdMs;
      if (ageMs > input.maxAgeMs) {
        return refuse(
          `was made at ${auth.createdAt}, ${Math.round(ageMs / 60_000)} min ago by PayCA's clock, older than the plan allows (smokeTest.authorization.maxAge, ${Math.round(input.maxAgeMs / 60_000)} min) ${where}`,
        );
      }
      if (input.windowOpenedAt !== undefined && createdMs < Date.parse(input.windowOpenedAt)) {
        return refuse(
          `was made at ${auth.createdAt}, before the change window opened (${input.windowOpenedAt} by PayCA's clock) ${where}; run it during the change window`,
        );
      }
      return {
        ok: true,
        authorization: {
          authorizationId: auth.id,
          cardId: auth.cardId,
          accountId: card.body.accountId,
          last4: card.body.last4,
          amount: auth.amount.amount,
          currency: auth.amount.currency,
          merchant: auth.merchant ? `${auth.merchant.name} (MCC ${auth.merchant.mcc}, ${auth.merchant.country})` : null,
          createdAt: auth.createdAt,
          ageSeconds: Math.max(0, Math.round(ageMs / 1000)),
          requestIds: { authorization: read.requestId, card: card.requestId, accounts: accounts.requestId, clock: clock.requestId },
        },
      };
    },
  };
}

/** A 404 is a finding about the id, not a failure to retry. */
async function readOrMissing<T>(read: () => Promise<T>): Promise<T | 'missing'> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof PaycaError && err.code === 'ErrNotFound') return 'missing';
    return paycaCall(() => Promise.reject(err));
  }
}
