/**
 * The debrief's analysis: each rule the plan sets judged Successful, Failed or Inconclusive on the figures
 * from T, and the recommendation that follows. Pure functions over plain data, so the workflow decides
 * with them and the CLI, the room and the report can show the same pack.
 */
import type { DebriefRuleFile } from '../plan/debrief-plan.js';
import type { Decision, IncidentRecord, Severity } from './cutover-state.js';
import type { MetricsTotals, WatchAlert } from './watch-protocol.js';

export type RuleOutcome = 'Successful' | 'Failed' | 'Inconclusive';

export interface JudgedRule {
  rule: DebriefRuleFile['rule'];
  critical: boolean;
  outcome: RuleOutcome;
  /** What was seen against what the plan expects, in words. */
  finding: string;
}

/** What the debrief knew when it was due: figures from T to then, the watch's alerts, incidents and smoke-test evidence. */
export interface DebriefPack {
  at: string;
  /** The window the figures cover, on the plan's clock: T to the debrief. */
  fromPlan: string;
  toPlan: string;
  /** PayCA's metrics over the window; absent when they could not be read (then `figuresProblem` says why). */
  figures?: MetricsTotals;
  figuresRequestId?: string;
  figuresProblem?: string;
  /** What the plan expects of the figures. */
  expectations: { webhookFailureRate: number; declineRate?: { expected: number; margin: number }; rateLimitedPerInterval: number };
  /** Alerts the watch opened from T, open or recovered. */
  alerts: WatchAlert[];
  /** Incidents people reported since T. */
  incidents: IncidentRecord[];
  /** The go-live smoke tests: each step that ran and its PayCA request id, and the real authorization read at the gate. */
  smokeTests: { step: string; requestId?: string }[];
  rules: JudgedRule[];
  recommendation: { decision: Decision; reason: string };
  /** Set when a failed critical rule rolled the cutover back without a person. */
  autoRollBack?: { rules: string[] };
}

export interface DebriefFacts {
  figures?: MetricsTotals;
  alerts: WatchAlert[];
  incidents: IncidentRecord[];
  /** The plan's expected decline rate for the watch, when it sets one. */
  declineBaseline?: number;
}

const SEVERITY_RANK: Record<Severity, number> = { sev1: 1, sev2: 2, sev3: 3 };
const atLeast = (severity: Severity, floor: Severity) => SEVERITY_RANK[severity] <= SEVERITY_RANK[floor];
const percent = (fraction: number) => `${(fraction * 100).toFixed(fraction < 0.1 ? 2 : 1)}%`;
const noFigures = 'PayCA metrics from T could not be read';

export function judgeRule(rule: DebriefRuleFile, facts: DebriefFacts): JudgedRule {
  const judged = (outcome: RuleOutcome, finding: string): JudgedRule => ({ rule: rule.rule, critical: rule.critical, outcome, finding });
  const { figures } = facts;
  switch (rule.rule) {
    case 'webhook-failure-rate': {
      if (!figures) return judged('Inconclusive', noFigures);
      const { succeeded, failed } = figures.webhooks;
      const attempts = succeeded + failed;
      if (attempts === 0) return judged('Inconclusive', 'no webhook delivery attempts since T');
      const rate = failed / attempts;
      const finding = `webhook failure rate ${percent(rate)} (${failed} of ${attempts} attempts) since T; at most ${percent(rule.max)} allowed`;
      return judged(rate <= rule.max ? 'Successful' : 'Failed', finding);
    }
    case 'decline-rate': {
      if (!figures) return judged('Inconclusive', noFigures);
      const expected = rule.expected ?? facts.declineBaseline;
      const { approved, declined } = figures.authorizations;
      const total = approved + declined;
      if (expected === undefined) return judged('Inconclusive', 'the plan sets no expected decline rate');
      if (total < rule.minAuthorizations) {
        return judged('Inconclusive', `${total} authorizations since T, fewer than the ${rule.minAuthorizations} the rule needs`);
      }
      const rate = declined / total;
      const finding = `decline rate ${percent(rate)} (${declined} of ${total}) since T; expected ${percent(expected)} ± ${percent(rule.margin)}`;
      return judged(Math.abs(rate - expected) <= rule.margin ? 'Successful' : 'Failed', finding);
    }
    case 'rate-limited': {
      if (!figures) return judged('Inconclusive', noFigures);
      const finding = `${figures.rateLimited} ErrRateLimited answers since T; at most ${rule.max} allowed`;
      return judged(figures.rateLimited <= rule.max ? 'Successful' : 'Failed', finding);
    }
    case 'no-open-alerts': {
      const open = facts.alerts.filter((a) => a.recoveredAt === undefined && atLeast(a.severity, rule.severity));
      if (open.length)
        return judged('Failed', `${open.length} ${rule.severity}-or-worse alert(s) still open: ${open.map((a) => a.id).join(', ')}`);
      return judged('Successful', `no ${rule.severity}-or-worse alert open`);
    }
    case 'no-incidents': {
      const serious = facts.incidents.filter((i) => i.source === 'person' && atLeast(i.severity, rule.severity));
      if (serious.length)
        return judged(
          'Failed',
          `${serious.length} ${rule.severity}-or-worse incident(s) reported since T: ${serious
            .map((i) => i.summary)
            .join('; ')
            .slice(0, 300)}`,
        );
      return judged('Successful', `no ${rule.severity}-or-worse incident reported since T`);
    }
  }
}

/** A failed rule recommends rolling back; otherwise rolling forward, naming what could not be judged. */
export function recommend(rules: JudgedRule[]): DebriefPack['recommendation'] {
  const failed = rules.filter((r) => r.outcome === 'Failed');
  if (failed.length) return { decision: 'roll-back', reason: `failed: ${failed.map((r) => r.rule).join(', ')}` };
  const inconclusive = rules.filter((r) => r.outcome === 'Inconclusive');
  if (inconclusive.length)
    return { decision: 'roll-forward', reason: `no rule failed; inconclusive: ${inconclusive.map((r) => r.rule).join(', ')}` };
  return { decision: 'roll-forward', reason: rules.length ? 'every rule succeeded' : 'the plan sets no debrief rules' };
}

/** The critical rules that failed: with the plan's automatic roll-back on, these decide without a person. */
export const failedCritical = (rules: JudgedRule[]) => rules.filter((r) => r.critical && r.outcome === 'Failed');

/** The pack in a few lines, for notices, the current details and the CLI. */
export function packLines(pack: DebriefPack): string[] {
  const lines = [`recommendation: ${pack.recommendation.decision} (${pack.recommendation.reason})`];
  for (const r of pack.rules) lines.push(`${r.outcome}${r.critical ? ' (critical)' : ''} ${r.rule}: ${r.finding}`);
  const f = pack.figures;
  if (f) {
    lines.push(
      `since T: authorizations ${f.authorizations.approved} approved / ${f.authorizations.declined} declined; ` +
        `webhooks ${f.webhooks.succeeded} ok / ${f.webhooks.failed} failed; ErrRateLimited ${f.rateLimited}`,
    );
  } else {
    lines.push(`figures: ${pack.figuresProblem ?? noFigures}`);
  }
  const recovered = pack.alerts.filter((a) => a.recoveredAt !== undefined).length;
  lines.push(`alerts since T: ${pack.alerts.length} opened, ${recovered} recovered; incidents: ${pack.incidents.length}`);
  lines.push(
    `smoke tests: ${pack.smokeTests.map((s) => (s.requestId ? `${s.step} (request ${s.requestId})` : s.step)).join(', ') || 'no evidence'}`,
  );
  if (pack.autoRollBack) lines.push(`rolled back by the workflow: critical rule(s) failed: ${pack.autoRollBack.rules.join(', ')}`);
  return lines;
}
