/**
 * Signs in at a provider the way a browser would, without one: the authorization request with PKCE, the
 * provider's login page (the development provider's "sign in as" form), its redirects with their cookies,
 * then the code exchanged for tokens by `openid-client`. For tests that need a real access token, as the
 * Temporal UI would hold after its own sign-in.
 */
import assert from 'node:assert/strict';
import { SIGN_IN_SCOPE } from '../../src/identity/provider-client.js';

export interface CodeFlowClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

function cookieHeader(jar: Map<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
}

/** The tokens the provider issues to `client` once `accountId` signs in. */
export async function tokensFor(
  issuer: string,
  client: CodeFlowClient,
  accountId: string,
): Promise<{ accessToken: string; idToken?: string }> {
  const oidc = await import('openid-client');
  const config = await oidc.discovery(new URL(issuer), client.clientId, client.clientSecret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  let url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: client.redirectUri,
    scope: SIGN_IN_SCOPE,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const jar = new Map<string, string>();
  for (let step = 0; step < 12; step += 1) {
    if (url.href.startsWith(client.redirectUri)) {
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: verifier, expectedState: state });
      return { accessToken: tokens.access_token, idToken: tokens.id_token };
    }
    const login = /\/interaction\/[\w-]+$/.test(url.pathname);
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: cookieHeader(jar) } });
    keepCookies(jar, response);
    const page = await response.text();
    if (login && response.status === 200) {
      assert.match(page, /Development identity provider/);
      const answer = await fetch(new URL(`${url.pathname}/login`, url), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ account: accountId }).toString(),
      });
      keepCookies(jar, answer);
      await answer.text();
      assert.equal(answer.status, 303, `the provider took the sign-in as ${accountId}`);
      url = new URL(answer.headers.get('location') ?? '', url);
      continue;
    }
    assert.ok([302, 303].includes(response.status), `${url.pathname} answered ${response.status}: ${page.slice(0, 300)}`);
    url = new URL(response.headers.get('location') ?? '', url);
  }
  throw new Error('the sign-in did not come back to the redirect URI within 12 steps');
}
