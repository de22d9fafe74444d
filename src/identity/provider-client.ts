/**
 * One service's view of the organisation's OpenID provider: discovery (lazily, so the service starts while
 * the provider is down), the authorization code flow with PKCE through `openid-client`, and bearer access
 * tokens verified with `jose` against the issuer's JWKS, its issuer, the configured audience and expiry.
 */
import type { Configuration } from 'openid-client' with { 'resolution-mode': 'import' };
import type { JWTVerifyGetKey } from 'jose' with { 'resolution-mode': 'import' };
import { isLoopbackHost } from '../net/loopback.js';
import type { SignInSettings } from './sign-in-settings.js';

export interface SignedInPerson {
  issuer: string;
  subject: string;
  email?: string;
  /** The provider vouches that the email is the person's own (the ID token's `email_verified`). */
  emailVerified?: boolean;
  name?: string;
  via: 'bearer' | 'session';
}

/** What a sign-in keeps between sending the browser to the provider and its return. */
export interface PendingSignIn {
  codeVerifier: string;
  state: string;
  nonce: string;
  returnTo?: string;
}

/** A request's credentials were not good enough; `reason` is safe to show to the caller. */
export class SignInRefused extends Error {
  override name = 'SignInRefused';
  constructor(readonly reason: string) {
    super(reason);
  }
}

export const SIGN_IN_SCOPE = 'openid email profile';
/** Tolerated clock difference between the provider and this service when checking expiry. */
const CLOCK_TOLERANCE_SECONDS = 5;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export class ProviderClient {
  private discovered?: Promise<{ config: Configuration; jwks: JWTVerifyGetKey }>;

  constructor(private readonly settings: SignInSettings) {}

  get issuer(): string {
    return this.settings.issuer;
  }

  get acceptsBearerTokens(): boolean {
    return this.settings.audience !== undefined;
  }

  private provider(): Promise<{ config: Configuration; jwks: JWTVerifyGetKey }> {
    this.discovered ??= (async () => {
      const client = await import('openid-client');
      const { createRemoteJWKSet } = await import('jose');
      const issuer = new URL(this.settings.issuer);
      // Plain http is accepted for a provider on this machine only (the development provider).
      const execute = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname) ? [client.allowInsecureRequests] : [];
      const config = await client.discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, { execute });
      const jwksUri = config.serverMetadata().jwks_uri;
      if (!jwksUri) throw new Error(`${this.settings.issuer} publishes no jwks_uri`);
      return { config, jwks: createRemoteJWKSet(new URL(jwksUri)) };
    })();
    // A provider that was down is asked again next time rather than never.
    this.discovered.catch(() => (this.discovered = undefined));
    return this.discovered;
  }

  async verifyBearer(token: string): Promise<SignedInPerson> {
    const audience = this.settings.audience;
    if (!audience) throw new SignInRefused('bearer tokens are not accepted here: sign in instead');
    const { jwtVerify, errors } = await import('jose');
    let jwks: JWTVerifyGetKey;
    try {
      ({ jwks } = await this.provider());
    } catch (err) {
      throw new SignInRefused(
        `the identity provider cannot be reached to check the token (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: this.settings.issuer, audience, clockTolerance: CLOCK_TOLERANCE_SECONDS });
      const subject = text(payload.sub);
      if (!subject) throw new SignInRefused('the token names no subject');
      return { issuer: this.settings.issuer, subject, email: text(payload['email']), name: text(payload['name']), via: 'bearer' };
    } catch (err) {
      if (err instanceof SignInRefused) throw err;
      if (err instanceof errors.JWTExpired) throw new SignInRefused('the token has expired');
      if (err instanceof errors.JWTClaimValidationFailed) throw new SignInRefused(`the token's ${err.claim} claim is not accepted here`);
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWSSignatureVerificationFailed) {
        throw new SignInRefused(`the token is not signed by ${this.settings.issuer}`);
      }
      if (err instanceof errors.JOSEError) throw new SignInRefused(`the token is not valid (${err.code})`);
      throw new SignInRefused(`the token could not be checked (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  /** The provider's address to send the browser to, and what to keep until it comes back. */
  async beginSignIn(redirectUri: string, returnTo?: string): Promise<{ url: string; pending: PendingSignIn }> {
    const client = await import('openid-client');
    const { config } = await this.provider();
    const pending: PendingSignIn = {
      codeVerifier: client.randomPKCECodeVerifier(),
      state: client.randomState(),
      nonce: client.randomNonce(),
      returnTo,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: SIGN_IN_SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** The person the provider vouches for, from the redirect back to `redirectUri` (the code, checked state and PKCE). */
  async finishSignIn(currentUrl: URL, pending: PendingSignIn): Promise<SignedInPerson> {
    const client = await import('openid-client');
    const { config } = await this.provider();
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new SignInRefused('the provider returned no ID token');
      return {
        issuer: this.settings.issuer,
        subject: claims.sub,
        email: text(claims['email']),
        emailVerified: claims['email_verified'] === true,
        name: text(claims['name']),
        via: 'session',
      };
    } catch (err) {
      if (err instanceof SignInRefused) throw err;
      throw new SignInRefused(`sign-in failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
