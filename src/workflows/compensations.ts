/**
 * What a cutover changed that a roll-back or abort must undo, and the undoing, newest first. A step that
 * fails is recorded and the rest still run: a half roll-back with a named failure beats none.
 */
import { log } from '@temporalio/workflow';
import type { JobPriorState } from '../activities/index.js';
import type { CutoverPlan } from '../plan/schema.js';
import { activityProblem, cutoverActivities, paycaActivities } from './activity-proxies.js';
import type { CutoverStatus } from './definitions.js';

export type Compensation =
  | { step: 'restore-sandbox-jobs'; priorStates: JobPriorState[] }
  | { step: 'remove-webhook-subscription'; subscriptionId: string }
  | { step: 'close-test-card'; cardId: string };

async function undo(plan: CutoverPlan, step: Compensation): Promise<string> {
  const production = plan.payca.production.baseUrl;
  switch (step.step) {
    case 'restore-sandbox-jobs': {
      const { restored } = await cutoverActivities('roll-back: restore sandbox jobs').restoreSandboxJobs({
        jobs: plan.sandboxJobs,
        priorStates: step.priorStates,
      });
      return `restored ${restored.join(', ') || 'none (all were paused before)'}`;
    }
    case 'remove-webhook-subscription': {
      const removed = await paycaActivities(plan.paycaRetryBudgetMs, 'roll-back: remove webhook subscription').removeWebhookSubscription({
        baseUrl: production,
        subscriptionId: step.subscriptionId,
      });
      return `${step.subscriptionId} (request ${removed.requestId ?? 'n/a'})`;
    }
    case 'close-test-card': {
      const closed = await paycaActivities(plan.paycaRetryBudgetMs, 'roll-back: close test card').closeTestCard({
        baseUrl: production,
        cardId: step.cardId,
      });
      return `${step.cardId} (request ${closed.requestId})`;
    }
  }
}

export async function runCompensations(plan: CutoverPlan, pending: Compensation[], status: CutoverStatus): Promise<void> {
  for (const step of [...pending].reverse()) {
    try {
      const detail = await undo(plan, step);
      status.compensations.push({ step: step.step, status: 'done', at: new Date().toISOString(), detail });
    } catch (err) {
      const problem = activityProblem(err);
      status.compensations.push({
        step: step.step,
        status: 'failed',
        at: new Date().toISOString(),
        detail: `${problem.type}: ${problem.message}`,
      });
      log.error('compensation failed', { step: step.step, problem });
    }
  }
  pending.length = 0;
}
