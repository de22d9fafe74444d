/** Plans for tests, pointed at a running PayCA stack. */
import { CutoverPlanFile, normalisePlan, type CutoverPlan } from '../../src/plan/schema.js';
import { RUNBOOK_ITEMS } from '../../src/runbook/readiness-items.js';
import type { PaycaStack } from './payca-stack.js';

/**
 * Readiness settings for suites about the timeline: every checklist item optional, so go/no-go does not
 * wait for it. The checks still run; the readiness suites use `strictReadiness` instead.
 */
export const RELAXED_READINESS = {
  items: Object.fromEntries(RUNBOOK_ITEMS.map((item) => [item.id, { optional: true }])),
};

/**
 * For suites about the timeline: a one-hour watch after the T+2h debrief and the fee reconciliation at T+3h,
 * so a rolled-forward cutover completes soon after its decision. The watch starts at the roll-forward (the
 * plan's opt-out), so these suites count the timeline's own notices, reads and history; the live-window,
 * post-launch and notice suites set their own `postLaunch` and watch from T, the default.
 */
export const SHORT_POST_LAUNCH = { watch: { window: '3h', from: 'roll-forward' } };

/** Any stack with the two simulators and the receiver: a suite's own, or the dev stack's. */
export type PlanTargets = Pick<PaycaStack, 'production' | 'sandbox' | 'receiver'>;

export function planFor(stack: PlanTargets, overrides: Record<string, unknown> = {}): CutoverPlan {
  return normalisePlan(CutoverPlanFile.parse(planFileFor(stack, overrides)));
}

/** The same plan as a plan file says it, before defaults and normalising: what `stringify` turns into plan YAML. */
export function planFileFor(stack: PlanTargets, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    programme: 'Test Programme',
    approvers: {
      lead: ['lara'],
      ops: ['olivia'],
      treasury: ['tomas'],
      engineering: ['erin', 'eli'],
      devops: ['dev'],
      analytics: ['ana'],
      finance: ['fiona'],
      cx: ['cara'],
      compliance: ['cody'],
    },
    payca: { production: { baseUrl: stack.production.url }, sandbox: { baseUrl: stack.sandbox.url } },
    funding: { minimums: { GBP: 1_000_000, EUR: 500_000 } },
    configDiff: { allowedDifferences: ['environmentLabel'] },
    sandboxJobs: [
      {
        kind: 'http',
        name: 'card-generator',
        disableUrl: `${stack.sandbox.url}/_sim/jobs/card-generator/disable`,
        enableUrl: `${stack.sandbox.url}/_sim/jobs/card-generator/enable`,
        statusUrl: `${stack.sandbox.url}/_sim/jobs/card-generator`,
      },
    ],
    webhook: { url: `${stack.receiver.url}/payca`, events: ['card.created', 'card.topup', 'card.closed'], deliveryTimeout: '20s' },
    smokeTest: { accountId: 'acc_gbp_main', currency: 'GBP', topUpAmount: 100 },
    paycaRetryBudget: '2m',
    readiness: RELAXED_READINESS,
    postLaunch: SHORT_POST_LAUNCH,
    ...overrides,
    stages: { 'fee-reconciliation': { offset: '3h' }, ...(overrides['stages'] as object | undefined) },
  };
}
