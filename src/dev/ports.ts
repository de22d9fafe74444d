/** Ports for the local stack: pick free ones for tests, and fail early and clearly when one is taken. */
import { createServer } from 'node:net';
import { CutoverError } from '../errors.js';

/** A port nobody listens on right now (the OS picks it); there is a small race until it is used. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
