/**
 * The runbook's low-risk real authorization, played at the production simulator: a small approved card
 * payment recorded through its admin API, as a person on the bridge would make one with a programme card.
 * The demo, the benchmarks and the tests use it before approving go-live, since the gate reads the
 * authorization at PayCA and refuses an id PayCA does not know.
 */
export interface LowRiskAuthorization {
  id: string;
  cardId: string;
  status: string;
  amount: { amount: number; currency: string };
  createdAt: string;
}

/** Fields of `POST /_sim/authorizations`: a card (default: a new one), amount, currency, status, merchant, time. */
export interface LowRiskAuthorizationInput {
  cardId?: string;
  amount?: number;
  currency?: string;
  status?: 'approved' | 'declined';
  at?: string;
}

/** Default 1.00 in the currency's minor units: well under any plan's limit. */
export const LOW_RISK_AMOUNT = 100;

export async function runLowRiskAuthorization(productionUrl: string, input: LowRiskAuthorizationInput = {}): Promise<LowRiskAuthorization> {
  const res = await fetch(new URL('/_sim/authorizations', productionUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: LOW_RISK_AMOUNT, ...input }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${productionUrl}/_sim/authorizations answered HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as LowRiskAuthorization;
}
