/** Ports for the local stack: pick free ones for tests, and fail early and clearly when one is taken. */
import { createServer } from 'node:net';
import { CutoverError } from '../errors.js';

/**
 * Ports are picked below Linux's ephemeral range (32768 and up), where the OS hands out ports for outgoing
 * connections and for servers that listen on port 0, such as the Temporal server's own HTTP and metrics
 * listeners. A port picked from that range could be taken by one of those before the stack binds it.
 */
const PICK_FROM = 20_000;
const PICK_TO = 32_000;
const PICK_ATTEMPTS = 50;
const picked = new Set<number>();

/** A port nobody listens on right now, not handed out before by this process; a small race remains until it is used. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < PICK_ATTEMPTS; attempt++) {
    const port = PICK_FROM + Math.floor(Math.random() * (PICK_TO - PICK_FROM));
    if (picked.has(port) || !(await isPortFree(host, port))) continue;
    picked.add(port);
    return port;
  }
  throw new CutoverError(
    'CONFIG_INVALID',
    `no free port found on ${host} between ${PICK_FROM} and ${PICK_TO} after ${PICK_ATTEMPTS} tries`,
    { host },
  );
}

export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** `port` itself, or a free one when it is 0; throws naming the flag when `port` is taken. */
export async function claimPort(host: string, port: number, flag: string): Promise<number> {
  if (port === 0) return freePort(host);
  if (!(await isPortFree(host, port))) {
    throw new CutoverError(
      'CONFIG_INVALID',
      `port ${port} on ${host} is already in use (${flag}); stop what holds it (another \`cutover dev\` or demo?) or choose another port with ${flag}`,
      { host, port },
    );
  }
  return port;
}
