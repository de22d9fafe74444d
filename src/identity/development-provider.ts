/**
 * A development OpenID Connect provider for the local stack and the tests: panva's `oidc-provider`, kept in
 * memory, with the accounts and clients its caller gives. Every page and log line says it is for
 * development only: anyone who reaches it can sign in as any of its accounts with one click, no password.
 *
 * What it serves is standard: discovery, JWKS, the authorization code flow with PKCE (required), ID tokens
 * carrying email and name, and access tokens as signed JWTs for the resources it is told of (audience set
 * to the resource), so a resource server verifies them with the issuer's JWKS like any provider's.
 */
import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { IdentityConfigError } from '../errors.js';
import { escapeHtml } from '../net/html.js';
import { listen } from '../net/listen.js';
import { isLoopbackHost } from '../net/loopback.js';

const DEVELOPMENT_PROVIDER_BANNER = 'Development identity provider: for the local stack and tests only, never for production';

export interface DevelopmentAccount {
  /** The person's id, which becomes the token's subject. */
  id: string;
  email: string;
  name: string;
}

export interface DevelopmentClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Lifetime of the access tokens this client gets; an hour unless set. */
  accessTokenTtlSeconds?: number;
}

export interface DevelopmentResource {
  /** The resource indicator, which becomes the access token's audience. */
  indicator: string;
  /** The scope granted on it. */
  scope: string;
}

export interface DevelopmentProviderOptions {
  accounts: DevelopmentAccount[];
  clients: DevelopmentClient[];
  /** Access tokens are JWTs for the first of these unless a request names another. */
  resources?: DevelopmentResource[];
  /** Loopback only. */
  host?: string;
  /** 0 picks a free one. */
  port?: number;
  log?: (line: string) => void;
}

export interface RunningDevelopmentProvider {
  issuer: string;
  close(): Promise<void>;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · development provider</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}
.dev{background:#fde68a;border:2px solid #b45309;padding:.75rem;font-weight:600}
button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font-size:1rem;text-align:left;cursor:pointer}</style>
</head><body><p class="dev" role="alert">${escapeHtml(DEVELOPMENT_PROVIDER_BANNER)}.</p>
<h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startDevelopmentProvider(options: DevelopmentProviderOptions): Promise<RunningDevelopmentProvider> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new IdentityConfigError(
      `the development identity provider lets anyone sign in as anyone, so it listens on loopback only, not ${host}`,
    );
  }
  if (options.accounts.length === 0) throw new IdentityConfigError('the development identity provider needs at least one account');
  const accounts = new Map(options.accounts.map((account) => [account.id, account]));
  const clients = new Map(options.clients.map((client) => [client.clientId, client]));
  const resources = options.resources ?? [];
  const log = options.log ?? (() => undefined);

  const { Provider } = await import('oidc-provider');

  // Set once the provider is built; until then the server answers 503.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined = undefined;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  const listening = await listen(server, options.port ?? 0, host);
  const { port } = new URL(listening.url);
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey: JsonWebKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: `dev-${randomBytes(6).toString('hex')}`,
    use: 'sig',
    alg: 'RS256',
  };

  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries email and name: a client signing someone in needs no userinfo call.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: 60,
      IdToken: 3600,
      // The resource's own lifetime, which a fixed number here would override.
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? resources[0]?.indicator,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator, client) => {
          const resource = resources.find((r) => r.indicator === indicator);
          if (!resource) throw new Error(`unknown resource ${indicator}`);
          return {
            scope: resource.scope,
            audience: resource.indicator,
            accessTokenTTL: clients.get(client.clientId)?.accessTokenTtlSeconds ?? 3600,
            accessTokenFormat: 'jwt',
          };
        },
      },
    },
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: account.id,
        claims: () => ({ sub: account.id, email: account.email, email_verified: true, name: account.name }),
      };
    },
    // A resource server's log names the person without a call back to the provider.
    extraTokenClaims: (_ctx, token) => {
      const account = 'accountId' in token && typeof token.accountId === 'string' ? accounts.get(token.accountId) : undefined;
      return account ? { email: account.email } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction does not match its cookie');
    const { prompt, params } = details;
    if (prompt.name === 'login' && req.method === 'POST' && action === 'login') {
      const accountId = (await readForm(req)).get('account') ?? '';
      const account = accounts.get(accountId);
      if (!account) {
        res
          .writeHead(400, { 'content-type': 'text/html; charset=utf-8' })
          .end(page('Unknown account', `<p>No account ${escapeHtml(accountId)}.</p>`));
        return;
      }
      log(`development identity provider: signed in as ${account.id} <${account.email}> for ${String(params['client_id'])}`);
      await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
      return;
    }
    if (prompt.name === 'login') {
      const buttons = [...accounts.values()]
        .map(
          (a) =>
            `<button type="submit" name="account" value="${escapeHtml(a.id)}">Sign in as ${escapeHtml(a.name)} (${escapeHtml(a.id)}, ${escapeHtml(a.email)})</button>`,
        )
        .join('');
      const body = `<p>${escapeHtml(String(params['client_id']))} asks who you are. Pick an account; there is no password.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login">${buttons}</form>`;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page('Sign in', body));
      return;
    }
    if (prompt.name === 'consent') {
      // A development provider grants what its own clients ask for, without a consent page.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session?.accountId, clientId: String(params['client_id']) });
      if (!grant) throw new Error('grant not found');
      const missing = prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(' '));
      await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
      return;
    }
    res.writeHead(501).end();
  }

  const providerCallback = provider.callback();
  handler = (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(\w+))?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match?.[1]) {
      void providerCallback(req, res);
      return;
    }
    interaction(req, res, match[1], match[2]).catch((err: unknown) => {
      if (res.headersSent) {
        res.end();
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' }).end(page('Sign-in failed', `<p>${escapeHtml(message)}</p>`));
    });
  };

  log(`${DEVELOPMENT_PROVIDER_BANNER}: ${issuer}, accounts ${[...accounts.keys()].join(', ')}, clients ${[...clients.keys()].join(', ')}`);
  return {
    issuer,
    close: () => listening.close(),
  };
}
