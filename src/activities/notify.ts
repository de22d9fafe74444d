/**
 * Notifications to people: a Slack-compatible incoming webhook (`{"text": ...}`) from the plan or the
 * worker's CUTOVER_NOTIFY_URL, or the worker's console when neither is set; a notice the plan routes goes
 * to each of its channels instead (notice-delivery.ts).
 *
 * A notice is a side channel, so this activity never fails because the webhook does: it retries with
 * backoff within the caller's budget, and a notice that still cannot go out is written to the worker's
 * log and console (the fallback channel) and returned as undelivered, with the reason, for the record.
 */
import { log } from '@temporalio/activity';
import { webhookTarget } from '../net/webhook-target.js';
import { DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS, DEFAULT_NOTIFY_RETRY_BUDGET_MS } from '../plan/notifications.js';
import type { NoticeDestination } from '../plan/notice-routes.js';
import { createNoticeDelivery, postWebhook, tryWithin, type DestinationFailure } from './notice-delivery.js';
import { noSmtpReason, type SmtpSettings } from './smtp-settings.js';

export type NotificationChannel =
  | 'monitoring-room'
  | 'approvers'
  | 'escalation'
  | 'outcome'
  /** The watch's alert rules, opening and recovering. */
  | 'alert'
  /** The watch's periodic summaries for Analytics. */
  | 'analytics'
  /** Post-launch items nearing or past their deadline. */
  | 'reminder'
  /** The cutover's milestones (started, go/no-go, live, debrief decision, watch ended), for plans that route notices. */
  | 'milestone';

export interface NotifyInput {
  channel: NotificationChannel;
  text: string;
  /** People or addresses named in the message, e.g. escalation contacts. */
  to?: string[];
  webhookUrl?: string;
  /** How long to keep trying, from the first attempt; cutovers started before it was set get the legacy budget. */
  retryBudgetMs?: number;
  /** How long one POST may take before it counts as failed. */
  attemptTimeoutMs?: number;
  /** Where the plan routes this notice; absent, it takes the single webhook (or the console). */
  destinations?: NoticeDestination[];
}

export type NotifyResult =
  | { deliveredTo: 'webhook' | 'console'; target: string; attempts: number }
  | { deliveredTo: 'nowhere'; target: string; attempts: number; reason: string }
  /** A routed notice: sent to every destination but those in `failures`. */
  | { deliveredTo: 'routes'; target: string; attempts: number; failures: DestinationFailure[] };

export interface NotifyDeps {
  /** From the worker's environment; the plan's URL wins when both are set. */
  defaultWebhookUrl?: string;
  fetch?: typeof fetch;
  /** Where console notifications (and notices that could not be sent) go; the worker's stdout by default. */
  write?: (line: string) => void;
  /** The worker's SMTP server for email channels (`smtpSettingsFromEnv`). */
  smtp?: SmtpSettings;
  /** Where a channel's `urlFrom` is read; the worker's environment by default. */
  environment?: NodeJS.ProcessEnv;
}

/** Fits the activity options cutovers started before the budget existed still use (60 s, heartbeat 20 s). */
export const LEGACY_NOTIFY_RETRY_BUDGET_MS = 30_000;

export function createNotifyActivities({
  defaultWebhookUrl,
  fetch: fetchImpl = fetch,
  write,
  smtp,
  environment = process.env,
}: NotifyDeps = {}) {
  const writeLine = write ?? ((line: string) => process.stdout.write(line + '\n'));
  const routed = createNoticeDelivery({ fetch: fetchImpl, writeLine, smtp, environment });

  async function toDefault(input: NotifyInput): Promise<NotifyResult> {
    const text = input.to?.length ? `${input.text} (to: ${input.to.join(', ')})` : input.text;
    const url = input.webhookUrl ?? defaultWebhookUrl;
    if (!url) {
      writeLine(`[notify:${input.channel}] ${text}`);
      return { deliveredTo: 'console', target: 'the worker console', attempts: 1 };
    }
    const target = webhookTarget(url);
    const budgetMs = input.retryBudgetMs ?? LEGACY_NOTIFY_RETRY_BUDGET_MS;
    const attemptTimeoutMs = input.attemptTimeoutMs ?? DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS;
    const body = JSON.stringify({ text, channel: input.channel });
    const { attempts, reason } = await tryWithin(budgetMs, attemptTimeoutMs, () => postWebhook(fetchImpl, url, body, attemptTimeoutMs));
    if (reason === undefined) {
      log.info('notification sent', { channel: input.channel, target, attempts });
      return { deliveredTo: 'webhook', target, attempts };
    }
    log.warn('notification not delivered', { channel: input.channel, target, reason, text });
    writeLine(`[notify:${input.channel}] UNDELIVERED to ${target}: ${reason}: ${text}`);
    return { deliveredTo: 'nowhere', target, attempts, reason };
  }

  return {
    async notify(input: NotifyInput): Promise<NotifyResult> {
      const { destinations } = input;
      if (!destinations) return toDefault(input);
      const notice = {
        channel: input.channel,
        text: input.text,
        to: input.to,
        retryBudgetMs: input.retryBudgetMs ?? DEFAULT_NOTIFY_RETRY_BUDGET_MS,
        attemptTimeoutMs: input.attemptTimeoutMs ?? DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS,
      };
      const failures = await routed.deliver(notice, destinations, async () => {
        const result = await toDefault(input);
        return result.deliveredTo === 'nowhere' ? { target: result.target, reason: result.reason } : undefined;
      });
      return { deliveredTo: 'routes', target: destinations.map((d) => d.channel).join(', '), attempts: 1, failures };
    },

    /** Asked at a cutover's start: why the plan's email channels cannot be sent to from this worker, one line each. */
    async emailChannelWarnings(input: { channels: string[] }): Promise<string[]> {
      const reason = noSmtpReason(smtp);
      return reason
        ? input.channels.map((channel) => `email channel ${channel}: ${reason}; its notices will be recorded as not delivered`)
        : [];
    },
  };
}
