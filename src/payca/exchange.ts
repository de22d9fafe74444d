/**
 * One HTTP exchange with PayCA and the transport faults it can end in: past the whole-call budget (or on one
 * of undici's own timeouts) ErrTimeout, anything else on the wire ErrNetwork; the caller's own cancellation
 * comes back as itself, and a call built wrong passes through, since retrying it cannot help.
 */
import { request, type Dispatcher } from 'undici';
import { paycaErrorFor, type PaycaErrorFields } from '../errors.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Removes the client's credentials from server text before it goes into an error message. */
export type Scrub = (text: string) => string;

/** undici's own timeouts (headers, body, connect) are timeouts for the caller too. */
const TIMEOUT_ERROR_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
/** Errors that mean the call was built wrong; retrying them can never help, so they pass through. */
const PROGRAMMING_ERROR_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']);

export interface Answer {
  status: number;
  requestId: string | undefined;
  text: string;
  contentType: string | undefined;
  replayed: boolean;
  retryAfterSeconds: number | undefined;
}

export interface ExchangeRequest {
  baseUrl: string;
  method: HttpMethod;
  path: string;
  headers: Record<string, string>;
  payload: string | undefined;
  signal: AbortSignal | undefined;
  timeoutMs: number;
  dispatcher: Dispatcher | undefined;
  scrub: Scrub;
}

/** One HTTP exchange with the body read to the end, so the connection goes back to the pool clean. */
export async function exchange(call: ExchangeRequest): Promise<Answer> {
  const { baseUrl, method, path, headers, payload, signal, timeoutMs, dispatcher, scrub } = call;
  const where = `${method} ${path}`;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`PayCA call exceeded ${timeoutMs} ms`));
  }, timeoutMs);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });

  let status: number | undefined;
  let requestId: string | undefined;
  try {
    const response = await request(`${baseUrl}${path}`, {
      method,
      headers,
      body: payload,
      signal: controller.signal,
      dispatcher: dispatcher,
    });
    status = response.statusCode;
    requestId = firstHeader(response.headers, 'x-request-id');
    const text = await response.body.text();
    return {
      status,
      requestId,
      text,
      contentType: firstHeader(response.headers, 'content-type'),
      replayed: firstHeader(response.headers, 'idempotent-replayed')?.toLowerCase() === 'true',
      retryAfterSeconds: parseRetryAfter(firstHeader(response.headers, 'retry-after')),
    };
  } catch (err) {
    // The caller's own cancellation is not a PayCA fault: hand back its reason so Temporal sees a cancel.
    if (signal?.aborted) throw signal.reason ?? err;
    const fields: PaycaErrorFields = { status, requestId, method, path, cause: err };
    const stage = status === undefined ? 'before an answer arrived' : `while reading the HTTP ${status} answer`;
    const code = errorCode(err);
    if (timedOut || (code !== undefined && TIMEOUT_ERROR_CODES.has(code))) {
      throw paycaErrorFor('ErrTimeout', `PayCA ${where} timed out after ${timeoutMs} ms ${stage}`, fields);
    }
    if (code !== undefined && PROGRAMMING_ERROR_CODES.has(code)) throw err;
    throw paycaErrorFor('ErrNetwork', `PayCA ${where} failed ${stage}: ${scrub(describeTransportError(err))}`, fields);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function firstHeader(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (err as { cause?: unknown }).cause;
  return cause === err ? undefined : errorCode(cause);
}

/** Code and message of a transport error; connection refusals to `localhost` arrive as an AggregateError. */
function describeTransportError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = errorCode(err);
  let message = err.message;
  if (message === '' && err instanceof AggregateError) {
    message = err.errors.map((inner: unknown) => (inner instanceof Error ? inner.message : String(inner))).join('; ');
  }
  return code === undefined ? `${err.name}: ${message}` : `${code} ${message}`;
}
