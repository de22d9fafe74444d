/**
 * The remote codec endpoint the Temporal UI (and `temporal workflow show --codec-endpoint`) calls to show
 * encrypted payloads in clear: `POST /encode` and `POST /decode` on `{payloads: [...]}`, `GET /health`.
 * Browsers call it cross-origin from the UI, so it answers CORS preflights for the configured UI origins,
 * never for any origin. Anyone who can reach it can decrypt, so it listens on loopback unless told
 * otherwise, answers only requests addressed to a host name it was given (a page whose own name was
 * rebound to this address is refused), and logs every encode and decode without the payloads.
 */
import type { PayloadCodec, Payload } from '@temporalio/common';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { CodecConfigError, CutoverError } from '../errors.js';
import { listen } from '../net/listen.js';
import { PayloadsJson, payloadsFromJson, payloadsToJson } from './payloads-json.js';

export const DEFAULT_CODEC_SERVER_PORT = 8888;
export const DEFAULT_UI_ORIGIN = 'http://localhost:8233';
/** The headers the UI sends with codec requests: the namespace, and the user's token when configured. */
export const CODEC_ALLOWED_HEADERS = 'content-type,x-namespace,authorization';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Names a request on loopback may be addressed to; others are added with `allowedHosts`. */
const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '::1'];

export interface CodecServerOptions {
  codecs: PayloadCodec[];
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Origins allowed to call from a browser: the Temporal UI's, e.g. http://localhost:8233. Never `*`. */
  corsOrigins?: string[];
  /** Host names (without port) requests may be addressed to besides loopback's and the listening address. */
  allowedHosts?: string[];
  /** One line per encode or decode: who asked, for what, and the answer; never a payload. */
  accessLog?: (entry: CodecAccess) => void;
}

export interface CodecAccess {
  at: string;
  path: '/encode' | '/decode';
  status: number;
  payloads: number;
  origin?: string;
  remoteAddress?: string;
}

export interface RunningCodecServer {
  url: string;
  close(): Promise<void>;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, 'BODY_TOO_LARGE', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, 'BODY_INVALID', 'request body is not JSON');
  }
}

async function applyCodecs(codecs: PayloadCodec[], direction: 'encode' | 'decode', payloads: Payload[]): Promise<Payload[]> {
  // The same order as the SDK's data converter: encode through the list, decode back through it reversed.
  const ordered = direction === 'encode' ? codecs : [...codecs].reverse();
  let current = payloads;
  for (const codec of ordered) current = await codec[direction](current);
  return current;
}

function corsHeaders(req: IncomingMessage, allowed: Set<string>): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin || !(allowed.has(origin) || allowed.has('*'))) return { vary: 'Origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST, GET, OPTIONS',
    'access-control-allow-headers': CODEC_ALLOWED_HEADERS,
    'access-control-allow-credentials': 'true',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}

/** The host name a request was addressed to, without port or IPv6 brackets. */
function hostNameOf(req: IncomingMessage): string | undefined {
  const header = req.headers.host;
  if (!header) return undefined;
  try {
    return new URL(`http://${header}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const origins = options.corsOrigins ?? [DEFAULT_UI_ORIGIN];
  if (origins.includes('*')) {
    throw new CodecConfigError('the codec server never lets every origin decrypt: name the Temporal UI origin(s) it serves');
  }
  const allowed = new Set(origins);
  const allowedHosts = new Set(
    [...LOOPBACK_HOST_NAMES, ...(options.host && options.host !== '0.0.0.0' && options.host !== '::' ? [options.host] : []), ...(options.allowedHosts ?? [])].map(
      (name) => name.replace(/^\[|\]$/g, '').toLowerCase(),
    ),
  );

  async function answer(req: IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    const hostName = hostNameOf(req);
    if (!hostName || !allowedHosts.has(hostName)) {
      throw new HttpProblem(
        421,
        'HOST_NOT_ALLOWED',
        `this codec server does not answer requests addressed to ${JSON.stringify(req.headers.host ?? '')}; start it with --allowed-host NAME for a name it should answer`,
      );
    }
    if (req.method === 'OPTIONS') return { status: 200 };
    if (path === '/health' && req.method === 'GET') return { status: 200, body: { status: 'ok', codecs: options.codecs.length } };
    if (path === '/encode' || path === '/decode') {
      if (req.method !== 'POST') throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${path} takes POST`);
      const parsed = PayloadsJson.safeParse(await readBody(req));
      if (!parsed.success) throw new HttpProblem(400, 'BODY_INVALID', `expected {payloads: [{metadata, data}]}: ${z.prettifyError(parsed.error)}`);
      const direction = path === '/encode' ? 'encode' : 'decode';
      return { status: 200, body: payloadsToJson(await applyCodecs(options.codecs, direction, payloadsFromJson(parsed.data))) };
    }
    throw new HttpProblem(404, 'NOT_FOUND', `no route ${req.method ?? ''} ${path}: use POST /encode, POST /decode or GET /health`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = corsHeaders(req, allowed);
    let status: number;
    let body: unknown;
    try {
      ({ status, body } = await answer(req));
    } catch (err) {
      if (err instanceof HttpProblem) {
        status = err.status;
        body = { code: err.code, message: err.message };
      } else if (err instanceof CutoverError) {
        // An unknown key id or a failed auth tag: the request was well-formed, the payload cannot be opened here.
        status = 422;
        body = { code: err.code, message: err.message };
      } else {
        status = 500;
        body = { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
      }
    }
    const path = new URL(req.url ?? '/', 'http://codec').pathname.replace(/\/+$/, '');
    if ((path === '/encode' || path === '/decode') && req.method === 'POST') {
      const payloads = status === 200 ? ((body as { payloads?: unknown[] }).payloads?.length ?? 0) : 0;
      options.accessLog?.({ at: new Date().toISOString(), path, status, payloads, origin: req.headers.origin, remoteAddress: req.socket.remoteAddress });
    }
    if (body === undefined) {
      res.writeHead(status, headers).end();
    } else {
      res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  const listening = await listen(server, options.port ?? DEFAULT_CODEC_SERVER_PORT, options.host);
  let closing: Promise<void> | undefined;
  return {
    url: listening.url,
    close() {
      closing ??= listening.close();
      return closing;
    },
  };
}
