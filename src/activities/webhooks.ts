/**
 * T-1h (Engineering) and go-live: the production webhook subscription, a test event and proof of a 2xx
 * delivery. Also the compensation that removes a subscription this cutover created.
 */
import { Context, sleep } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES, PaycaError } from '../errors.js';
import { paycaCall } from '../payca/activity-failure.js';
import { webhookTargetsFrom, type WebhookTargets } from '../payca/allowed-targets.js';
import { idempotencyKeyFromActivity } from '../payca/idempotency.js';
import { heartbeat } from './heartbeat.js';
import type { PaycaClients } from './payca-clients.js';

export interface EnsureSubscriptionInput {
  baseUrl: string;
  url: string;
  events: string[];
}

export interface EnsureSubscriptionResult {
  subscriptionId: string;
  /** True when this call created it, so a roll-back knows to remove it. */
  created: boolean;
  events: string[];
  requestIds: string[];
}

export interface AwaitDeliveryInput {
  baseUrl: string;
  subscriptionId: string;
  /** Match one delivery by id (a test event), or the newest of a type attempted after `since`. */
  deliveryId?: string;
  eventType?: string;
  since?: string;
  timeoutMs: number;
  pollIntervalMs?: number;
}

/** The `webhook.test` event PayCA was asked to send. */
export interface TestWebhookSent {
  deliveryId: string;
  requestId: string;
  sentAt: string;
}

export interface DeliveryEvidence {
  deliveryId: string;
  eventType: string;
  status: 'succeeded';
  responseStatus?: number;
  attempts: number;
  requestId: string;
}

/** Delivery times at PayCA and on the worker come from different clocks; allow this much disagreement. */
const CLOCK_SKEW_MS = 60_000;

export interface WebhookActivityDeps {
  payca: PaycaClients;
  env?: NodeJS.ProcessEnv;
  /** Where PayCA may be told to send signed events; by default from the worker's environment. */
  webhookTargets?: WebhookTargets;
}

export function createWebhookActivities({ payca, env, webhookTargets }: WebhookActivityDeps) {
  const targets = webhookTargets ?? webhookTargetsFrom(env);
  return {
    async ensureWebhookSubscription(input: EnsureSubscriptionInput): Promise<EnsureSubscriptionResult> {
      // Before any call: a subscription is what makes PayCA send signed events to the URL.
      const refusal = targets.refusal(input.url);
      if (refusal)
        throw ApplicationFailure.create({ type: FAILURE_TYPES.WEBHOOK_TARGET_NOT_ALLOWED, message: refusal, nonRetryable: true });
      const ctx = Context.current();
      const signal = ctx.cancellationSignal;
      const client = payca.get('production', input.baseUrl);
      // An earlier attempt that died after its POST left a subscription this listing would take for someone
      // else's, and a roll-back would then leave it behind. Such an attempt said so in a heartbeat first; its
      // retry POSTs again with the same key, which PayCA answers with the first answer.
      const earlierAttemptCreating = (ctx.info.heartbeatDetails as { creating?: boolean } | undefined)?.creating === true;
      const listed = await paycaCall(() => client.listWebhooks({ signal }));
      const existing = listed.body.data.find(
        (s) => s.url === input.url && s.status === 'active' && input.events.every((e) => s.events.includes(e)),
      );
      if (existing && !earlierAttemptCreating) {
        return { subscriptionId: existing.id, created: false, events: existing.events, requestIds: [listed.requestId] };
      }
      heartbeat(ctx, { creating: true });
      const idempotencyKey = idempotencyKeyFromActivity('create-webhook-subscription');
      const created = await paycaCall(() => client.createWebhook({ url: input.url, events: input.events }, { idempotencyKey, signal }));
      // The signing secret stays out of the result: the result lands in workflow history.
      return {
        subscriptionId: created.body.id,
        created: true,
        events: created.body.events,
        requestIds: [listed.requestId, created.requestId],
      };
    },

    async sendTestWebhook(input: { baseUrl: string; subscriptionId: string }): Promise<TestWebhookSent> {
      const signal = Context.current().cancellationSignal;
      const idempotencyKey = idempotencyKeyFromActivity('send-test-webhook');
      const answer = await paycaCall(() =>
        payca.get('production', input.baseUrl).testWebhook(input.subscriptionId, { idempotencyKey, signal }),
      );
      return { deliveryId: answer.body.deliveryId, requestId: answer.requestId, sentAt: new Date().toISOString() };
    },

    async awaitWebhookDelivery(input: AwaitDeliveryInput): Promise<DeliveryEvidence> {
      const ctx = Context.current();
      const client = payca.get('production', input.baseUrl);
      const deadline = Date.now() + input.timeoutMs;
      const since = input.since ? Date.parse(input.since) - CLOCK_SKEW_MS : 0;
      const pollMs = input.pollIntervalMs ?? 500;
      let lastSeen = 'no delivery yet';
      for (;;) {
        const answer = await paycaCall(() => client.listDeliveries(input.subscriptionId, { signal: ctx.cancellationSignal }));
        const candidates = answer.body.data.filter((d) =>
          input.deliveryId
            ? d.id === input.deliveryId
            : d.eventType === input.eventType && (!d.lastAttemptAt || Date.parse(d.lastAttemptAt) >= since),
        );
        const succeeded = candidates.find((d) => d.status === 'succeeded');
        if (succeeded) {
          return {
            deliveryId: succeeded.id,
            eventType: succeeded.eventType,
            status: 'succeeded',
            responseStatus: succeeded.responseStatus ?? undefined,
            attempts: succeeded.attempts,
            requestId: answer.requestId,
          };
        }
        const failed = candidates.find((d) => d.status === 'failed');
        if (failed && input.deliveryId) {
          throw ApplicationFailure.create({
            type: FAILURE_TYPES.WEBHOOK_DELIVERY_FAILED,
            nonRetryable: true,
            message: `PayCA could not deliver ${failed.eventType} ${failed.id} to the endpoint: ${failed.attempts} attempts, last answer ${failed.responseStatus ?? 'none'} (request ${answer.requestId})`,
            details: [{ delivery: failed, requestId: answer.requestId }],
          });
        }
        if (candidates[0]) lastSeen = `${candidates[0].id} is ${candidates[0].status}`;
        if (Date.now() + pollMs > deadline) {
          throw ApplicationFailure.create({
            type: FAILURE_TYPES.WEBHOOK_DELIVERY_TIMED_OUT,
            nonRetryable: true,
            message: `no succeeded ${input.deliveryId ?? input.eventType} delivery within ${Math.round(input.timeoutMs / 1000)} s (${lastSeen}; request ${answer.requestId})`,
          });
        }
        heartbeat(ctx, lastSeen);
        await sleep(pollMs);
      }
    },

    async removeWebhookSubscription(input: { baseUrl: string; subscriptionId: string }) {
      const signal = Context.current().cancellationSignal;
      try {
        const answer = await paycaCall(() => payca.get('production', input.baseUrl).deleteWebhook(input.subscriptionId, { signal }));
        return { removed: true, requestId: answer.requestId };
      } catch (err) {
        // Already gone (an earlier attempt removed it) is the state we wanted.
        const cause = err instanceof ApplicationFailure ? err.cause : err;
        if (cause instanceof PaycaError && cause.code === 'ErrNotFound') {
          return { removed: false, requestId: cause.requestId };
        }
        throw err;
      }
    },
  };
}
