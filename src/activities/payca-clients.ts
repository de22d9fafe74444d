/**
 * Hands activities a PayCA client per environment and base URL. Credentials are read from the worker's
 * environment on first use, so a plan never carries them and a worker without sandbox credentials can
 * still run production-only stages. A base URL the worker's settings do not allow for that environment
 * gets no client, so no credential leaves for it (`allowed-targets.ts`).
 */
import { ApplicationFailure } from '@temporalio/common';
import { CutoverError, FAILURE_TYPES, failureTypeOf } from '../errors.js';
import type { CallPermits } from '../payca/call-rate.js';
import { PaycaClient } from '../payca/client.js';
import { paycaTargetsFrom, type PaycaTargets } from '../payca/allowed-targets.js';
import { loadPaycaCredentials, type PaycaCredentials, type PaycaEnvironment } from '../payca/credentials.js';
import { keepActivityAlive } from './heartbeat.js';

export interface PaycaClients {
  get(environment: PaycaEnvironment, baseUrl: string): PaycaClient;
  /** Why `baseUrl` gets no client for `environment` (the worker does not allow it), or undefined when it would. */
  refusal(environment: PaycaEnvironment, baseUrl: string): string | undefined;
}

export interface PaycaClientsOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Overrides the environment lookup, e.g. in tests that run a simulator in-process. */
  credentials?: Partial<Record<PaycaEnvironment, PaycaCredentials>>;
  /** Where each environment's credentials may go; by default from the worker's environment. */
  targets?: PaycaTargets;
  /**
   * The worker's PayCA call limiter for a base URL's host, shared by every client that calls that host
   * (whichever credentials it carries; activities and local activities alike). None: calls are not limited here.
   */
  permits?: { for(baseUrl: string): CallPermits };
}

/** A wait for a permit inside an activity that heartbeats keeps heartbeating, so it cannot time out silently. */
function heartbeatingWhileWaiting(permits: CallPermits): CallPermits {
  return {
    acquire: (options) => permits.acquire({ ...options, whileWaiting: options?.whileWaiting ?? keepActivityAlive() }),
  };
}

export function createPaycaClients(options: PaycaClientsOptions = {}): PaycaClients {
  const clients = new Map<string, PaycaClient>();
  const targets = options.targets ?? paycaTargetsFrom(options.env);
  return {
    refusal: (environment, baseUrl) => targets.refusal(environment, baseUrl),
    get(environment, baseUrl) {
      const key = `${environment} ${baseUrl}`;
      let client = clients.get(key);
      if (!client) {
        const refusal = targets.refusal(environment, baseUrl);
        // A plan cannot be corrected by retrying: hold the stage with what to change, before any call.
        if (refusal)
          throw ApplicationFailure.create({ type: FAILURE_TYPES.PAYCA_TARGET_NOT_ALLOWED, message: refusal, nonRetryable: true });
        let credentials: PaycaCredentials;
        try {
          credentials = options.credentials?.[environment] ?? loadPaycaCredentials(environment, options.env);
        } catch (err) {
          // Retrying cannot conjure credentials; hold the stage with the message that says which variable to set.
          if (err instanceof CutoverError) {
            // Loading credentials raises only CREDENTIALS_MISSING or CONFIG_INVALID; any other code is a setting too.
            const type = failureTypeOf(err.code) ?? FAILURE_TYPES.CONFIG_INVALID;
            throw ApplicationFailure.create({ type, message: err.message, nonRetryable: true });
          }
          throw err;
        }
        const permits = options.permits?.for(baseUrl);
        client = new PaycaClient({
          baseUrl,
          environment,
          credentials,
          timeoutMs: options.timeoutMs,
          ...(permits ? { permits: heartbeatingWhileWaiting(permits) } : {}),
        });
        clients.set(key, client);
      }
      return client;
    },
  };
}
