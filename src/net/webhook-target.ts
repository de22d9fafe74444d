/**
 * How a notification webhook is named in status, reports and logs. Incoming-webhook URLs carry their
 * secret in the path (Slack's `/services/T…/B…/token`), so only the scheme and host are ever shown.
 * Pure code with no imports, so the workflow sandbox can use it too.
 */
const ORIGIN_RE = /^([a-z][a-z0-9+.-]*:\/\/)(?:[^/?#@]*@)?([^/?#]*)/i;

export function webhookTarget(url: string): string {
  const match = ORIGIN_RE.exec(url.trim());
  if (!match) return 'a notification webhook (address not shown)';
  return `${(match[1] ?? '').toLowerCase()}${match[2] ?? ''}/…`;
}

/** Replaces every appearance of `url` (and of its path, which holds the token) in `text` with its redacted form. */
export function withoutWebhookUrl(text: string, url: string): string {
  const redacted = webhookTarget(url);
  let out = text.split(url).join(redacted);
  const path = url.replace(ORIGIN_RE, '');
  if (path.length > 1) out = out.split(path).join('/…');
  return out;
}
