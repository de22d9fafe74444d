/**
 * Hands activities a PayCA client per environment and base URL. Credentials are read from the worker's
 * environment on first use, so a plan never carries them and a worker without sandbox credentials can
 * still run production-only stages.
 */
import { ApplicationFailure } from '@temporalio/common';
import { CutoverError } from '../errors.js';
import { PaycaClient } from '../payca/client.js';
import { loadPaycaCredentials, type PaycaCredentials, type PaycaEnvironment } from '../payca/credentials.js';

export interface PaycaClients {
  get(environment: PaycaEnvironment, baseUrl: string): PaycaClient;
}

export interface PaycaClientsOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Overrides the environment lookup, e.g. in tests that run a simulator in-process. */
  credentials?: Partial<Record<PaycaEnvironment, PaycaCredentials>>;
}

export function createPaycaClients(options: PaycaClientsOptions = {}): PaycaClients {
  const clients = new Map<string, PaycaClient>();
  return {
    get(environment, baseUrl) {
      const key = `${environment} ${baseUrl}`;
      let client = clients.get(key);
      if (!client) {
        let credentials: PaycaCredentials;
        try {
          credentials = options.credentials?.[environment] ?? loadPaycaCredentials(environment, options.env);
        } catch (err) {
          // Retrying cannot conjure credentials; hold the stage with the message that says which variable to set.
          if (err instanceof CutoverError) {
            throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true });
          }
          throw err;
        }
        client = new PaycaClient({ baseUrl, environment, credentials, timeoutMs: options.timeoutMs });
        clients.set(key, client);
      }
      return client;
    },
  };
}
