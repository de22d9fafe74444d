/** `POST /sandbox/transactions`: simulated authorizations, sandbox only. */
import { findCard } from './card-routes.js';
import { SimError, type SimResponse } from './http-io.js';
import { newId } from './ids.js';
import type { RouteContext } from './route-context.js';
import { parseBody, SandboxTransactionBody } from './schemas.js';
import type { Card, SimulatorState } from './state.js';

type Decision = { status: 'approved' } | { status: 'declined'; declineReason: string };

function decide(state: SimulatorState, card: Card, amount: number, mcc: string, country: string): Decision {
  const bin = state.bins.find((candidate) => candidate.bin === card.bin);
  if (card.status === 'closed') return { status: 'declined', declineReason: 'card_closed' };
  if (bin?.restrictions.mccBlocked.includes(mcc)) return { status: 'declined', declineReason: 'mcc_blocked' };
  if (bin && !bin.restrictions.countries.includes(country)) return { status: 'declined', declineReason: 'country_not_allowed' };
  if (card.balance < amount) return { status: 'declined', declineReason: 'insufficient_funds' };
  return { status: 'approved' };
}

/** Approved authorizations settle at once: the sandbox has no clearing cycle to wait for. */
export function simulateTransaction(context: RouteContext): SimResponse {
  const { state, now, webhooks } = context;
  if (state.mode === 'production') {
    throw new SimError('ErrNotAvailableInProduction', 'POST /sandbox/transactions exists only in the sandbox environment');
  }
  const input = parseBody(SandboxTransactionBody, context.body);
  const card = findCard(state, input.cardId);
  if (input.currency !== card.currency) {
    throw new SimError('ErrValidation', `currency: ${input.currency} does not match card ${card.id} currency ${card.currency}`);
  }

  const decision = decide(state, card, input.amount, input.merchant.mcc, input.merchant.country);
  const at = now().toISOString();
  const authorizationId = newId('auth');
  state.authorizations.push({
    id: authorizationId,
    cardId: card.id,
    ...decision,
    amount: input.amount,
    currency: input.currency,
    merchant: input.merchant,
    at,
  });
  if (decision.status === 'approved') {
    card.balance -= input.amount;
    state.ledger.push({
      id: newId('led'),
      cardId: card.id,
      type: 'authorization',
      amount: input.amount,
      currency: input.currency,
      transactionId: authorizationId,
      createdAt: at,
    });
    state.counters.ledgerEntries += 1;
    state.settlements.push({ count: 1, amount: input.amount, at });
  }

  const body = { authorizationId, ...decision };
  webhooks.emit(decision.status === 'approved' ? 'authorization.approved' : 'authorization.declined', {
    ...body,
    cardId: card.id,
    amount: input.amount,
    currency: input.currency,
    merchant: input.merchant,
  });
  return { status: 201, body };
}
