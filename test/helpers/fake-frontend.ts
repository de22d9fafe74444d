/**
 * A stand-in for a Temporal frontend that checks credentials the way a cluster or Temporal Cloud does, so
 * the suites can see what the worker and CLI really send: gRPC over HTTP/2 from node:http2, optionally
 * behind TLS that requires a client certificate, optionally requiring `authorization: Bearer KEY`.
 * It answers every call with the empty message (each response's defaults), which is enough for
 * GetSystemInfo, the call both SDK connections make first.
 */
import {
  createSecureServer,
  createServer,
  type Http2Server,
  type ServerHttp2Session,
  type ServerHttp2Stream,
  type IncomingHttpHeaders,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface FakeFrontendOptions {
  tls?: { key: string; cert: string; ca?: string; requireClientCert?: boolean };
  apiKey?: string;
}

export interface SeenCall {
  method: string;
  authorization?: string;
  clientCertificateSubject?: string;
}

export interface FakeFrontend {
  address: string;
  calls: SeenCall[];
  close(): Promise<void>;
}

const GRPC_OK = 0;
const GRPC_UNAUTHENTICATED = 16;

function answer(stream: ServerHttp2Stream, status: number, message: string): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.on('wantTrailers', () => {
    stream.sendTrailers({ 'grpc-status': String(status), 'grpc-message': encodeURIComponent(message) });
  });
  // A gRPC message is a 5-byte prefix (not compressed, length) and the protobuf bytes: none here.
  stream.end(status === GRPC_OK ? Buffer.alloc(5) : undefined);
}

export async function startFakeFrontend(options: FakeFrontendOptions = {}): Promise<FakeFrontend> {
  const calls: SeenCall[] = [];
  const server: Http2Server = options.tls
    ? createSecureServer({
        key: options.tls.key,
        cert: options.tls.cert,
        ca: options.tls.ca,
        requestCert: options.tls.requireClientCert ?? false,
        rejectUnauthorized: options.tls.requireClientCert ?? false,
        allowHTTP1: false,
      })
    : createServer();
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const socket = stream.session?.socket as TLSSocket | undefined;
    const peer = typeof socket?.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
    calls.push({
      method: String(headers[':path']),
      authorization,
      clientCertificateSubject: typeof peer?.subject?.CN === 'string' ? peer.subject.CN : undefined,
    });
    // Drain the request body; the answer does not depend on it.
    stream.resume();
    if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) {
      answer(stream, GRPC_UNAUTHENTICATED, 'Request unauthorized.');
    } else {
      answer(stream, GRPC_OK, '');
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        // Open HTTP/2 sessions would keep close() waiting; the SDK's channels may linger.
        for (const session of sessions) session.destroy();
      }),
  };
}
