/**
 * The room's settings, from the environment under CUTOVER_ROOM_ (secrets never as arguments):
 *   CUTOVER_ROOM_OIDC_ISSUER, CUTOVER_ROOM_OIDC_CLIENT_ID, CUTOVER_ROOM_OIDC_CLIENT_SECRET[_FILE],
 *   CUTOVER_ROOM_SESSION_KEY[_FILE]   sign-in, as for every service (`src/identity/sign-in-settings.ts`)
 *   CUTOVER_ROOM_PUBLIC_URL           where browsers reach the room; the provider returns to <url>/callback
 *   CUTOVER_ROOM_ALLOWED_HOSTS        host names, comma-separated, requests may be addressed to besides
 *                                     loopback's and the public URL's
 *   CUTOVER_ROOM_SESSION_HOURS        how long a sign-in lasts (default 8)
 *   CUTOVER_ROOM_SIGNING_KEY_FILE     the room's Ed25519 key: each answer carries its signed statement of who
 *                                     signed in (plans pin the public key as identity.roomPublicKey)
 */
import { IdentityConfigError } from '../errors.js';
import { signInSettingsFromEnv, signInVariables, type SignInSettings } from '../identity/sign-in-settings.js';
import { roomSigningKeyFromEnv, type RoomSigningKey } from '../signing/room-key.js';

export const ROOM_PREFIX = 'CUTOVER_ROOM';

export interface RoomSettings {
  signIn: SignInSettings;
  publicUrl?: string;
  allowedHosts: string[];
  sessionHours: number;
  /** Without it answers go as the person's name only, which a plan requiring signed answers refuses. */
  signingKey?: RoomSigningKey;
}

export function roomSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): RoomSettings {
  const names = signInVariables(ROOM_PREFIX);
  const signIn = signInSettingsFromEnv(ROOM_PREFIX, env);
  if (!signIn) {
    throw new IdentityConfigError(
      `the room lets in only people signed in with the organisation's identity provider: set ${names.issuer}, ${names.clientId}, ${names.clientSecret} (or _FILE) and ${names.sessionKey} (or _FILE)`,
    );
  }
  const publicUrl = env[`${ROOM_PREFIX}_PUBLIC_URL`]?.trim() || undefined;
  if (publicUrl !== undefined && !/^https?:\/\//.test(publicUrl)) {
    throw new IdentityConfigError(`${ROOM_PREFIX}_PUBLIC_URL must be the room's http(s) address, e.g. https://cutover-room.acme.example`);
  }
  const hoursText = env[`${ROOM_PREFIX}_SESSION_HOURS`]?.trim();
  const sessionHours = hoursText ? Number(hoursText) : 8;
  if (!Number.isFinite(sessionHours) || sessionHours <= 0 || sessionHours > 24) {
    throw new IdentityConfigError(`${ROOM_PREFIX}_SESSION_HOURS must be a number of hours above 0 and at most 24`);
  }
  const allowedHosts = (env[`${ROOM_PREFIX}_ALLOWED_HOSTS`] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return { signIn, publicUrl, allowedHosts, sessionHours, signingKey: roomSigningKeyFromEnv(env) };
}
