/** Starting and stopping the project's own small HTTP servers: the simulators, the webhook receiver, the codec server. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Listening {
  /** `http://host:port`, with an IPv6 host in brackets. */
  url: string;
  /** Stops accepting, drops kept-alive connections and resolves once the server has closed. */
  close(): Promise<void>;
}

/** `http://host:port` of a listening socket's address, with an IPv6 host in brackets. */
export function urlOf(address: AddressInfo): string {
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}

/** Listens on `host` (loopback unless told otherwise) and `port` (0 picks a free one); a bind error rejects. */
export async function listen(server: Server, port: number, host = '127.0.0.1'): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    url: urlOf(server.address() as AddressInfo),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
