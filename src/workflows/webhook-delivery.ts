/**
 * Proof that PayCA can reach the production webhook endpoint: the subscription for the plan's URL and
 * events (created if missing, and then undone by a roll-back), a `webhook.test` event, and its 2xx
 * delivery. Used by the readiness item "Sync webhooks" and by the T-1h webhook smoke test.
 */
import type { DeliveryEvidence, EnsureSubscriptionResult, TestWebhookSent } from '../activities/webhooks.js';
import type { CutoverPlan } from '../plan/schema.js';
import { ACTING_CALL, paycaActivities } from './activity-proxies.js';
import type { Compensation } from './compensations.js';

/** The subscription, the test event and its delivery: the evidence of the webhook smoke test and of the readiness item. */
export interface WebhookDeliveryProof {
  subscription: EnsureSubscriptionResult;
  testEvent: TestWebhookSent;
  delivery: DeliveryEvidence;
}

export async function proveWebhookDelivery(
  plan: CutoverPlan,
  compensations: Compensation[],
  summary: string,
): Promise<WebhookDeliveryProof> {
  const production = plan.payca.production.baseUrl;
  const act = paycaActivities(plan.paycaRetryBudgetMs, summary);
  const subscription = await paycaActivities(plan.paycaRetryBudgetMs, summary, ACTING_CALL).ensureWebhookSubscription({
    baseUrl: production,
    url: plan.webhook.url,
    events: plan.webhook.events,
  });
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
