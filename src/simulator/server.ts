/**
 * The PayCA simulator: an in-memory HTTP server of the whole contract in docs/payca-contract.md, in sandbox or
 * production mode, with a `/_sim/` admin API for tests (faults, counters, state tweaks, jobs).
 */
import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from '../net/listen.js';
import { createAdminHandler } from './admin-routes.js';
import { DEFAULT_SIM_CREDENTIALS, type SimulatorCredentials } from './auth.js';
import { FaultInjector } from './faults.js';
import { IdempotencyStore } from './idempotency.js';
import { createPaycaPipeline } from './payca-pipeline.js';
import { paycaRoutes } from './payca-routes.js';
import { TokenBucketLimiter, type RateLimitConfig } from './rate-limit.js';
import { createState, resetState, type SimulatorMode, type SimulatorState } from './state.js';
import { WebhookDispatcher } from './webhooks.js';

export { DEFAULT_SIM_CREDENTIALS, type SimulatorCredentials } from './auth.js';
export type { RateLimitConfig } from './rate-limit.js';
export type { SimulatorMode, SimulatorState } from './state.js';

export interface SimulatorOptions {
  mode: SimulatorMode;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default: DEFAULT_SIM_CREDENTIALS[mode]. */
  credentials?: SimulatorCredentials;
  /** Default 50 per second, burst 50. */
  rateLimit?: RateLimitConfig;
  /** A delivery attempt fails without a 2xx within this long. Default 5000. */
  webhookTimeoutMs?: number;
  /** Waits before each retry; default [500, 2000], i.e. 3 attempts in all. */
  webhookRetryDelaysMs?: number[];
  /** Business clock for timestamps, reports and idempotency expiry. Rate limits and signatures use the real clock. */
  now?: () => Date;
}

export interface RunningSimulator {
  url: string;
  mode: SimulatorMode;
  credentials: SimulatorCredentials;
  /** The live world, for in-process inspection. */
  state: SimulatorState;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const { mode } = options;
  const credentials = { ...(options.credentials ?? DEFAULT_SIM_CREDENTIALS[mode]) };
  const now = options.now ?? (() => new Date());
  const defaultRateLimit = { ...(options.rateLimit ?? { perSecond: 50, burst: 50 }) };

  const state = createState(mode);
  const limiter = new TokenBucketLimiter(defaultRateLimit);
  const faults = new FaultInjector(limiter, defaultRateLimit);
  const idempotency = new IdempotencyStore(now);
  const webhooks = new WebhookDispatcher({
    state,
    now,
    timeoutMs: options.webhookTimeoutMs ?? 5_000,
    retryDelaysMs: options.webhookRetryDelaysMs ?? [500, 2_000],
  });
  const shutdown = new AbortController();
  // Every request held by a latency fault listens on this signal until its delay ends; a seeding batch
  // holds dozens at once, which is expected and not the leak Node's default limit of ten warns about.
  setMaxListeners(0, shutdown.signal);

  const handlePayca = createPaycaPipeline({
    state,
    credentials,
    routes: paycaRoutes(),
    faults,
    limiter,
    idempotency,
    webhooks,
    now,
    shutdown: shutdown.signal,
  });
  const handleAdmin = createAdminHandler({
    state,
    faults,
    now,
    reset: () => {
      webhooks.cancelAll();
      faults.clear();
      limiter.configure(defaultRateLimit);
      idempotency.clear();
      resetState(state);
    },
    expireIdempotencyKeys: () => idempotency.clear(),
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const isAdmin = (req.url ?? '').startsWith('/_sim/');
    void (isAdmin ? handleAdmin(req, res) : handlePayca(req, res));
  });
  const listening = await listen(server, options.port ?? 0, options.host);

  let closing: Promise<void> | undefined;
  return {
    url: listening.url,
    mode,
    credentials,
    state,
    close() {
      closing ??= (async () => {
        shutdown.abort();
        await webhooks.close();
        await listening.close();
      })();
      return closing;
    },
  };
}
