/**
 * Proof that PayCA can reach the production webhook endpoint: the subscription for the plan's URL and
 * events (created if missing, and then undone by a roll-back), a `webhook.test` event, and its 2xx
 * delivery. Used by the readiness item "Sync webhooks" and by the T-1h webhook smoke test.
 */
import type { CutoverPlan } from '../plan/schema.js';
import { ACTING_CALL, paycaActivities } from './activity-proxies.js';
import type { Compensation } from './compensations.js';

export async function proveWebhookDelivery(plan: CutoverPlan, compensations: Compensation[], summary: string) {
  const production = plan.payca.production.baseUrl;
  const act = paycaActivities(plan.paycaRetryBudgetMs, summary);
  const subscription = await paycaActivities(plan.paycaRetryBudgetMs, summary, ACTING_CALL).ensureWebhookSubscription({ baseUrl: production, url: plan.webhook.url, events: plan.webhook.events });
  if (subscription.created) {
    compensations.push({ step: 'remove-webhook-subscription', subscriptionId: subscription.subscriptionId });
  }
  const testEvent = await act.sendTestWebhook({ baseUrl: production, subscriptionId: subscription.subscriptionId });
  const delivery = await paycaActivities(plan.paycaRetryBudgetMs, `${summary}: await the 2xx delivery`, {
    startToCloseTimeout: plan.webhook.deliveryTimeoutMs + 30_000,
    heartbeatTimeout: '30s',
  }).awaitWebhookDelivery({
    baseUrl: production,
    subscriptionId: subscription.subscriptionId,
    deliveryId: testEvent.deliveryId,
    timeoutMs: plan.webhook.deliveryTimeoutMs,
  });
  return { subscription, testEvent, delivery };
}
