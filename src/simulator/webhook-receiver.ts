/**
 * A tiny webhook endpoint for local runs and tests: records PayCA deliveries, checks their signatures,
 * and can be told to fail the next few so the sender's retries show up.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { listen } from '../net/listen.js';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../payca/webhook-signature.js';

export interface WebhookReceiverOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Secrets to verify against; a function is asked on every delivery, so new subscriptions count. */
  signingSecrets?: (() => string[]) | string[];
  /** Answer the first N deliveries with 500. */
  failNext?: number;
}

export interface ReceivedWebhookEvent {
  id: string;
  type: string;
  /** True when the `payca-signature` header matches one of the signing secrets. */
  verified: boolean;
  receivedAt: string;
  path: string;
  data: unknown;
}

export interface RunningWebhookReceiver {
  url: string;
  /** Deliveries answered 2xx, oldest first. Failed-on-purpose attempts are not here. */
  events: ReceivedWebhookEvent[];
  /** Every delivery attempt, including those answered with a failure. */
  readonly attempts: number;
  /** Answer the next `count` deliveries with `status` (default 500). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

const FailRequest = z.object({
  count: z.number().int().nonnegative(),
  status: z.number().int().min(300).max(599).default(500),
});

const Delivery = z.object({ id: z.string(), type: z.string(), data: z.unknown().optional() });

async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(payload);
}

export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<RunningWebhookReceiver> {
  const events: ReceivedWebhookEvent[] = [];
  let attempts = 0;
  let failing = { remaining: options.failNext ?? 0, status: 500 };

  const secrets = (): string[] => {
    const source = options.signingSecrets;
    return typeof source === 'function' ? source() : (source ?? []);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readText(req);
    const path = new URL(req.url ?? '/', 'http://receiver.invalid').pathname;

    if (req.method === 'GET' && path === '/_receiver/events') return reply(res, 200, { data: events });
    if (req.method === 'POST' && path === '/_receiver/fail') {
      const parsed = FailRequest.safeParse(raw.trim() === '' ? {} : safeJson(raw));
      if (!parsed.success) return reply(res, 422, { message: z.prettifyError(parsed.error) });
      failing = { remaining: parsed.data.count, status: parsed.data.status };
      return reply(res, 200, { failNext: failing.remaining, status: failing.status });
    }
    if (req.method !== 'POST') return reply(res, 405, { message: 'POST deliveries here' });

    attempts += 1;
    if (failing.remaining > 0) {
      failing.remaining -= 1;
      return reply(res, failing.status, { message: 'failing on purpose' });
    }
    const header = req.headers[WEBHOOK_SIGNATURE_HEADER];
    const signature = Array.isArray(header) ? header[0] : header;
    const delivery = Delivery.safeParse(safeJson(raw));
    events.push({
      id: delivery.success ? delivery.data.id : '',
      type: delivery.success ? delivery.data.type : 'unparseable',
      verified: secrets().some((secret) => verifyWebhookSignature(secret, raw, signature)),
      receivedAt: new Date().toISOString(),
      path,
      data: delivery.success ? delivery.data.data : raw,
    });
    reply(res, 204);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, { message: 'receiver error' });
    });
  });
  const listening = await listen(server, options.port ?? 0, options.host);

  return {
    url: listening.url,
    events,
    get attempts() {
      return attempts;
    },
    failNext(count: number, status = 500) {
      failing = { remaining: count, status };
    },
    close: () => listening.close(),
  };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
