/**
 * Defaults of the plan's `notifications` budgets. Pure code with no imports, so the workflow sandbox can
 * use it too.
 */

/** A notice keeps trying for minutes: it never holds up the timeline, and a webhook often recovers that fast. */
export const DEFAULT_NOTIFY_RETRY_BUDGET_MS = 5 * 60_000;
/** How long one POST to the webhook may take before it counts as failed. */
export const DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS = 10_000;

/** The setting that gives the worker a notification webhook URL, token and all, without any plan carrying it. */
export const NOTIFY_URL_VARIABLE = 'CUTOVER_NOTIFY_URL';

/**
 * Incoming-webhook services whose URL path is itself the credential: anyone holding the URL can post as the
 * integration. Hosts match exactly or as a parent domain; paths by prefix.
 */
const TOKEN_IN_PATH: { host: string; path: string; service: string }[] = [
  { host: 'hooks.slack.com', path: '/', service: "Slack's" },
  { host: 'discord.com', path: '/api/webhooks/', service: "Discord's" },
  { host: 'discordapp.com', path: '/api/webhooks/', service: "Discord's" },
  { host: 'webhook.office.com', path: '/', service: "Microsoft Teams'" },
  { host: 'outlook.office.com', path: '/webhook', service: "Microsoft Teams'" },
  { host: 'hooks.zapier.com', path: '/hooks/', service: "Zapier's" },
];

/**
 * What secret a notification webhook URL carries, in words, or undefined when it carries none that can be
 * seen: credentials before the host, a query string (`?token=`, `?key=`), or a path that is itself the token.
 * The plan travels in the cutover's input and so in its history, readable by anyone who can read the workflow.
 */
export function notifyUrlSecret(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.username || parsed.password) return 'a user name or password before the host';
  if (parsed.search) return 'a query string, where webhook tokens and keys go';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  const known = TOKEN_IN_PATH.find(
    (entry) => (host === entry.host || host.endsWith(`.${entry.host}`)) && parsed.pathname.startsWith(entry.path),
  );
  return known ? `${known.service} incoming-webhook token in its path` : undefined;
}
