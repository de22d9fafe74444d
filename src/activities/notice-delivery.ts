/**
 * Delivery of one routed notice to each of its destinations: Slack-compatible webhooks, email over the
 * worker's SMTP server (nodemailer), or in a rehearsal only the worker's log and console. Each destination
 * is tried on its own within the notice's budget; one that still fails is reported, never thrown, so a
 * notice stays a side channel.
 */
import { Context, log } from '@temporalio/activity';
import { setTimeout as delay } from 'node:timers/promises';
import { createTransport } from 'nodemailer';
import { webhookTarget, withoutWebhookUrl } from '../net/webhook-target.js';
import type { NoticeDestination } from '../plan/notice-routes.js';
import { noSmtpReason, smtpTarget, type SmtpSettings } from './smtp-settings.js';

/** Below the heartbeat timeout of every caller, since the activity heartbeats between attempts. */
const MAX_BACKOFF_MS = 15_000;
const SUBJECT_CHARS = 120;
/** Addresses a failure record names; the rest are counted, so a long list cannot swell the cutover's state. */
const TARGET_ADDRESSES = 5;

export interface RoutedNotice {
  channel: string;
  text: string;
  to?: string[];
  retryBudgetMs: number;
  attemptTimeoutMs: number;
}

export interface DestinationFailure {
  target: string;
  reason: string;
}

export interface DeliveryDeps {
  fetch: typeof fetch;
  writeLine(line: string): void;
  smtp?: SmtpSettings;
  /** Where `urlFrom` variables are read; the worker's environment. */
  environment: NodeJS.ProcessEnv;
}

/** Tries `attempt` with backoff while another attempt could start within the budget; the last reason when none succeeded. */
export async function tryWithin(
  budgetMs: number,
  attemptTimeoutMs: number,
  attempt: () => Promise<string | undefined>,
): Promise<{ attempts: number; reason?: string }> {
  const started = Date.now();
  let backoffMs = Math.min(1_000, attemptTimeoutMs);
  let attempts = 0;
  for (;;) {
    attempts += 1;
    Context.current().heartbeat({ attempts });
    const failed = await attempt();
    if (failed === undefined) return { attempts };
    if (Date.now() - started + backoffMs >= budgetMs) {
      return {
        attempts,
        reason: `${failed} (${attempts} attempt${attempts === 1 ? '' : 's'} in ${Math.round((Date.now() - started) / 1000)} s)`,
      };
    }
    Context.current().heartbeat({ attempts });
    await delay(backoffMs, undefined, { signal: Context.current().cancellationSignal });
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  }
}

/** One POST of a Slack-compatible body; why it failed, with the URL's path (its token) never shown, or undefined once delivered. */
export async function postWebhook(fetchImpl: typeof fetch, url: string, body: string, timeoutMs: number): Promise<string | undefined> {
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

export function createNoticeDelivery(deps: DeliveryDeps) {
  async function toWebhook(
    notice: RoutedNotice,
    destination: Extract<NoticeDestination, { kind: 'slack-webhook' }>,
  ): Promise<DestinationFailure | undefined> {
    const url = destination.url ?? (destination.urlFrom ? deps.environment[destination.urlFrom] : undefined);
    if (!url) {
      return { target: destination.channel, reason: `the worker has no ${destination.urlFrom ?? 'webhook URL'} set` };
    }
    const target = `${destination.channel} (${webhookTarget(url)})`;
    const text = notice.to?.length ? `${notice.text} (to: ${notice.to.join(', ')})` : notice.text;
    const body = JSON.stringify({ text, channel: notice.channel });
    const { attempts, reason } = await tryWithin(notice.retryBudgetMs, notice.attemptTimeoutMs, () =>
      postWebhook(deps.fetch, url, body, notice.attemptTimeoutMs),
    );
    if (reason === undefined) {
      log.info('notification sent', { channel: notice.channel, target, attempts });
      return undefined;
    }
    return { target, reason };
  }

  async function toEmail(
    notice: RoutedNotice,
    destination: Extract<NoticeDestination, { kind: 'email' }>,
  ): Promise<DestinationFailure | undefined> {
    const shown = destination.to.slice(0, TARGET_ADDRESSES);
    const more = destination.to.length - shown.length;
    const target = `${destination.channel} (email to ${shown.join(', ') || 'nobody'}${more > 0 ? ` and ${more} more` : ''})`;
    const unknown = destination.unknown.length
      ? `${destination.unknown.join(', ')} ha${destination.unknown.length === 1 ? 's' : 've'} no email in the plan's people`
      : '';
    if (destination.to.length === 0) return { target, reason: unknown || 'the channel lists nobody' };
    const smtp = deps.smtp;
    if (!smtp) return { target, reason: noSmtpReason(smtp) ?? '' };
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.user && { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
      connectionTimeout: notice.attemptTimeoutMs,
      greetingTimeout: notice.attemptTimeoutMs,
      socketTimeout: notice.attemptTimeoutMs,
    });
    // The start of the notice, so a mailbox list shows what each one is about.
    const subject = notice.text.length > SUBJECT_CHARS ? `${notice.text.slice(0, SUBJECT_CHARS - 1)}…` : notice.text;
    const text = unknown ? `${notice.text}\n\nNot emailed: ${unknown}.` : notice.text;
    try {
      const { attempts, reason } = await tryWithin(notice.retryBudgetMs, notice.attemptTimeoutMs, async () => {
        try {
          await transport.sendMail({ from: smtp.from, to: destination.to, subject, text });
          return undefined;
        } catch (err) {
          return `the SMTP server ${smtpTarget(smtp)} refused or was unreachable (${err instanceof Error ? err.message : String(err)})`;
        }
      });
      if (reason !== undefined) return { target, reason };
      log.info('notification emailed', { channel: notice.channel, target, attempts });
      // Delivered to those with an address; the people without one are still worth a record.
      return unknown ? { target, reason: unknown } : undefined;
    } finally {
      transport.close();
    }
  }

  return {
    /** Sends to every destination at once; the ones that could not be reached, each with its reason. */
    async deliver(
      notice: RoutedNotice,
      destinations: NoticeDestination[],
      toDefault: () => Promise<DestinationFailure | undefined>,
    ): Promise<DestinationFailure[]> {
      const results = await Promise.all(
        destinations.map(async (destination): Promise<DestinationFailure | undefined> => {
          switch (destination.kind) {
            case 'default':
              // The single-webhook path logs its own failures.
              return toDefault();
            case 'record':
              deps.writeLine(`[notify:${notice.channel}] REHEARSAL, not sent: ${notice.text}`);
              log.info('rehearsal notice recorded, not sent', { channel: notice.channel, text: notice.text });
              return undefined;
            case 'slack-webhook':
              return logged(await toWebhook(notice, destination));
            case 'email':
              return logged(await toEmail(notice, destination));
          }
        }),
      );
      return results.filter((f): f is DestinationFailure => f !== undefined);

      function logged(failure: DestinationFailure | undefined): DestinationFailure | undefined {
        if (failure) {
          log.warn('notification not delivered', {
            channel: notice.channel,
            target: failure.target,
            reason: failure.reason,
            text: notice.text,
          });
          deps.writeLine(`[notify:${notice.channel}] UNDELIVERED to ${failure.target}: ${failure.reason}: ${notice.text}`);
        }
        return failure;
      }
    },
  };
}
