/** Webhook subscriptions, test events and the delivery log. */
import { randomBytes } from 'node:crypto';
import { SimError, type SimResponse } from './http-io.js';
import { newId } from './ids.js';
import { param, type RouteContext } from './route-context.js';
import { parseBody, SubscribeBody } from './schemas.js';
import type { SimulatorState, WebhookSubscription } from './state.js';

/** The signing secret is shown once, at creation, as real providers do. */
function listedSubscription({ signingSecret: _secret, ...rest }: WebhookSubscription) {
  return rest;
}

function findSubscription(state: SimulatorState, id: string): WebhookSubscription {
  const subscription = state.subscriptions.get(id);
  if (!subscription) throw new SimError('ErrNotFound', `webhook subscription ${id} not found`);
  return subscription;
}

export function subscribe(context: RouteContext): SimResponse {
  const { state, now } = context;
  const input = parseBody(SubscribeBody, context.body);
  const subscription: WebhookSubscription = {
    id: newId('wh'),
    url: input.url,
    events: [...new Set(input.events)],
    status: 'active',
    signingSecret: `whsec_${randomBytes(24).toString('hex')}`,
    createdAt: now().toISOString(),
  };
  state.subscriptions.set(subscription.id, subscription);
  state.counters.webhookSubscriptionsCreated += 1;
  return { status: 201, body: subscription };
}

export function listSubscriptions({ state }: RouteContext): SimResponse {
  return { status: 200, body: { data: [...state.subscriptions.values()].map(listedSubscription) } };
}

export function deleteSubscription(context: RouteContext): SimResponse {
  const subscription = findSubscription(context.state, param(context, 'id'));
  context.state.subscriptions.delete(subscription.id);
  context.state.counters.webhookSubscriptionsDeleted += 1;
  return { status: 204 };
}

/** Goes to the subscription whatever events it listens for: the point is to prove the endpoint works. */
export function sendTestEvent(context: RouteContext): SimResponse {
  const { state, now, webhooks } = context;
  const subscription = findSubscription(state, param(context, 'id'));
  const delivery = webhooks.deliver(subscription, 'webhook.test', {
    subscriptionId: subscription.id,
    message: 'PayCA webhook test',
    sentAt: now().toISOString(),
  });
  return { status: 202, body: { deliveryId: delivery.id } };
}

export function listDeliveries(context: RouteContext): SimResponse {
  const subscription = findSubscription(context.state, param(context, 'id'));
  const data = context.state.deliveries
    .filter((delivery) => delivery.subscriptionId === subscription.id)
    .map(({ id, eventId, eventType, status, responseStatus, attempts, lastAttemptAt, createdAt }) => ({
      id,
      eventId,
      eventType,
      status,
      responseStatus,
      attempts,
      lastAttemptAt,
      createdAt,
    }));
  return { status: 200, body: { data } };
}
