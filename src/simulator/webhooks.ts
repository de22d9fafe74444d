/**
 * Outgoing webhook deliveries: signed POSTs with retries, recorded in the state's delivery log.
 * A private undici Agent carries them, so close() can abort in-flight attempts and drop pooled
 * sockets, and no timer outlives the simulator.
 */
import { Agent, request } from 'undici';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER } from '../payca/webhook-signature.js';
import { newId } from './ids.js';
import type { SimulatorState, WebhookDelivery, WebhookSubscription } from './state.js';

export const WEBHOOK_EVENT_TYPES = [
  'card.created',
  'card.topup',
  'card.closed',
  'authorization.approved',
  'authorization.declined',
  'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookDispatcherOptions {
  state: SimulatorState;
  now: () => Date;
  timeoutMs: number;
  /** Waits before attempts 2, 3, …; attempts total = length + 1. */
  retryDelaysMs: number[];
}

export class WebhookDispatcher {
  private readonly agent = new Agent({ keepAliveTimeout: 1_000, connections: 16 });
  private readonly attempts = new Set<AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Bumped by cancelAll, so attempts started before it do not record results or schedule retries. */
  private generation = 0;

  constructor(private readonly options: WebhookDispatcherOptions) {}

  /** Sends `type` to every subscription listening for it. */
  emit(type: WebhookEventType, data: unknown): void {
    for (const subscription of this.options.state.subscriptions.values()) {
      if (subscription.status === 'active' && subscription.events.includes(type)) this.deliver(subscription, type, data);
    }
  }

  deliver(subscription: WebhookSubscription, type: WebhookEventType, data: unknown): WebhookDelivery {
    const createdAt = this.options.now().toISOString();
    const eventId = newId('evt');
    const delivery: WebhookDelivery = {
      id: newId('dlv'),
      subscriptionId: subscription.id,
      eventId,
      eventType: type,
      status: 'pending',
      responseStatus: null,
      attempts: 0,
      lastAttemptAt: null,
      createdAt,
      completedAt: null,
    };
    this.options.state.deliveries.push(delivery);
    const rawBody = JSON.stringify({ id: eventId, type, createdAt, data });
    // Asynchronous even for the first attempt: the API answer must not wait on the receiver.
    this.schedule(0, () => this.attempt(delivery, subscription, rawBody));
    return delivery;
  }

  /** Stops every pending retry and in-flight attempt; later events still go out. Used by reset. */
  cancelAll(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const controller of this.attempts) controller.abort();
    this.attempts.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelAll();
    await this.agent.destroy().catch(() => undefined);
  }

  private schedule(delayMs: number, run: () => Promise<void>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(delivery: WebhookDelivery, subscription: WebhookSubscription, rawBody: string): Promise<void> {
    if (this.closed) return;
    const generation = this.generation;
    if (this.options.state.subscriptions.get(subscription.id) !== subscription) {
      this.finish(delivery, 'failed');
      return;
    }
    delivery.attempts += 1;
    delivery.lastAttemptAt = this.options.now().toISOString();

    const controller = new AbortController();
    this.attempts.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.options.timeoutMs);
    let status: number | null = null;
    try {
      // The signature uses the real clock: receivers check it against theirs, not the simulator's `now`.
      const signature = signWebhook(subscription.signingSecret, rawBody, Math.floor(Date.now() / 1000));
      const response = await request(subscription.url, {
        method: 'POST',
        dispatcher: this.agent,
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'payca-simulator-webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signature,
        },
        body: rawBody,
      });
      status = response.statusCode;
      await response.body.dump({ limit: 64 * 1024 });
    } catch {
      // Refused, reset or timed out: recorded as an attempt without a response status.
    } finally {
      clearTimeout(timeout);
      this.attempts.delete(controller);
    }
    if (this.closed || generation !== this.generation) return;

    delivery.responseStatus = status;
    const succeeded = status !== null && status >= 200 && status < 300;
    this.options.state.webhookAttempts.push({
      deliveryId: delivery.id,
      outcome: succeeded ? 'succeeded' : 'failed',
      responseStatus: status,
      at: this.options.now().toISOString(),
    });
    if (succeeded) {
      this.finish(delivery, 'succeeded');
      return;
    }
    const nextDelay = this.options.retryDelaysMs[delivery.attempts - 1];
    if (nextDelay === undefined) {
      this.finish(delivery, 'failed');
      return;
    }
    this.schedule(nextDelay, () => this.attempt(delivery, subscription, rawBody));
  }

  private finish(delivery: WebhookDelivery, status: 'succeeded' | 'failed'): void {
    delivery.status = status;
    delivery.completedAt = this.options.now().toISOString();
  }
}
