/**
 * Notifications to people: a Slack-compatible incoming webhook (`{"text": ...}`) from the plan or the
 * worker's CUTOVER_NOTIFY_URL, or the worker's console when neither is set.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

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
}

export interface NotifyDeps {
  /** From the worker's environment; the plan's URL wins when both are set. */
  defaultWebhookUrl?: string;
  fetch?: typeof fetch;
  /** Where console notifications go; the worker's stdout by default. */
  write?: (line: string) => void;
}

export function createNotifyActivities({ defaultWebhookUrl, fetch: fetchImpl = fetch, write }: NotifyDeps = {}) {
  return {
    async notify(input: NotifyInput): Promise<{ deliveredTo: 'webhook' | 'console' }> {
      const text = input.to?.length ? `${input.text} (to: ${input.to.join(', ')})` : input.text;
      const url = input.webhookUrl ?? defaultWebhookUrl;
      if (!url) {
        (write ?? ((line: string) => process.stdout.write(line + '\n')))(`[notify:${input.channel}] ${text}`);
        return { deliveredTo: 'console' };
      }
      let res: Response;
      try {
        res = await fetchImpl(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text, channel: input.channel }),
          signal: Context.current().cancellationSignal,
        });
      } catch (err) {
        throw ApplicationFailure.create({
          type: 'NotificationFailed',
          message: `notification webhook unreachable: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
      await res.arrayBuffer();
      if (!res.ok) {
        throw ApplicationFailure.create({ type: 'NotificationFailed', message: `notification webhook answered HTTP ${res.status}` });
      }
      log.info('notification sent', { channel: input.channel });
      return { deliveredTo: 'webhook' };
    },
  };
}
