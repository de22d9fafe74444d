/**
 * Production master-account balances against the plan's prefund minimums: the early-warning readiness
 * item and the T-12h funding stage ask the same question, once each.
 */
import type { CutoverPlan } from '../plan/schema.js';
import { paycaActivities } from './activity-proxies.js';

export async function checkPrefunding(plan: CutoverPlan, summary: string) {
  const funding = await paycaActivities(plan.paycaRetryBudgetMs, summary).checkFunding({
    baseUrl: plan.payca.production.baseUrl,
    minimums: plan.funding.minimums,
  });
  const problems = funding.shortfalls.map(
    (s) => `${s.currency} master accounts hold ${s.available}, ${s.missing} short of the ${s.minimum} minimum (minor units)`,
  );
  return { problems, funding };
}
