/** Answers and errors in PayCA's wire format, plus reading request bodies off `node:http`. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PAYCA_HTTP_STATUS, type PaycaErrorCode } from '../errors.js';
import { newId } from './ids.js';

/** What a handler decides; the pipeline adds the headers every answer carries. */
export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent verbatim instead of JSON, for malformed-answer faults. */
  rawBody?: string;
}

/** A PayCA error answer, thrown by handlers and turned into `{code, message, requestId}`. */
export class SimError extends Error {
  override name = 'SimError';
  constructor(
    readonly code: PaycaErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly status: number = PAYCA_HTTP_STATUS[code],
  ) {
    super(message);
  }
}

export function newRequestId(): string {
  return newId('req', 12);
}

export function errorResponse(error: SimError): SimResponse {
  return { status: error.status, body: { code: error.code, message: error.message }, headers: error.headers };
}

/** The key `answersByCode` counts this answer under. */
export function answerKey(response: SimResponse): string {
  const body = response.body as { code?: unknown } | undefined;
  if (response.status >= 400 && typeof body?.code === 'string') return body.code;
  return String(response.status);
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function readRawBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new SimError('ErrValidation', `request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An empty body reads as `{}` so body-less POSTs (close, test) need nothing. */
export function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new SimError('ErrValidation', 'request body is not valid JSON');
  }
}

export function writeResponse(res: ServerResponse, requestId: string, response: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const { headers, payload } = encodeResponse(requestId, response);
  res.writeHead(response.status, headers);
  res.end(payload);
}

/**
 * Sends the status line, the headers (content-length promising the whole body) and half the body, then
 * destroys the socket: the client sees the answer start and the connection reset under it.
 */
export function writeCutResponse(res: ServerResponse, requestId: string, response: SimResponse): void {
  if (res.headersSent || res.destroyed) return;
  const { headers, payload } = encodeResponse(requestId, response);
  const bytes = Buffer.from(payload);
  res.writeHead(response.status, headers);
  res.flushHeaders();
  res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
}

function encodeResponse(requestId: string, response: SimResponse): { headers: Record<string, string>; payload: string } {
  const headers: Record<string, string> = { ...response.headers, 'x-request-id': requestId };
  let payload = '';
  if (response.rawBody !== undefined) {
    payload = response.rawBody;
    headers['content-type'] = 'application/json; charset=utf-8';
  } else if (response.body !== undefined && response.status !== 204) {
    const body =
      response.status >= 400 && typeof response.body === 'object' && response.body !== null
        ? { ...(response.body as Record<string, unknown>), requestId }
        : response.body;
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  return { headers, payload };
}

/** JSON with sorted keys, so two bodies that differ only in key order count as the same body. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
