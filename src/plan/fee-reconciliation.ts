/**
 * Day-1 fee reconciliation rules, shared by the activity that compares and the workflow that holds on a
 * difference; the readers take the per-currency row type from here. Pure code: it runs in the workflow sandbox.
 */
import type { CutoverPlan } from './schema.js';

/** One currency of the reconciliation: the statement's lines in it against the fees PayCA's metrics counted. */
export interface CurrencyFees {
  currency: string;
  /** The plan uses this currency (funded, a BIN's, or named by the deprecated feeReconciliation.currency). */
  expected: boolean;
  /** The statement has at least one line in this currency. */
  onStatement: boolean;
  /** Minor units. */
  metricsFees: number;
  statementFees: number;
  /** The statement's lines in this currency, by fee type. */
  statementByType: Record<string, number>;
  /** Statement minus metrics: positive when PayCA billed more than the traffic explains. */
  difference: number;
  matches: boolean;
  /** Why it does not match, when it does not: missing from the statement, not expected, or above tolerance. */
  finding?: 'missing-from-statement' | 'unexpected-currency' | 'above-tolerance';
}

/**
 * Every currency the programme uses: each funded currency and each expected BIN's currency. A plan that
 * still sets the deprecated `postLaunch.feeReconciliation.currency` adds that one; it no longer limits the rest.
 */
export function feeCurrencies(plan: Pick<CutoverPlan, 'funding' | 'readiness' | 'postLaunch'>): string[] {
  const currencies = new Set<string>(Object.keys(plan.funding.minimums));
  for (const bin of plan.readiness.expectedBins) currencies.add(bin.currency);
  currencies.add(plan.postLaunch.feeReconciliation.currency);
  return [...currencies].sort();
}

/** Compares per currency; a currency neither expected nor billed nor metered is left out. */
export function reconcileCurrencies(input: {
  expected: string[];
  metricsByCurrency: Record<string, number>;
  statementLines: { currency: string; type: string; amount: number }[];
  tolerance: number;
}): CurrencyFees[] {
  const expected = new Set(input.expected);
  const onStatement = new Set(input.statementLines.map((line) => line.currency));
  const all = new Set([...expected, ...onStatement, ...Object.keys(input.metricsByCurrency)]);
  const rows: CurrencyFees[] = [];
  for (const currency of [...all].sort()) {
    const statementByType: Record<string, number> = {};
    for (const line of input.statementLines) {
      if (line.currency === currency) statementByType[line.type] = (statementByType[line.type] ?? 0) + line.amount;
    }
    const statementFees = Object.values(statementByType).reduce((sum, amount) => sum + amount, 0);
    const metricsFees = input.metricsByCurrency[currency] ?? 0;
    const difference = statementFees - metricsFees;
    const isExpected = expected.has(currency);
    if (!isExpected && statementFees === 0 && metricsFees === 0) continue;
    const finding: CurrencyFees['finding'] = !isExpected
      ? 'unexpected-currency'
      : !onStatement.has(currency)
        ? 'missing-from-statement'
        : Math.abs(difference) > input.tolerance
          ? 'above-tolerance'
          : undefined;
    rows.push({
      currency,
      expected: isExpected,
      onStatement: onStatement.has(currency),
      metricsFees,
      statementFees,
      statementByType,
      difference,
      matches: finding === undefined,
      ...(finding && { finding }),
    });
  }
  return rows;
}

/** What a reconciliation recorded before it went per currency: one currency, the others counted as 0. */
interface SingleCurrencyEvidence {
  currency: string;
  metricsFees: number;
  statementFees: number;
  statementByType: Record<string, number>;
  difference: number;
  matches: boolean;
}

/** The per-currency rows of a reconciliation's evidence, whichever shape it was recorded in; undefined if neither. */
export function feeRows(evidence: unknown): CurrencyFees[] | undefined {
  if (!evidence || typeof evidence !== 'object') return undefined;
  const record = evidence as { byCurrency?: unknown } & Partial<SingleCurrencyEvidence>;
  if (Array.isArray(record.byCurrency)) return record.byCurrency as CurrencyFees[];
  if (typeof record.metricsFees !== 'number' || typeof record.statementFees !== 'number') return undefined;
  return [
    {
      currency: String(record.currency ?? ''),
      expected: true,
      onStatement: true,
      metricsFees: record.metricsFees,
      statementFees: record.statementFees,
      statementByType: record.statementByType ?? {},
      difference: record.difference ?? record.statementFees - record.metricsFees,
      matches: record.matches === true,
      ...(record.matches !== true && { finding: 'above-tolerance' as const }),
    },
  ];
}

function signed(n: number): string {
  return `${n > 0 ? '+' : ''}${n}`;
}

function linesText(row: CurrencyFees): string {
  const lines = Object.entries(row.statementByType).map(([type, amount]) => `${type} ${amount}`);
  return lines.length ? ` (${lines.join(', ')})` : '';
}

/** One sentence per currency that does not reconcile, amounts and currencies included: the hold reason. */
export function feeProblem(row: CurrencyFees, context: { date: string; tolerance: number; expected: string[]; requests: string }): string {
  const { date, tolerance, expected, requests } = context;
  const metrics = `PayCA's metrics count ${row.metricsFees} ${row.currency}`;
  switch (row.finding) {
    case 'missing-from-statement':
      return `day-1 fees do not reconcile: the ${date} statement has no ${row.currency} line although the programme uses ${row.currency}; ${metrics} (${requests})`;
    case 'unexpected-currency':
      return (
        `day-1 fees do not reconcile: the ${date} statement bills ${row.statementFees} ${row.currency}${linesText(row)} but the plan expects only ${expected.join(', ')}; ` +
        `${metrics} (${requests})`
      );
    default:
      return (
        `day-1 fees do not reconcile: the ${date} statement bills ${row.statementFees} ${row.currency}${linesText(row)} but ${metrics}; ` +
        `difference ${signed(row.difference)} is above the tolerance of ${tolerance} (${requests})`
      );
  }
}
