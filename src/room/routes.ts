/**
 * The room's routes. Every page and endpoint but the sign-in pages and the assets needs a session; every
 * POST needs the form token too (CSRF), checked before anything else happens. A cutover is shown and
 * answered only for a person its plan lists; to anyone else it does not exist.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signedInPerson } from '../identity/fastify-sign-in.js';
import type { SignedInPerson } from '../identity/provider-client.js';
import { readStatus } from '../operations/read-status.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import type { RoomSigningKey } from '../signing/room-key.js';
import { sendAnswer } from './answer.js';
import { ROOM_SCRIPT, ROOM_STYLES } from './assets.js';
import { cutoverFor, cutoversFor } from './cutovers.js';
import { html } from './html.js';
import {
  TOKEN_PLACEHOLDER,
  cutoverPage,
  cutoverSections,
  layout,
  listPage,
  signInPage,
  signedOutPage,
  type Notice,
  type PageContext,
} from './pages.js';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** What the last answer came to, shown once on the page the browser is sent back to. */
    notice: Notice;
    _csrf: string;
  }
}

export interface RouteOptions {
  client: Client;
  issuer: string;
  namespace: string;
  temporalUiUrl?: string;
  /** The launch report as Markdown, when the room is given the CLI's renderer. */
  launchReport?: (status: CutoverStatus, generatedAt: Date) => string;
  /** Signs each answer's room statement; without it answers go as the name only. */
  signingKey?: RoomSigningKey;
  /** Where browsers reach the room. */
  baseUrl: () => URL;
  log: (line: string) => void;
}

const who = (person: SignedInPerson) => (person.email ? `${person.name ? `${person.name}, ` : ''}${person.email}` : person.subject);

function page(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(text);
}

export function registerRoomRoutes(app: FastifyInstance, options: RouteOptions): void {
  const { client } = options;
  const person = (request: FastifyRequest) => signedInPerson(request, options.issuer);
  const context = (request: FastifyRequest, reply: FastifyReply, signed: SignedInPerson): PageContext => ({
    signedInAs: who(signed),
    csrfToken: reply.generateCsrf(),
    temporalUiUrl: options.temporalUiUrl,
    namespace: options.namespace,
    hasReport: options.launchReport !== undefined,
  });
  // The plugin's check refuses a form without the token its page was given; bound so `this` stays the app.
  const checkCsrf = app.csrfProtection.bind(app);
  const loginUrl = (request: FastifyRequest) => `/login?return=${encodeURIComponent(new URL(request.url, options.baseUrl()).href)}`;

  /** A session or nothing: pages send the browser to sign in, endpoints answer 401. */
  function requireSession(kind: 'page' | 'endpoint') {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      if (person(request)) return;
      if (kind === 'page') return reply.header('cache-control', 'no-store').redirect(loginUrl(request), 303);
      return reply
        .code(401)
        .header('cache-control', 'no-store')
        .send({ code: 'UNAUTHENTICATED', message: `sign in first at ${new URL('/login', options.baseUrl()).href}` });
    };
  }

  app.get('/assets/room.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'max-age=300').send(ROOM_SCRIPT),
  );
  app.get('/assets/room.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=300').send(ROOM_STYLES),
  );
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/', async (request, reply) => {
    const signed = person(request);
    if (!signed) return page(reply, 200, layout('Sign in', signInPage(new URL('/', options.baseUrl()).href), {}));
    const views = await cutoversFor(client, signed);
    const notice = takeNotice(request);
    return page(reply, 200, layout('Your cutovers', listPage(views, who(signed), notice), context(request, reply, signed)));
  });

  app.get('/signed-out', async (_request, reply) => page(reply, 200, layout('Signed out', signedOutPage(), {})));

  app.post('/sign-out', { onRequest: requireSession('endpoint'), preHandler: checkCsrf }, async (request, reply) => {
    request.session.delete();
    return reply.header('cache-control', 'no-store').redirect('/signed-out', 303);
  });

  /** The sections of a cutover's page with a fresh form token, and each one's digest without it. */
  function sections(request: FastifyRequest, reply: FastifyReply, view: Parameters<typeof cutoverSections>[0], signed: SignedInPerson) {
    const ctx = context(request, reply, signed);
    const out: Record<string, { html: string; digest: string }> = {};
    for (const [id, section] of Object.entries(cutoverSections(view, ctx))) {
      out[id] = {
        digest: createHash('sha256').update(section.text).digest('hex').slice(0, 16),
        html: section.text.split(TOKEN_PLACEHOLDER).join(ctx.csrfToken ?? ''),
      };
    }
    return { ctx, out };
  }

  const notFound = (id: string) =>
    html`<h1>No such cutover for you</h1><p>There is no cutover ${id} whose plan lists you. <a href="/">Your cutovers</a>.</p>`;

  app.get<{ Params: { id: string } }>('/cutovers/:id', { onRequest: requireSession('page') }, async (request, reply) => {
    const signed = person(request) as SignedInPerson;
    const view = await cutoverFor(client, request.params.id, signed);
    if (!view) return page(reply, 404, layout('Not found', notFound(request.params.id), context(request, reply, signed)));
    const { ctx, out } = sections(request, reply, view, signed);
    const liveUrl = `/cutovers/${encodeURIComponent(view.workflowId)}/live`;
    return page(reply, 200, layout(view.reading.status.programme, cutoverPage(out, takeNotice(request)), ctx, { liveUrl }));
  });

  app.get<{ Params: { id: string } }>('/cutovers/:id/live', { onRequest: requireSession('endpoint') }, async (request, reply) => {
    const signed = person(request) as SignedInPerson;
    const view = await cutoverFor(client, request.params.id, signed);
    if (!view)
      return reply
        .code(404)
        .header('cache-control', 'no-store')
        .send({ code: 'NOT_FOUND', message: `no cutover ${request.params.id} lists you` });
    return reply.header('cache-control', 'no-store').send({ sections: sections(request, reply, view, signed).out });
  });

  app.get<{ Params: { id: string } }>('/cutovers/:id/report', { onRequest: requireSession('page') }, async (request, reply) => {
    const signed = person(request) as SignedInPerson;
    const view = options.launchReport ? await cutoverFor(client, request.params.id, signed) : undefined;
    if (!view || !options.launchReport)
      return page(reply, 404, layout('Not found', notFound(request.params.id), context(request, reply, signed)));
    const report = options.launchReport(await readStatus(client, view.workflowId), new Date());
    return reply
      .header('cache-control', 'no-store')
      .type('text/markdown; charset=utf-8')
      .header('content-disposition', `inline; filename="${view.workflowId}-launch-report.md"`)
      .send(report);
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/cutovers/:id/answers',
    { onRequest: requireSession('endpoint'), preHandler: checkCsrf },
    async (request, reply) => {
      const signed = person(request) as SignedInPerson;
      const view = await cutoverFor(client, request.params.id, signed);
      if (!view) {
        options.log(`refused: ${who(signed)} (subject ${signed.subject}) is not in the plan of ${request.params.id}`);
        return reply
          .code(403)
          .send({ code: 'NOT_IN_PLAN', message: `the plan of ${request.params.id} does not list you, so you cannot act on it` });
      }
      const { _csrf: _token, ...fields } = request.body ?? {};
      const signing = options.signingKey && { key: options.signingKey, status: view.reading.status };
      const outcome = await sendAnswer(client, view.workflowId, view.viewer, fields, signing);
      options.log(
        `answer: ${view.viewer.name} (${who(signed)}) ${outcome.kind ?? String(fields['action'])} on ${view.workflowId}: ${outcome.accepted ? 'accepted' : `refused: ${outcome.reason}`}`,
      );
      request.session.set(
        'notice',
        outcome.accepted
          ? { kind: 'accepted', text: `${outcome.kind} accepted: ${outcome.outcome}` }
          : { kind: 'refused', text: outcome.reason },
      );
      return reply.header('cache-control', 'no-store').redirect(`/cutovers/${encodeURIComponent(view.workflowId)}`, 303);
    },
  );
}

function takeNotice(request: FastifyRequest): Notice | undefined {
  const notice = request.session?.get('notice');
  if (notice) request.session.set('notice', undefined);
  return notice;
}
