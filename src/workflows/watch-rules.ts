/**
 * The runbook's alert rules (section 5), evaluated over one interval of PayCA metrics. Pure functions: the
 * watch workflow compares each verdict with the alerts already open, so an alert is announced once when it
 * opens and once when it recovers, never on every read while it stays open.
 */
import type { PostLaunchPlan } from '../plan/schema.js';
import type { Severity } from './cutover-state.js';
import type { AlertRule, MetricsTotals, WatchCarriedState } from './watch-protocol.js';

export interface WatchReading {
  metrics: MetricsTotals;
  accounts: { id: string; currency: string; available: number; status: string }[];
  requestIds: string[];
}

/** One rule's verdict on one subject. `breached` undefined: not enough data to say, so nothing changes. */
export interface RuleVerdict {
  id: string;
  rule: AlertRule;
  severity: Severity;
  breached: boolean | undefined;
  /** What was seen, against the threshold, in words. */
  description: string;
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(fraction < 0.1 ? 2 : 1)}%`;
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

export function evaluateRules(
  alerts: PostLaunchPlan['alerts'],
  reading: WatchReading,
  baseline: WatchCarriedState['baseline'],
  intervalText: string,
): RuleVerdict[] {
  const verdicts: RuleVerdict[] = [];
  const { webhooks, rateLimited, authorizations } = reading.metrics;

  const attempts = webhooks.succeeded + webhooks.failed;
  const failureRate = attempts === 0 ? 0 : webhooks.failed / attempts;
  verdicts.push({
    id: 'webhook-failure-rate',
    rule: 'webhook-failure-rate',
    severity: 'sev2',
    breached: failureRate > alerts.webhookFailureRate,
    description: `webhook failure rate ${percent(failureRate)} (${webhooks.failed} of ${attempts} delivery attempts) in ${intervalText}; the limit is ${percent(alerts.webhookFailureRate)}`,
  });

  for (const account of reading.accounts) {
    const threshold = alerts.lowBalance[account.currency];
    if (threshold === undefined || account.status !== 'active') continue;
    verdicts.push({
      id: `low-balance:${account.id}`,
      rule: 'low-balance',
      severity: 'sev1',
      breached: account.available < threshold,
      description: `master account ${account.id} has ${account.available} ${account.currency} (minor units) available; the low-balance threshold is ${threshold}`,
    });
  }

  const rateBaseline = baseline.rateLimited.length ? sum(baseline.rateLimited) / baseline.rateLimited.length : 0;
  const overLimit = rateLimited > alerts.rateLimited.limit;
  const overBaseline = rateBaseline > 0 && rateLimited > alerts.rateLimited.baselineFactor * rateBaseline;
  verdicts.push({
    id: 'rate-limited-spike',
    rule: 'rate-limited-spike',
    severity: 'sev2',
    breached: overLimit || overBaseline,
    description:
      `${rateLimited} requests answered ErrRateLimited in ${intervalText}; the limit is ${alerts.rateLimited.limit}` +
      (rateBaseline > 0 ? ` or ${alerts.rateLimited.baselineFactor}× the trailing average of ${rateBaseline.toFixed(1)}` : ''),
  });

  const total = authorizations.approved + authorizations.declined;
  const trailingTotal = sum(baseline.approved) + sum(baseline.declined);
  const expected =
    alerts.declineRate.baseline ??
    (trailingTotal >= alerts.declineRate.minAuthorizations ? sum(baseline.declined) / trailingTotal : undefined);
  const rate = total === 0 ? 0 : authorizations.declined / total;
  verdicts.push({
    id: 'decline-rate-shift',
    rule: 'decline-rate-shift',
    severity: 'sev2',
    breached:
      expected === undefined || total < alerts.declineRate.minAuthorizations
        ? undefined
        : Math.abs(rate - expected) > alerts.declineRate.margin,
    description:
      `decline rate ${percent(rate)} (${authorizations.declined} of ${total} authorizations) in ${intervalText}` +
      (expected === undefined ? '; no baseline yet' : `; the baseline is ${percent(expected)} ± ${percent(alerts.declineRate.margin)}`),
  });
  return verdicts;
}

/**
 * Adds this interval to the trailing baselines, keeping the last `keep` intervals. An interval in which a
 * rule was breached stays out of that rule's baseline, so an anomaly never becomes the new normal.
 */
export function updateBaseline(
  baseline: WatchCarriedState['baseline'],
  reading: WatchReading,
  verdicts: RuleVerdict[],
  keep: number,
): void {
  const breached = (id: string) => verdicts.some((v) => v.id === id && v.breached === true);
  const push = (values: number[], value: number) => {
    values.push(value);
    if (values.length > keep) values.splice(0, values.length - keep);
  };
  if (!breached('rate-limited-spike')) push(baseline.rateLimited, reading.metrics.rateLimited);
  if (!breached('decline-rate-shift')) {
    push(baseline.approved, reading.metrics.authorizations.approved);
    push(baseline.declined, reading.metrics.authorizations.declined);
  }
}

export function emptyTotals(currency: string): MetricsTotals {
  return {
    authorizations: { approved: 0, declined: 0 },
    settlements: { count: 0, amount: 0 },
    refunds: { count: 0, amount: 0 },
    fees: { amount: 0, currency },
    webhooks: { succeeded: 0, failed: 0 },
    rateLimited: 0,
  };
}

export function addTotals(into: MetricsTotals, add: MetricsTotals): void {
  into.authorizations.approved += add.authorizations.approved;
  into.authorizations.declined += add.authorizations.declined;
  into.settlements.count += add.settlements.count;
  into.settlements.amount += add.settlements.amount;
  into.refunds.count += add.refunds.count;
  into.refunds.amount += add.refunds.amount;
  into.fees.amount += add.fees.amount;
  into.webhooks.succeeded += add.webhooks.succeeded;
  into.webhooks.failed += add.webhooks.failed;
  into.rateLimited += add.rateLimited;
}
