/**
 * The cutover room: a web application where the people of a cutover sign in with the organisation's
 * OpenID Connect provider and follow and answer it from a browser. It holds no state of its own apart
 * from the signed, encrypted session cookie: every page reads Temporal afresh and every answer is a
 * message the workflow judges, so any number of rooms can run behind a load balancer.
 */
import csrfProtection from '@fastify/csrf-protection';
import type { Client } from '@temporalio/client';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { registerSignIn } from '../identity/fastify-sign-in.js';
import { ProviderClient, type SignedInPerson } from '../identity/provider-client.js';
import type { SignInSettings } from '../identity/sign-in-settings.js';
import type { RoomSigningKey } from '../signing/room-key.js';
import { allowedHostNames, hostNameOf } from '../net/host-names.js';
import { urlOf } from '../net/listen.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import { html } from './html.js';
import { layout } from './pages.js';
import { registerRoomRoutes } from './routes.js';

export const DEFAULT_ROOM_PORT = 8290;
const ROOM_SESSION_COOKIE = 'cutover_room_session';
const MAX_FORM_BYTES = 64 * 1024;

/** No inline script or style, nothing from elsewhere, forms only to the room, never in a frame. */
export const ROOM_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export interface RoomOptions {
  /** A client on the cutovers' namespace, connected like the CLI's; the caller closes it. */
  client: Client;
  signIn: SignInSettings;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Where browsers reach the room; the provider returns to `<publicUrl>/callback`. The listening address unless set. */
  publicUrl?: string;
  /** Host names requests may be addressed to besides loopback's, the listening address's and the public URL's. */
  allowedHosts?: string[];
  sessionHours?: number;
  /** The room's key: each answer carries the room's signed statement of who signed in. */
  signingKey?: RoomSigningKey;
  /** The Temporal UI, for a link to each cutover there. */
  temporalUiUrl?: string;
  /** The launch report renderer, for the report link; none, no link. */
  launchReport?: (status: CutoverStatus, generatedAt: Date) => string;
  /** Sign-ins and answers, for the operator: who and what, never a token or a secret. */
  log?: (line: string) => void;
}

export interface RunningRoom {
  url: string;
  close(): Promise<void>;
}

export async function startRoom(options: RoomOptions): Promise<RunningRoom> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const publicUrl = options.publicUrl ? new URL(options.publicUrl) : undefined;
  let baseUrl = publicUrl;
  const allowedHosts = allowedHostNames(host, [publicUrl?.hostname, ...(options.allowedHosts ?? [])]);
  const provider = new ProviderClient(options.signIn);
  const returnOrigins = publicUrl ? [publicUrl.origin] : [];
  const app = Fastify({ logger: false, bodyLimit: MAX_FORM_BYTES, forceCloseConnections: true });

  app.addHook('onRequest', async (request, reply) => {
    const hostName = hostNameOf(request.headers.host);
    if (!hostName || !allowedHosts.has(hostName)) {
      return reply.code(421).send({
        code: 'HOST_NOT_ALLOWED',
        message: `this room does not answer requests addressed to ${JSON.stringify(request.headers.host ?? '')}`,
      });
    }
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', ROOM_CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    reply.header('cross-origin-opener-policy', 'same-origin');
    return payload;
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  await registerSignIn(app, {
    provider,
    sessionKey: options.signIn.sessionKey,
    publicUrl: () => baseUrl ?? new URL('http://127.0.0.1'),
    cookieName: ROOM_SESSION_COOKIE,
    sessionHours: options.sessionHours,
    // Sign-in returns only to the room's own pages; its origin is known once listening when no public URL is set.
    returnOrigins,
    signedInPage: (person: SignedInPerson) =>
      layout(
        'Signed in',
        html`<h1>Signed in</h1><p>Signed in as ${person.email ?? person.subject}. <a href="/">Your cutovers</a>.</p>`,
        {},
      ),
    log,
  });
  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/secure-session',
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      return typeof body?.['_csrf'] === 'string' ? body['_csrf'] : undefined;
    },
  });

  app.setErrorHandler((err: unknown, _request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    const code = (err as { code?: string }).code;
    if (status === 403 && typeof code === 'string' && code.startsWith('FST_CSRF')) {
      return reply
        .code(403)
        .send({ code: 'CSRF_REFUSED', message: 'the form token is missing or not valid: reload the page and send the form again' });
    }
    if (status === 413) return reply.code(413).send({ code: 'BODY_TOO_LARGE', message: `a form may hold at most ${MAX_FORM_BYTES} bytes` });
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ code: 'BAD_REQUEST', message: err instanceof Error ? err.message : String(err) });
    log(`error: ${err instanceof Error ? err.message : String(err)}`);
    return reply.code(503).send({ code: 'UNAVAILABLE', message: 'the room cannot read the cutover now; try again shortly' });
  });

  registerRoomRoutes(app, {
    client: options.client,
    issuer: options.signIn.issuer,
    namespace: options.client.options.namespace,
    temporalUiUrl: options.temporalUiUrl,
    launchReport: options.launchReport,
    signingKey: options.signingKey,
    baseUrl: () => baseUrl ?? new URL('http://127.0.0.1'),
    log,
  });

  await app.listen({ port: options.port ?? DEFAULT_ROOM_PORT, host });
  const url = urlOf(app.server.address() as AddressInfo);
  if (!baseUrl) {
    baseUrl = new URL(url);
    returnOrigins.push(baseUrl.origin);
  }
  let closing: Promise<void> | undefined;
  return {
    url: publicUrl ? publicUrl.href.replace(/\/$/, '') : url,
    close() {
      closing ??= app.close();
      return closing;
    },
  };
}
