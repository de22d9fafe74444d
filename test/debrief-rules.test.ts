import assert from 'node:assert/strict';
import { Debrief, type DebriefRuleFile } from '../src/plan/debrief-plan.js';
import { failedCritical, judgeRule, recommend, type DebriefFacts } from '../src/workflows/debrief-rules.js';
import { emptyTotals } from '../src/workflows/watch-rules.js';
import type { WatchAlert } from '../src/workflows/watch-protocol.js';

const rule = (r: Record<string, unknown>): DebriefRuleFile => Debrief.parse({ rules: [r] }).rules[0] as DebriefRuleFile;

function facts(change: (f: Required<Pick<DebriefFacts, 'figures'>> & DebriefFacts) => void = () => {}): DebriefFacts {
  const f = { figures: emptyTotals('GBP'), alerts: [] as WatchAlert[], incidents: [], declineBaseline: undefined as number | undefined };
  change(f);
  return f;
}

const alert = (severity: WatchAlert['severity'], recovered: boolean): WatchAlert => ({
  id: 'low-balance:acc_gbp_main',
  rule: 'low-balance',
  severity,
  openedAt: '2026-01-01T01:05:00Z',
  openedPlanAt: '2026-01-01T01:05:00Z',
  opened: 'drained',
  ...(recovered && { recoveredAt: '2026-01-01T01:10:00Z', recoveredPlanAt: '2026-01-01T01:10:00Z', recovered: 'restored' }),
});

describe('debrief rules', () => {
  it('fails the webhook failure rate above its limit, passes it at the limit, and cannot judge it without attempts', () => {
    const webhook = rule({ rule: 'webhook-failure-rate', max: 0.05 });
    const at = (failed: number, succeeded: number) =>
      judgeRule(
        webhook,
        facts((f) => Object.assign(f.figures.webhooks, { failed, succeeded })),
      ).outcome;
    assert.equal(at(6, 94), 'Failed');
    assert.equal(at(5, 95), 'Successful');
    assert.equal(at(0, 0), 'Inconclusive');
    assert.equal(judgeRule(webhook, { alerts: [], incidents: [] }).outcome, 'Inconclusive', 'no figures: cannot judge');
  });

  it('judges the decline rate against the expected rate, the watch baseline standing in, and only with enough authorizations', () => {
    const decline = rule({ rule: 'decline-rate', margin: 0.1, minAuthorizations: 20 });
    const at = (approved: number, declined: number, baseline?: number) =>
      judgeRule(
        decline,
        facts((f) => {
          Object.assign(f.figures.authorizations, { approved, declined });
          f.declineBaseline = baseline;
        }),
      ).outcome;
    assert.equal(at(95, 5), 'Inconclusive', 'no expected rate anywhere');
    assert.equal(at(95, 5, 0.05), 'Successful');
    assert.equal(at(80, 20, 0.05), 'Failed', '20% is more than 10 points from 5%');
    assert.equal(at(10, 5, 0.05), 'Inconclusive', 'fewer than 20 authorizations');
    assert.equal(
      judgeRule(
        rule({ rule: 'decline-rate', margin: 0.1, expected: 0.2 }),
        facts((f) => Object.assign(f.figures.authorizations, { approved: 80, declined: 20 })),
      ).outcome,
      'Successful',
    );
  });

  it('fails on an open alert or a reported incident at or above the severity, not on a recovered or milder one', () => {
    const openAlerts = rule({ rule: 'no-open-alerts' });
    assert.equal(
      judgeRule(
        openAlerts,
        facts((f) => f.alerts.push(alert('sev1', false))),
      ).outcome,
      'Failed',
    );
    assert.equal(
      judgeRule(
        openAlerts,
        facts((f) => f.alerts.push(alert('sev1', true))),
      ).outcome,
      'Successful',
    );
    assert.equal(
      judgeRule(
        openAlerts,
        facts((f) => f.alerts.push(alert('sev2', false))),
      ).outcome,
      'Successful',
    );
    assert.equal(
      judgeRule(
        rule({ rule: 'no-open-alerts', severity: 'sev2' }),
        facts((f) => f.alerts.push(alert('sev1', false))),
      ).outcome,
      'Failed',
    );
    const incidents = rule({ rule: 'no-incidents', severity: 'sev2' });
    const reported = (severity: 'sev1' | 'sev3', source: 'person' | 'alert') =>
      facts((f) => f.incidents.push({ at: 'x', severity, summary: 's', by: 'tomas', source }));
    assert.equal(judgeRule(incidents, reported('sev1', 'person')).outcome, 'Failed');
    assert.equal(judgeRule(incidents, reported('sev3', 'person')).outcome, 'Successful');
    assert.equal(judgeRule(incidents, reported('sev1', 'alert')).outcome, 'Successful', 'alerts have their own rule');
  });

  it('recommends roll-back on any failed rule and names the critical ones that may decide alone', () => {
    const judged = [
      judgeRule(
        rule({ rule: 'rate-limited', max: 10, critical: true }),
        facts((f) => (f.figures.rateLimited = 11)),
      ),
      judgeRule(rule({ rule: 'webhook-failure-rate', max: 0.05 }), facts()),
    ];
    assert.deepEqual(recommend(judged), { decision: 'roll-back', reason: 'failed: rate-limited' });
    assert.deepEqual(
      failedCritical(judged).map((r) => r.rule),
      ['rate-limited'],
    );
    assert.deepEqual(recommend(judged.slice(1)), {
      decision: 'roll-forward',
      reason: 'no rule failed; inconclusive: webhook-failure-rate',
    });
    assert.deepEqual(recommend([]), { decision: 'roll-forward', reason: 'the plan sets no debrief rules' });
  });

  it('refuses an automatic roll-back with no critical rule to trigger it', () => {
    const refused = Debrief.safeParse({ autoRollBack: true, rules: [{ rule: 'rate-limited', max: 1 }] });
    assert.equal(refused.success, false);
    assert.match(JSON.stringify(refused.error?.issues), /no rule is marked critical/);
  });
});
