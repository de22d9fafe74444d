/** Read-only programme views: health, master accounts, programme config and the BIN catalogue. */
import type { SimResponse } from './http-io.js';
import type { RouteContext } from './route-context.js';
import type { Account } from './state.js';

export function publicAccount(account: Account) {
  return {
    id: account.id,
    currency: account.currency,
    balance: { amount: account.balance, currency: account.currency },
    available: { amount: account.available, currency: account.currency },
    status: account.status,
  };
}

export function health({ state, now }: RouteContext): SimResponse {
  return { status: 200, body: { status: 'ok', environment: state.mode, time: now().toISOString() } };
}

export function listAccounts({ state }: RouteContext): SimResponse {
  return { status: 200, body: { data: [...state.accounts.values()].map(publicAccount) } };
}

export function programConfig({ state }: RouteContext): SimResponse {
  return { status: 200, body: { environment: state.mode, settings: { ...state.settings } } };
}

export function listBins({ state }: RouteContext): SimResponse {
  return { status: 200, body: { data: state.bins } };
}
