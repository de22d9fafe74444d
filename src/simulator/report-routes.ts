/** Reports: activity metrics over a time window and the daily fee statement. */
import { SimError, type SimResponse } from './http-io.js';
import { param, type RouteContext } from './route-context.js';
import type { MovementRecord, SimulatorState } from './state.js';

function timeParam(query: URLSearchParams, name: string): number {
  const value = query.get(name);
  if (!value) throw new SimError('ErrValidation', `${name}: query parameter is required (ISO 8601 date-time)`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new SimError('ErrValidation', `${name}: "${value}" is not an ISO 8601 date-time`);
  return ms;
}

function reportCurrency(state: SimulatorState, query: URLSearchParams): string {
  const currency = query.get('currency') ?? String(state.settings['defaultCurrency'] ?? 'GBP');
  if (!/^[A-Z]{3}$/.test(currency)) throw new SimError('ErrValidation', `currency: "${currency}" is not a 3-letter ISO 4217 code`);
  return currency;
}

/** Half-open [from, to), so consecutive windows never count an event twice. */
function within(at: string | null, fromMs: number, toMs: number): boolean {
  if (at === null) return false;
  const ms = Date.parse(at);
  return ms >= fromMs && ms < toMs;
}

function sumMovements(records: MovementRecord[], fromMs: number, toMs: number) {
  const inWindow = records.filter((record) => within(record.at, fromMs, toMs));
  return {
    count: inWindow.reduce((total, record) => total + record.count, 0),
    amount: inWindow.reduce((total, record) => total + record.amount, 0),
  };
}

export function metrics(context: RouteContext): SimResponse {
  const { state, query } = context;
  const fromMs = timeParam(query, 'from');
  const toMs = timeParam(query, 'to');
  if (toMs < fromMs) throw new SimError('ErrValidation', 'to: must not be before from');
  const currency = reportCurrency(state, query);
  const authorizations = state.authorizations.filter((record) => within(record.at, fromMs, toMs));
  // Per attempt, not per delivery: a failure-rate alert must see a failing receiver before the retries run out.
  const attempts = state.webhookAttempts.filter((attempt) => within(attempt.at, fromMs, toMs));
  return {
    status: 200,
    body: {
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      authorizations: {
        approved: authorizations.filter((record) => record.status === 'approved').length,
        declined: authorizations.filter((record) => record.status === 'declined').length,
      },
      settlements: sumMovements(state.settlements, fromMs, toMs),
      refunds: sumMovements(state.refunds, fromMs, toMs),
      fees: {
        amount: state.fees
          .filter((fee) => fee.currency === currency && within(fee.at, fromMs, toMs))
          .reduce((total, fee) => total + fee.amount, 0),
        currency,
      },
      feesByCurrency: feesByCurrency(state, fromMs, toMs),
      webhooks: {
        succeeded: attempts.filter((attempt) => attempt.outcome === 'succeeded').length,
        failed: attempts.filter((attempt) => attempt.outcome === 'failed').length,
      },
      rateLimited: state.rateLimitedAt.filter((at) => within(at, fromMs, toMs)).length,
    },
  };
}

function feesByCurrency(state: SimulatorState, fromMs: number, toMs: number): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const fee of state.fees) {
    if (within(fee.at, fromMs, toMs)) totals[fee.currency] = (totals[fee.currency] ?? 0) + fee.amount;
  }
  return totals;
}

/** The programme's currencies as PayCA bills them: the supported ones, and any other a fee was charged in. */
function statementCurrencies(state: SimulatorState, date: string, dayStartMs: number): string[] {
  const supported = String(state.settings['supportedCurrencies'] ?? '')
    .split(',')
    .map((currency) => currency.trim())
    .filter((currency) => /^[A-Z]{3}$/.test(currency));
  const charged = state.fees.filter((fee) => within(fee.at, dayStartMs, dayStartMs + 86_400_000)).map((fee) => fee.currency);
  const adjusted = state.statementAdjustments.filter((adjustment) => adjustment.date === date).map((adjustment) => adjustment.currency);
  return [...new Set([...supported, ...charged, ...adjusted])].sort();
}

function statementByType(state: SimulatorState, date: string, dayStartMs: number, currency: string): Record<string, number> {
  const byType: Record<string, number> = { issuance: 0, topup: 0 };
  for (const fee of state.fees) {
    if (fee.currency === currency && within(fee.at, dayStartMs, dayStartMs + 86_400_000)) {
      byType[fee.type] = (byType[fee.type] ?? 0) + fee.amount;
    }
  }
  // PayCA's own billing, not our traffic: this is what a day-1 reconciliation should catch.
  for (const adjustment of state.statementAdjustments) {
    if (adjustment.date === date && adjustment.currency === currency) {
      byType[adjustment.type] = (byType[adjustment.type] ?? 0) + adjustment.amount;
    }
  }
  return byType;
}

export function feeStatement(context: RouteContext): SimResponse {
  const { state, query } = context;
  const date = param(context, 'date');
  const dayStartMs = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00.000Z`) : Number.NaN;
  if (Number.isNaN(dayStartMs) || new Date(dayStartMs).toISOString().slice(0, 10) !== date) {
    throw new SimError('ErrValidation', `date: "${date}" is not a calendar date in yyyy-mm-dd form`);
  }
  const currency = reportCurrency(state, query);
  const byType = statementByType(state, date, dayStartMs, currency);
  const total = Object.values(byType).reduce((sum, amount) => sum + amount, 0);
  const lines = statementCurrencies(state, date, dayStartMs).flatMap((lineCurrency) =>
    Object.entries(statementByType(state, date, dayStartMs, lineCurrency)).map(([type, amount]) => ({
      currency: lineCurrency,
      type,
      amount,
    })),
  );
  return { status: 200, body: { date, currency, fees: { total, byType }, lines } };
}
