/** A production and a sandbox PayCA simulator plus a webhook receiver on loopback, for one suite. */
import { SimulatorCounters } from '../../src/simulator/counters.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server.js';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../../src/simulator/webhook-receiver.js';

export interface PaycaStack {
  production: RunningSimulator;
  sandbox: RunningSimulator;
  receiver: RunningWebhookReceiver;
  credentials: { production: RunningSimulator['credentials']; sandbox: RunningSimulator['credentials'] };
  counters(): Promise<SimulatorCounters>;
  admin(path: string, method?: string, body?: unknown, target?: 'production' | 'sandbox'): Promise<unknown>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startPaycaStack(options: { rateLimit?: { perSecond: number; burst: number } } = {}): Promise<PaycaStack> {
  const production = await startSimulator({ mode: 'production', port: 0, rateLimit: options.rateLimit });
  const sandbox = await startSimulator({ mode: 'sandbox', port: 0 });
  const receiver = await startWebhookReceiver({ port: 0 });
  const admin = async (path: string, method = 'GET', body?: unknown, target: 'production' | 'sandbox' = 'production') => {
    const base = target === 'production' ? production.url : sandbox.url;
    const res = await fetch(`${base}/_sim/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator admin ${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    production,
    sandbox,
    receiver,
    credentials: { production: production.credentials, sandbox: sandbox.credentials },
    counters: async () => SimulatorCounters.parse(await admin('counters')),
    admin,
    async reset() {
      await admin('reset', 'POST');
      await admin('reset', 'POST', undefined, 'sandbox');
    },
    async close() {
      await Promise.all([production.close(), sandbox.close(), receiver.close()]);
    },
  };
}
