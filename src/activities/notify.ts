/**
 * Notifications to people: a Slack-compatible incoming webhook (`{"text": ...}`) from the plan or the
 * worker's CUTOVER_NOTIFY_URL, or the worker's console when neither is set.
 *
 * A notice is a side channel, so this activity never fails because the webhook does: it retries with
 * backoff within the caller's budget, and a notice that still cannot go out is written to the worker's
 * log and console (the fallback channel) and returned as undelivered, with the reason, for the record.
 */
import { Context, log } from '@temporalio/activity';
import { setTimeout as delay } from 'node:timers/promises';
import { webhookTarget, withoutWebhookUrl } from '../net/webhook-target.js';
import { DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS } from '../plan/notifications.js';

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
  | 'reminder';

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
}

export type NotifyResult =
  | { deliveredTo: 'webhook' | 'console'; target: string; attempts: number }
  | { deliveredTo: 'nowhere'; target: string; attempts: number; reason: string };

export interface NotifyDeps {
  /** From the worker's environment; the plan's URL wins when both are set. */
  defaultWebhookUrl?: string;
  fetch?: typeof fetch;
  /** Where console notifications (and notices that could not be sent) go; the worker's stdout by default. */
  write?: (line: string) => void;
}

/** Fits the activity options cutovers started before the budget existed still use (60 s, heartbeat 20 s). */
export const LEGACY_NOTIFY_RETRY_BUDGET_MS = 30_000;
/** Below the heartbeat timeout of every caller, since the activity heartbeats between attempts. */
const MAX_BACKOFF_MS = 15_000;

export function createNotifyActivities({ defaultWebhookUrl, fetch: fetchImpl = fetch, write }: NotifyDeps = {}) {
  const writeLine = write ?? ((line: string) => process.stdout.write(line + '\n'));

  async function postOnce(url: string, body: string, timeoutMs: number): Promise<string | undefined> {
    const signal = AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(timeoutMs)]);
    try {
      const res = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
      await res.arrayBuffer();
      return res.ok ? undefined : `the webhook answered HTTP ${res.status}`;
    } catch (err) {
      if (signal.aborted && !Context.current().cancellationSignal.aborted) return `no answer within ${timeoutMs} ms`;
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return withoutWebhookUrl(`unreachable (${err instanceof Error ? err.message : String(err)}${cause})`, url);
    }
  }

  return {
    async notify(input: NotifyInput): Promise<NotifyResult> {
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
      const started = Date.now();
      let backoffMs = Math.min(1_000, attemptTimeoutMs);
      let attempts = 0;
      let reason = '';
      for (;;) {
        attempts += 1;
        Context.current().heartbeat({ attempts });
        const failed = await postOnce(url, body, attemptTimeoutMs);
        if (failed === undefined) {
          log.info('notification sent', { channel: input.channel, target, attempts });
          return { deliveredTo: 'webhook', target, attempts };
        }
        reason = failed;
        // Another attempt only if it could start within the budget.
        if (Date.now() - started + backoffMs >= budgetMs) break;
        Context.current().heartbeat({ attempts });
        await delay(backoffMs, undefined, { signal: Context.current().cancellationSignal });
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
      reason = `${reason} (${attempts} attempt${attempts === 1 ? '' : 's'} in ${Math.round((Date.now() - started) / 1000)} s)`;
      log.warn('notification not delivered', { channel: input.channel, target, reason, text });
      writeLine(`[notify:${input.channel}] UNDELIVERED to ${target}: ${reason}: ${text}`);
      return { deliveredTo: 'nowhere', target, attempts, reason };
    },
  };
}
