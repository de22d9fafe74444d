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

function parseAllowed(variable: string, value: string): URL[] {
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
        throw new CutoverError('CONFIG_INVALID', `${variable} lists ${JSON.stringify(entry)}, which is not an http(s) URL: list PayCA base URLs, comma-separated`, {
          variable,
        });
      }
    });
}

const withSlash = (path: string) => (path.endsWith('/') ? path : `${path}/`);

function matches(allowed: URL, target: URL): boolean {
  return allowed.origin === target.origin && withSlash(target.pathname).startsWith(withSlash(allowed.pathname));
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
      if (list === undefined) {
        return isLoopbackHost(target.hostname)
          ? undefined
          : `this worker sends ${environment} PayCA credentials only to loopback hosts, and the plan names ${target.origin}: ` +
              `set ${variable} on the worker to the base URL(s) PayCA gave you, or correct the plan's payca.${environment}.baseUrl`;
      }
      return list.some((entry) => matches(entry, target))
        ? undefined
        : `this worker sends ${environment} PayCA credentials only to ${list.map((u) => u.href).join(', ')} (${variable}), ` +
            `and the plan names ${target.href}: correct the plan's payca.${environment}.baseUrl, or the worker's ${variable}`;
    },
  };
}
