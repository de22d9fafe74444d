/**
 * Browser sign-in for a fastify service: `GET /login` sends the browser to the provider (code flow with
 * PKCE), `GET /callback` takes it back and keeps who signed in in an encrypted, signed session cookie
 * (`@fastify/secure-session`), `POST /logout` ends it. The cookie is HttpOnly, SameSite=Lax, Secure when the
 * service is reached over https, and expires server-side after `sessionHours` whatever the browser keeps.
 */
import secureSession from '@fastify/secure-session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PendingSignIn, ProviderClient, SignedInPerson } from './provider-client.js';
import { SignInRefused } from './provider-client.js';

declare module '@fastify/secure-session' {
  interface SessionData {
    person: Omit<SignedInPerson, 'via'>;
    pending: PendingSignIn;
  }
}

export interface SignInOptions {
  provider: ProviderClient;
  sessionKey: Buffer;
  /**
   * Where people reach the service, e.g. https://codec.internal.example; the provider returns to
   * `${publicUrl}/callback`. A function, since a service listening on a free port knows it only once listening.
   */
  publicUrl: () => URL;
  cookieName: string;
  sessionHours?: number;
  /** Origins a sign-in may return to afterwards (`/login?return=…`); anything else ends on the service's own page. */
  returnOrigins: string[];
  /** The page shown after sign-in when there is nowhere to return to. */
  signedInPage: (person: SignedInPerson) => string;
  log?: (line: string) => void;
}

/** Who the session cookie says signed in, if that was with `issuer` (a cookie from before a change of provider is not). */
export function signedInPerson(request: FastifyRequest, issuer: string): SignedInPerson | undefined {
  const person = request.session?.get('person');
  return person && person.issuer === issuer ? { ...person, via: 'session' } : undefined;
}

function problem(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send({ code, message });
}

export async function registerSignIn(app: FastifyInstance, options: SignInOptions): Promise<void> {
  const redirectUri = () => new URL('/callback', options.publicUrl()).href;
  const sessionSeconds = Math.round((options.sessionHours ?? 8) * 3600);
  await app.register(secureSession, {
    key: options.sessionKey,
    cookieName: options.cookieName,
    expiry: sessionSeconds,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: options.publicUrl().protocol === 'https:', maxAge: sessionSeconds },
  });

  app.get('/login', async (request, reply) => {
    const asked = (request.query as Record<string, unknown>)['return'];
    let returnTo: string | undefined;
    if (typeof asked === 'string') {
      try {
        const url = new URL(asked);
        if (options.returnOrigins.includes(url.origin)) returnTo = url.href;
      } catch {
        returnTo = undefined;
      }
    }
    let begun: Awaited<ReturnType<ProviderClient['beginSignIn']>>;
    try {
      begun = await options.provider.beginSignIn(redirectUri(), returnTo);
    } catch (err) {
      return problem(
        reply,
        502,
        'PROVIDER_UNREACHABLE',
        `the identity provider ${options.provider.issuer} cannot be reached: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    request.session.set('pending', begun.pending);
    return reply.header('cache-control', 'no-store').redirect(begun.url, 303);
  });

  app.get('/callback', async (request, reply) => {
    const pending = request.session.get('pending');
    if (!pending)
      return problem(
        reply,
        400,
        'SIGN_IN_NOT_STARTED',
        `no sign-in is under way in this browser: start at ${new URL('/login', options.publicUrl()).href}`,
      );
    request.session.set('pending', undefined);
    let person: SignedInPerson;
    try {
      person = await options.provider.finishSignIn(new URL(request.url, options.publicUrl()), pending);
    } catch (err) {
      const reason = err instanceof SignInRefused ? err.reason : 'sign-in failed';
      return problem(reply, 401, 'SIGN_IN_FAILED', reason);
    }
    // A new session on sign-in, so nothing from before it carries over.
    request.session.regenerate();
    request.session.set('person', {
      issuer: person.issuer,
      subject: person.subject,
      email: person.email,
      emailVerified: person.emailVerified,
      name: person.name,
    });
    options.log?.(`signed in: ${person.email ?? person.subject} (subject ${person.subject}, ${person.issuer})`);
    if (pending.returnTo) return reply.header('cache-control', 'no-store').redirect(pending.returnTo, 303);
    return reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(options.signedInPage(person));
  });

  app.post('/logout', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== options.publicUrl().origin && !options.returnOrigins.includes(origin)) {
      return problem(reply, 403, 'ORIGIN_NOT_ALLOWED', `origin ${origin} may not end this session`);
    }
    request.session.delete();
    return reply.code(204).send();
  });
}
