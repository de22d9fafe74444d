/** `x-client-id` / `x-client-secret` checks. Each simulator knows only its own environment's pair. */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SimError } from './http-io.js';
import type { SimulatorMode } from './state.js';

export interface SimulatorCredentials {
  clientId: string;
  clientSecret: string;
}

export const DEFAULT_SIM_CREDENTIALS: Readonly<Record<SimulatorMode, SimulatorCredentials>> = Object.freeze({
  sandbox: { clientId: 'sim-sandbox-client', clientSecret: 'sim-sandbox-secret' },
  production: { clientId: 'sim-production-client', clientSecret: 'sim-production-secret' },
});

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

export function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Returns the authenticated client id or throws ErrUnauthorized; messages never echo the secret. */
export function authenticate(headers: IncomingHttpHeaders, expected: SimulatorCredentials, mode: SimulatorMode): string {
  const clientId = headerText(headers, 'x-client-id');
  const clientSecret = headerText(headers, 'x-client-secret');
  if (!clientId || !clientSecret) {
    throw new SimError('ErrUnauthorized', 'x-client-id and x-client-secret headers are required');
  }
  const idMatches = sameText(clientId, expected.clientId);
  const secretMatches = sameText(clientSecret, expected.clientSecret);
  if (idMatches && secretMatches) return clientId;

  const otherMode: SimulatorMode = mode === 'sandbox' ? 'production' : 'sandbox';
  if (clientId === DEFAULT_SIM_CREDENTIALS[otherMode].clientId) {
    throw new SimError('ErrUnauthorized', `client ${clientId} belongs to ${otherMode}; it is not valid on ${mode}`);
  }
  throw new SimError('ErrUnauthorized', 'invalid client credentials');
}
