/**
 * `GET /v1/authorizations/{id}`: one authorization as PayCA recorded it, whichever way it came in (the
 * sandbox's simulated transactions, or a real card payment, which the admin API stands in for).
 */
import { SimError, type SimResponse } from './http-io.js';
import { param, type RouteContext } from './route-context.js';
import type { AuthorizationRecord, SimulatorState } from './state.js';

export function publicAuthorization(record: AuthorizationRecord) {
  return {
    id: record.id,
    cardId: record.cardId,
    status: record.status,
    ...(record.declineReason !== undefined && { declineReason: record.declineReason }),
    amount: { amount: record.amount, currency: record.currency },
    merchant: record.merchant ?? null,
    createdAt: record.at,
  };
}

export function findAuthorization(state: SimulatorState, id: string): AuthorizationRecord {
  // Synthetic authorizations only move the metrics report; they have no card and no record to read.
  const record = state.authorizations.find((candidate) => candidate.id === id && candidate.cardId !== '');
  if (!record) throw new SimError('ErrNotFound', `authorization ${id} not found`);
  return record;
}

export function getAuthorization(context: RouteContext): SimResponse {
  return { status: 200, body: publicAuthorization(findAuthorization(context.state, param(context, 'id'))) };
}
