import assert from 'node:assert/strict';
import { emptyTotals, evaluateRules, updateBaseline, type WatchReading } from '../src/workflows/watch-rules.js';
import type { PostLaunchPlan } from '../src/plan/schema.js';
import type { WatchCarriedState } from '../src/workflows/watch-protocol.js';

const ALERTS: PostLaunchPlan['alerts'] = {
  webhookFailureRate: 0.01,
  lowBalance: { GBP: 1_000_000 },
  rateLimited: { limit: 20, baselineFactor: 3 },
  declineRate: { margin: 0.1, minAuthorizations: 20 },
};

function reading(change: (r: WatchReading) => void = () => {}): WatchReading {
  const r: WatchReading = {
    metrics: emptyTotals('GBP'),
    accounts: [{ id: 'acc_gbp_main', currency: 'GBP', available: 2_000_000, status: 'active' }],
    requestIds: ['req_1', 'req_2'],
  };
  change(r);
  return r;
}

const noBaseline = (): WatchCarriedState['baseline'] => ({ rateLimited: [], approved: [], declined: [] });
const verdict = (verdicts: ReturnType<typeof evaluateRules>, id: string) => verdicts.find((v) => v.id === id);

describe('post-launch alert rules', () => {
  it('calls a quiet interval healthy on every rule it can judge', () => {
    const verdicts = evaluateRules(ALERTS, reading(), noBaseline(), '5m');
    assert.equal(verdict(verdicts, 'webhook-failure-rate')?.breached, false);
    assert.equal(verdict(verdicts, 'low-balance:acc_gbp_main')?.breached, false);
    assert.equal(verdict(verdicts, 'rate-limited-spike')?.breached, false);
    assert.equal(verdict(verdicts, 'decline-rate-shift')?.breached, undefined, 'no traffic says nothing about the decline rate');
  });

  it('breaches the webhook rule only above 1% of attempts in the interval', () => {
    const atLimit = evaluateRules(
      ALERTS,
      reading((r) => (r.metrics.webhooks = { succeeded: 99, failed: 1 })),
      noBaseline(),
      '5m',
    );
    assert.equal(verdict(atLimit, 'webhook-failure-rate')?.breached, false, 'exactly 1% is not above 1%');
    const above = evaluateRules(
      ALERTS,
      reading((r) => (r.metrics.webhooks = { succeeded: 98, failed: 2 })),
      noBaseline(),
      '5m',
    );
    assert.equal(verdict(above, 'webhook-failure-rate')?.breached, true);
    assert.match(
      verdict(above, 'webhook-failure-rate')?.description ?? '',
      /2\.00% \(2 of 100 delivery attempts\) in 5m; the limit is 1\.00%/,
    );
  });

  it('judges each active master account against its currency threshold and ignores others', () => {
    const verdicts = evaluateRules(
      ALERTS,
      reading((r) => {
        r.accounts = [
          { id: 'acc_low', currency: 'GBP', available: 999_999, status: 'active' },
          { id: 'acc_frozen', currency: 'GBP', available: 0, status: 'frozen' },
          { id: 'acc_usd', currency: 'USD', available: 0, status: 'active' },
        ];
      }),
      noBaseline(),
      '5m',
    );
    assert.equal(verdict(verdicts, 'low-balance:acc_low')?.breached, true);
    assert.equal(verdict(verdicts, 'low-balance:acc_frozen'), undefined);
    assert.equal(verdict(verdicts, 'low-balance:acc_usd'), undefined);
  });

  it('breaches the rate-limited rule above the limit, or above the factor times a non-zero trailing average', () => {
    const overLimit = evaluateRules(
      ALERTS,
      reading((r) => (r.metrics.rateLimited = 21)),
      noBaseline(),
      '5m',
    );
    assert.equal(verdict(overLimit, 'rate-limited-spike')?.breached, true);
    const baseline = { ...noBaseline(), rateLimited: [2, 2, 2, 2] };
    assert.equal(
      verdict(
        evaluateRules(
          ALERTS,
          reading((r) => (r.metrics.rateLimited = 6)),
          baseline,
          '5m',
        ),
        'rate-limited-spike',
      )?.breached,
      false,
    );
    assert.equal(
      verdict(
        evaluateRules(
          ALERTS,
          reading((r) => (r.metrics.rateLimited = 7)),
          baseline,
          '5m',
        ),
        'rate-limited-spike',
      )?.breached,
      true,
    );
  });

  it('compares the decline rate with the trailing hour when the plan gives no baseline, once there is enough traffic', () => {
    const baseline = { rateLimited: [], approved: [90, 90], declined: [10, 10] };
    const shifted = reading((r) => (r.metrics.authorizations = { approved: 70, declined: 30 }));
    assert.equal(verdict(evaluateRules(ALERTS, shifted, baseline, '5m'), 'decline-rate-shift')?.breached, true);
    const thin = reading((r) => (r.metrics.authorizations = { approved: 5, declined: 10 }));
    assert.equal(verdict(evaluateRules(ALERTS, thin, baseline, '5m'), 'decline-rate-shift')?.breached, undefined, 'too few to judge');
    const usual = reading((r) => (r.metrics.authorizations = { approved: 85, declined: 15 }));
    assert.equal(verdict(evaluateRules(ALERTS, usual, baseline, '5m'), 'decline-rate-shift')?.breached, false);
  });

  it('keeps breached intervals out of the baseline so an anomaly never becomes normal, and keeps only the trailing hour', () => {
    const baseline = noBaseline();
    const spike = reading((r) => (r.metrics.rateLimited = 500));
    updateBaseline(baseline, spike, evaluateRules(ALERTS, spike, baseline, '5m'), 12);
    assert.deepEqual(baseline.rateLimited, []);
    for (let i = 0; i < 15; i++) {
      const calm = reading((r) => (r.metrics.rateLimited = i));
      updateBaseline(baseline, calm, evaluateRules(ALERTS, calm, { ...noBaseline() }, '5m'), 12);
    }
    assert.deepEqual(baseline.rateLimited, [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });
});
