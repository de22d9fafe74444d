/**
 * The remote codec endpoint the Temporal UI (and `temporal workflow show --codec-endpoint`) calls to show
 * encrypted payloads in clear: `POST /encode` and `POST /decode` on `{payloads: [...]}`, `GET /health`.
 * Whoever may call it can read every payload and mint valid ciphertext, so it is not an open oracle:
 * - it answers encode and decode only for a person signed in with the organisation's OpenID provider:
 *   a bearer access token from that issuer for the configured audience (what the UI sends with
 *   `codec.passAccessToken`), or this server's own session cookie, set by signing in here at `/login`
 *   (what the UI sends with "include cross-origin credentials"); without sign-in it runs only on
 *   loopback, and only when told so;
 * - browsers may call it only from the configured UI origins: CORS grants them alone, never `*`, and a
 *   request from any other origin is refused before it is read;
 * - it answers only requests addressed to a host name it was given (a page whose own name was rebound
 *   to this address is refused);
 * - it logs who encoded or decoded how many payloads, never the payloads.
 */
import cors from '@fastify/cors';
import type { PayloadCodec, Payload } from '@temporalio/common';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { CodecConfigError, CutoverError } from '../errors.js';
import { registerSignIn, signedInPerson } from '../identity/fastify-sign-in.js';
import { ProviderClient, SignInRefused, type SignedInPerson } from '../identity/provider-client.js';
import type { SignInSettings } from '../identity/sign-in-settings.js';
import { escapeHtml } from '../net/html.js';
import { allowedHostNames, hostNameOf } from '../net/host-names.js';
import { urlOf } from '../net/listen.js';
import { isLoopbackHost } from '../net/loopback.js';
import { PayloadsJson, payloadsFromJson, payloadsToJson } from './payloads-json.js';

export const DEFAULT_CODEC_SERVER_PORT = 8888;
export const DEFAULT_UI_ORIGIN = 'http://localhost:8233';
/** The headers the UI sends with codec requests: the namespace, and the user's token when configured. */
export const CODEC_ALLOWED_HEADERS = 'content-type,x-namespace,authorization';
const CODEC_SESSION_COOKIE = 'cutover_codec_session';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Who may encode and decode: people signed in with the provider, or, on loopback only and when asked
 * for explicitly, anyone who can reach the port.
 */
export type CodecAuthentication = { kind: 'sign-in'; settings: SignInSettings; sessionHours?: number } | { kind: 'none-on-loopback' };

export interface CodecServerOptions {
  codecs: PayloadCodec[];
  authentication: CodecAuthentication;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Where people's browsers reach this server (for the sign-in's return address); the listening address unless set. */
  publicUrl?: string;
  /** Origins allowed to call from a browser: the Temporal UI's, e.g. http://localhost:8233. Never `*`. */
  corsOrigins?: string[];
  /** Host names (without port) requests may be addressed to besides loopback's, the listening address and the public URL's. */
  allowedHosts?: string[];
  /** One line per encode or decode: who asked, for what, and the answer; never a payload. */
  accessLog?: (entry: CodecAccess) => void;
  /** Sign-ins and refusals of configuration, for the operator. */
  log?: (line: string) => void;
}

export interface CodecAccess {
  at: string;
  path: '/encode' | '/decode';
  status: number;
  payloads: number;
  /** The signed-in person; absent when refused, or when the server runs without sign-in. */
  who?: { subject: string; email?: string; issuer: string; via: 'bearer' | 'session' };
  /** Why a request was refused (401, 403), as told to the caller. */
  refused?: string;
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

async function applyCodecs(codecs: PayloadCodec[], direction: 'encode' | 'decode', payloads: Payload[]): Promise<Payload[]> {
  // The same order as the SDK's data converter: encode through the list, decode back through it reversed.
  const ordered = direction === 'encode' ? codecs : [...codecs].reverse();
  let current = payloads;
  for (const codec of ordered) current = await codec[direction](current);
  return current;
}

function signedInPage(person: SignedInPerson): string {
  const who = escapeHtml(person.email ?? person.subject);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Codec server: signed in</title></head>
<body><h1>Signed in as ${who}</h1>
<p>The Temporal UI can now decode payloads through this codec server when its codec setting
"Include cross-origin credentials" is on. You can close this tab.</p></body></html>`;
}

interface RequestRecord {
  who?: SignedInPerson;
  refused?: string;
  payloads: number;
}

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  const origins = options.corsOrigins ?? [DEFAULT_UI_ORIGIN];
  if (origins.includes('*')) {
    throw new CodecConfigError('the codec server never lets every origin decrypt: name the Temporal UI origin(s) it serves');
  }
  const host = options.host ?? '127.0.0.1';
  const authentication = options.authentication;
  if (authentication.kind === 'none-on-loopback' && !isLoopbackHost(host.replace(/^\[|\]$/g, ''))) {
    throw new CodecConfigError(
      `without sign-in anyone who reaches the codec server can decrypt, so it listens only on loopback then, not on ${host}: configure sign-in with the organisation's identity provider`,
    );
  }
  const allowedOrigins = new Set(origins);
  const publicUrl = options.publicUrl ? new URL(options.publicUrl) : undefined;
  const allowedHosts = allowedHostNames(host, [publicUrl?.hostname, ...(options.allowedHosts ?? [])]);
  // Known once listening when no public URL is given.
  let baseUrl = publicUrl;
  const provider = authentication.kind === 'sign-in' ? new ProviderClient(authentication.settings) : undefined;
  const records = new WeakMap<FastifyRequest, RequestRecord>();

  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, forceCloseConnections: true });

  app.addHook('onRequest', async (request, reply) => {
    const hostName = hostNameOf(request.headers.host);
    if (!hostName || !allowedHosts.has(hostName)) {
      return reply.code(421).send({
        code: 'HOST_NOT_ALLOWED',
        message: `this codec server does not answer requests addressed to ${JSON.stringify(request.headers.host ?? '')}; start it with --allowed-host NAME for a name it should answer`,
      });
    }
  });

  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
    credentials: true,
    methods: ['POST', 'GET', 'OPTIONS'],
    allowedHeaders: CODEC_ALLOWED_HEADERS,
    maxAge: 600,
    optionsSuccessStatus: 200,
  });

  app.setErrorHandler((err: unknown, _request, reply) => {
    if (err instanceof HttpProblem) return reply.code(err.status).send({ code: err.code, message: err.message });
    // An unknown key id or a failed auth tag: the request was well-formed, the payload cannot be opened here.
    if (err instanceof CutoverError) return reply.code(422).send({ code: err.code, message: err.message });
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413)
      return reply.code(413).send({ code: 'BODY_TOO_LARGE', message: `request body is larger than ${MAX_BODY_BYTES} bytes` });
    if (status === 400 || status === 415) return reply.code(status).send({ code: 'BODY_INVALID', message: 'request body is not JSON' });
    return reply.code(500).send({ code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      code: 'NOT_FOUND',
      message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}: use POST /encode, POST /decode or GET /health`,
    }),
  );

  if (provider && authentication.kind === 'sign-in') {
    await registerSignIn(app, {
      provider,
      sessionKey: authentication.settings.sessionKey,
      publicUrl: () => baseUrl ?? new URL('http://127.0.0.1'),
      cookieName: CODEC_SESSION_COOKIE,
      sessionHours: authentication.sessionHours,
      returnOrigins: origins,
      signedInPage,
      log: options.log,
    });
  }

  /** Who is asking, or a 401/403 with the reason; before the body is read, so a stranger's 16 MB is never parsed. */
  async function admit(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const record: RequestRecord = { payloads: 0 };
    records.set(request, record);
    const origin = request.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) {
      record.refused = `origin ${origin} may not call this codec server`;
      return reply.code(403).send({ code: 'ORIGIN_NOT_ALLOWED', message: record.refused });
    }
    if (!provider) return;
    const authorization = request.headers.authorization;
    try {
      if (authorization !== undefined) {
        const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
        if (!bearer) throw new SignInRefused('the Authorization header is not a bearer token');
        record.who = await provider.verifyBearer(bearer);
        return;
      }
      record.who = signedInPerson(request, provider.issuer);
      if (record.who) return;
      throw new SignInRefused(
        `sign in first: open ${new URL('/login', baseUrl).href} in this browser${provider.acceptsBearerTokens ? `, or send a bearer access token from ${provider.issuer}` : ''}`,
      );
    } catch (err) {
      if (!(err instanceof SignInRefused)) throw err;
      record.refused = err.reason;
      return reply
        .code(401)
        .header('www-authenticate', authorization === undefined ? 'Bearer' : 'Bearer error="invalid_token"')
        .send({ code: 'UNAUTHENTICATED', message: err.reason });
    }
  }

  for (const direction of ['encode', 'decode'] as const) {
    const path = `/${direction}` as const;
    app.post(path, { onRequest: admit }, async (request) => {
      const parsed = PayloadsJson.safeParse(request.body);
      if (!parsed.success)
        throw new HttpProblem(400, 'BODY_INVALID', `expected {payloads: [{metadata, data}]}: ${z.prettifyError(parsed.error)}`);
      const answer = payloadsToJson(await applyCodecs(options.codecs, direction, payloadsFromJson(parsed.data)));
      const record = records.get(request);
      if (record) record.payloads = answer.payloads.length;
      return answer;
    });
    app.get(path, async () => {
      throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `${path} takes POST`);
    });
    app.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'POST' || request.routeOptions.url !== path) return;
      const record = records.get(request);
      const who = record?.who;
      options.accessLog?.({
        at: new Date().toISOString(),
        path,
        status: reply.statusCode,
        payloads: reply.statusCode === 200 ? (record?.payloads ?? 0) : 0,
        ...(who ? { who: { subject: who.subject, email: who.email, issuer: who.issuer, via: who.via } } : {}),
        ...(record?.refused ? { refused: record.refused } : {}),
        origin: request.headers.origin,
        remoteAddress: request.socket.remoteAddress,
      });
    });
  }

  app.get('/health', async () => ({ status: 'ok', codecs: options.codecs.length, signIn: provider ? 'required' : 'off' }));

  await app.listen({ port: options.port ?? DEFAULT_CODEC_SERVER_PORT, host });
  const url = urlOf(app.server.address() as AddressInfo);
  baseUrl ??= new URL(url);
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
