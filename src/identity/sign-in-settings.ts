/**
 * Sign-in settings for a service that lets people in through the organisation's OpenID Connect provider
 * (the codec server now, the cutover room next), read from the environment under the service's prefix:
 *   PREFIX_OIDC_ISSUER                    the provider's issuer URL (https, or http on loopback)
 *   PREFIX_OIDC_CLIENT_ID                 this service's client at the provider
 *   PREFIX_OIDC_CLIENT_SECRET[_FILE]      its secret, inline or in a file
 *   PREFIX_OIDC_AUDIENCE                  the audience bearer tokens must carry (unset: no bearer tokens)
 *   PREFIX_SESSION_KEY[_FILE]             32 random bytes, base64: encrypts and signs the session cookie
 * Secrets never come from arguments, so they stay out of process lists and shell history, and errors name
 * the variable, never its value.
 */
import { readFileSync } from 'node:fs';
import { IdentityConfigError } from '../errors.js';
import { isLoopbackHost } from '../net/loopback.js';

const SESSION_KEY_BYTES = 32;

export interface SignInSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Bearer tokens are accepted only when this is set, and only with this audience. */
  audience?: string;
  /** 32 bytes. */
  sessionKey: Buffer;
}

export interface SignInVariables {
  issuer: string;
  clientId: string;
  clientSecret: string;
  audience: string;
  sessionKey: string;
}

export function signInVariables(prefix: string): SignInVariables {
  return {
    issuer: `${prefix}_OIDC_ISSUER`,
    clientId: `${prefix}_OIDC_CLIENT_ID`,
    clientSecret: `${prefix}_OIDC_CLIENT_SECRET`,
    audience: `${prefix}_OIDC_AUDIENCE`,
    sessionKey: `${prefix}_SESSION_KEY`,
  };
}

/** A value inline or in the file `NAME_FILE` names; one of the two, trimmed. */
function secretFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const inline = env[name];
  const file = env[`${name}_FILE`];
  if (inline && file) throw new IdentityConfigError(`set ${name} or ${name}_FILE, not both`);
  if (inline) return inline.trim();
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new IdentityConfigError(`${name}_FILE=${file} cannot be read (${why})`, { file });
  }
}

function checkIssuer(issuer: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new IdentityConfigError(`${variable} is not a URL: give the provider's issuer, e.g. https://login.example.com/realms/acme`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new IdentityConfigError(`${variable} must be https (plain http only on loopback): ${url.origin}`);
  }
  return issuer;
}

function parseSessionKey(text: string, variable: string): Buffer {
  const key = /^[A-Za-z0-9+/_-]+=*$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
  if (key.length !== SESSION_KEY_BYTES) {
    throw new IdentityConfigError(
      `${variable} must be ${SESSION_KEY_BYTES} random bytes in base64 (generate one with \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

/** The settings under `prefix`, or undefined when no issuer is set (sign-in not configured). */
export function signInSettingsFromEnv(prefix: string, env: NodeJS.ProcessEnv = process.env): SignInSettings | undefined {
  const names = signInVariables(prefix);
  const issuer = env[names.issuer]?.trim();
  if (!issuer) return undefined;
  const clientId = env[names.clientId]?.trim();
  const clientSecret = secretFrom(env, names.clientSecret);
  const sessionKey = secretFrom(env, names.sessionKey);
  const missing = [
    !clientId && names.clientId,
    !clientSecret && `${names.clientSecret} (or _FILE)`,
    !sessionKey && `${names.sessionKey} (or _FILE)`,
  ].filter(Boolean);
  if (missing.length > 0 || !clientId || !clientSecret || !sessionKey) {
    throw new IdentityConfigError(`${names.issuer} is set, so sign-in also needs ${missing.join(', ')}`);
  }
  const audience = env[names.audience]?.trim() || undefined;
  if (audience === clientId) {
    // ID tokens carry the client id as audience; accepting it would let an ID token pass as an access token.
    throw new IdentityConfigError(`${names.audience} must name the API bearer tokens are issued for, not this service's own client id`);
  }
  return {
    issuer: checkIssuer(issuer, names.issuer),
    clientId,
    clientSecret,
    audience,
    sessionKey: parseSessionKey(sessionKey, names.sessionKey),
  };
}
