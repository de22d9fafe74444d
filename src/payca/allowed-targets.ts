/**
 * Where the worker sends each environment's PayCA credentials. The worker decides, not the plan: whoever
 * may start a cutover must not be able to point the production credentials at a host of their own.
 * `PAYCA_PRODUCTION_BASE_URLS` and `PAYCA_SANDBOX_BASE_URLS` list the base URLs (comma-separated) a plan
 * may name; a plan's URL passes when it has the same scheme, host and port and its path starts with the
 * listed one. Unset, only loopback hosts pass: the local stack's simulators, never a host elsewhere.
 */
import { CutoverError } from '../errors.js';
import { isLoopbackHost } from '../net/loopback.js';
import type { PaycaEnvironment } from './credentials.js';

export const PAYCA_BASE_URLS_VARIABLES: Record<PaycaEnvironment, string> = {
  production: 'PAYCA_PRODUCTION_BASE_URLS',
  sandbox: 'PAYCA_SANDBOX_BASE_URLS',
};

export interface PaycaTargets {
  /** Why `baseUrl` may not receive `environment`'s credentials, or undefined when it may. */
  refusal(environment: PaycaEnvironment, baseUrl: string): string | undefined;
}

function parseAllowed(variable: string, value: string, what = 'PayCA base URLs'): URL[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      try {
        const url = new URL(entry);
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not http(s)');
        return url;
      } catch {
        throw new CutoverError(
          'CONFIG_INVALID',
          `${variable} lists ${JSON.stringify(entry)}, which is not an http(s) URL: list ${what}, comma-separated`,
          {
            variable,
          },
        );
      }
    });
}

const withSlash = (path: string) => (path.endsWith('/') ? path : `${path}/`);

function matches(allowed: URL, target: URL): boolean {
  return allowed.origin === target.origin && withSlash(target.pathname).startsWith(withSlash(allowed.pathname));
}

/** The one rule for both lists: a listed URL's scheme, host, port and path prefix; with no list, loopback hosts only. */
function allowedBy(list: URL[] | undefined, target: URL): boolean {
  return list === undefined ? isLoopbackHost(target.hostname) : list.some((entry) => matches(entry, target));
}

export function paycaTargetsFrom(env: NodeJS.ProcessEnv = process.env): PaycaTargets {
  const allowed = Object.fromEntries(
    (Object.entries(PAYCA_BASE_URLS_VARIABLES) as [PaycaEnvironment, string][]).map(([environment, variable]) => {
      const value = env[variable]?.trim();
      return [environment, value ? parseAllowed(variable, value) : undefined];
    }),
  ) as Record<PaycaEnvironment, URL[] | undefined>;

  return {
    refusal(environment, baseUrl) {
      const variable = PAYCA_BASE_URLS_VARIABLES[environment];
      let target: URL;
      try {
        target = new URL(baseUrl);
      } catch {
        return `the plan's ${environment} PayCA base URL ${JSON.stringify(baseUrl)} is not a URL`;
      }
      const list = allowed[environment];
      if (allowedBy(list, target)) return undefined;
      return list === undefined
        ? `this worker sends ${environment} PayCA credentials only to loopback hosts, and the plan names ${target.origin}: ` +
            `set ${variable} on the worker to the base URL(s) PayCA gave you, or correct the plan's payca.${environment}.baseUrl`
        : `this worker sends ${environment} PayCA credentials only to ${list.map((u) => u.href).join(', ')} (${variable}), ` +
            `and the plan names ${target.href}: correct the plan's payca.${environment}.baseUrl, or the worker's ${variable}`;
    },
  };
}

const WEBHOOK_URLS_VARIABLE = 'CUTOVER_WEBHOOK_URLS';

export interface WebhookTargets {
  /** Why PayCA may not be told to send signed events to `url`, or undefined when it may. */
  refusal(url: string): string | undefined;
}

/**
 * Where the worker lets the webhook smoke test have PayCA send signed events: the endpoints listed in
 * `CUTOVER_WEBHOOK_URLS` (comma-separated, matched like PayCA base URLs), or loopback hosts only when it
 * is unset. A plan naming another endpoint would otherwise get production-signed events (and a standing
 * subscription) delivered to a host of its author's choosing.
 */
export function webhookTargetsFrom(env: NodeJS.ProcessEnv = process.env): WebhookTargets {
  const value = env[WEBHOOK_URLS_VARIABLE]?.trim();
  const list = value ? parseAllowed(WEBHOOK_URLS_VARIABLE, value, 'webhook endpoint URLs') : undefined;
  return {
    refusal(url) {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return `the plan's webhook.url ${JSON.stringify(url.slice(0, 200))} is not a URL`;
      }
      // The query is left out: whatever it carries is not for the status or the log.
      const named = `${target.origin}${target.pathname}`;
      if (allowedBy(list, target)) return undefined;
      return list === undefined
        ? `this worker has PayCA send signed webhook events only to loopback hosts, and the plan's webhook.url names ${named}: ` +
            `set ${WEBHOOK_URLS_VARIABLE} on the worker to your production webhook endpoint(s), or correct the plan's webhook.url`
        : `this worker has PayCA send signed webhook events only to ${list.map((u) => u.href).join(', ')} (${WEBHOOK_URLS_VARIABLE}), ` +
            `and the plan's webhook.url names ${named}: correct the plan's webhook.url, or the worker's ${WEBHOOK_URLS_VARIABLE}`;
    },
  };
}
