/**
 * When each request to one in-process HTTP server started and finished, on the wall clock, taken from
 * Node's `http.server.*` diagnostics channels: the simulator's own timing of the calls a workflow made,
 * without wrapping the client or the server.
 */
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface TimedRequest {
  method: string;
  path: string;
  startMs: number;
  endMs: number;
}

export interface HttpRequestTimeline {
  requests: TimedRequest[];
  stop(): void;
}

interface ServerMessage {
  request: IncomingMessage;
  server: Server;
}

export function recordRequests(port: number): HttpRequestTimeline {
  const started = new WeakMap<IncomingMessage, number>();
  const requests: TimedRequest[] = [];
  const ours = (server: Server) => {
    const address = server.address();
    return typeof address === 'object' && address?.port === port;
  };
  const onStart = (message: unknown) => {
    const { request, server } = message as ServerMessage;
    if (ours(server)) started.set(request, performance.now());
  };
  const onFinish = (message: unknown) => {
    const { request, server } = message as ServerMessage;
    const startMs = started.get(request);
    if (startMs === undefined || !ours(server)) return;
    const url = new URL(request.url ?? '/', 'http://loopback');
    requests.push({ method: request.method ?? 'GET', path: url.pathname, startMs, endMs: performance.now() });
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  return {
    requests,
    stop() {
      diagnostics.unsubscribe('http.server.request.start', onStart);
      diagnostics.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}
