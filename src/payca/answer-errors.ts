/**
 * What a PayCA answer means when it is not a success: PayCA's own error with its code and Retry-After, a page
 * from a gateway in front of PayCA (retryable, as the request most likely never arrived), or a body that
 * breaks the contract. Server text is quoted only through the client's `scrub`, so no credential rides along.
 */
import type { z } from 'zod';
import { isPaycaErrorCode, paycaErrorFor, type PaycaError, type PaycaErrorFields } from '../errors.js';
import type { Answer, Scrub } from './exchange.js';
import { ErrorBody } from './schemas.js';

/** Statuses a proxy or load balancer answers with on its own when PayCA is out of reach. */
const GATEWAY_STATUSES = new Set([502, 503, 504]);
/** How much of a broken body an error quotes: enough to recognise an HTML error page, not a dump. */
const SNIPPET_CHARS = 120;

export function errorFromAnswer(answer: Answer, where: string, fields: PaycaErrorFields, scrub: Scrub): PaycaError {
  let json: unknown;
  try {
    json = parseAnswerJson(answer, where, fields, scrub);
  } catch (err) {
    if (GATEWAY_STATUSES.has(answer.status)) return gatewayError(answer, where, fields, scrub);
    throw err;
  }
  const parsed = ErrorBody.safeParse(json);
  if (!parsed.success && GATEWAY_STATUSES.has(answer.status)) return gatewayError(answer, where, fields, scrub);
  if (!parsed.success) {
    return paycaErrorFor(
      'ErrBadResponse',
      `PayCA answered ${where} with HTTP ${answer.status}, request ${answer.requestId ?? 'unknown'}, and an error body that breaks the contract: ${describeIssues(parsed.error)}`,
      fields,
    );
  }
  const { code, message } = parsed.data;
  // The header is the transport's record of the response; the body's copy only fills in when it is missing.
  const requestId = answer.requestId ?? parsed.data.requestId;
  const withId: PaycaErrorFields = { ...fields, requestId };
  if (!isPaycaErrorCode(code)) {
    return paycaErrorFor(
      'ErrBadResponse',
      `PayCA answered ${where} with HTTP ${answer.status}, request ${requestId}, and error code "${scrub(code)}", which the contract does not define`,
      withId,
    );
  }
  if (answer.retryAfterSeconds !== undefined) withId.retryAfterSeconds = answer.retryAfterSeconds;
  const retryHint =
    code === 'ErrRateLimited' && answer.retryAfterSeconds !== undefined ? ` (retry after ${answer.retryAfterSeconds}s)` : '';
  return paycaErrorFor(
    code,
    `PayCA ${code} (HTTP ${answer.status}) on ${where}, request ${requestId}${retryHint}: ${scrub(message)}`,
    withId,
  );
}

/**
 * A 502, 503 or 504 whose body is not PayCA's comes from a proxy or load balancer in front of PayCA:
 * the request most likely never reached it, so it is retryable like ErrUnavailable, with what was seen.
 */
function gatewayError(answer: Answer, where: string, fields: PaycaErrorFields, scrub: Scrub): PaycaError {
  const snippet = answer.text.length === 0 ? 'an empty body' : `"${scrub(answer.text.slice(0, SNIPPET_CHARS))}"`;
  return paycaErrorFor(
    'ErrUnavailable',
    `HTTP ${answer.status} on ${where} from a gateway in front of PayCA (request ${answer.requestId ?? 'unknown'}), not a PayCA error body: ${snippet}`,
    { ...fields, ...(answer.retryAfterSeconds !== undefined ? { retryAfterSeconds: answer.retryAfterSeconds } : {}) },
  );
}

export function parseAnswerJson(answer: Answer, where: string, fields: PaycaErrorFields, scrub: Scrub): unknown {
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    const contentType = answer.contentType ?? 'no content-type';
    const snippet = answer.text.length === 0 ? 'an empty body' : `"${scrub(answer.text.slice(0, SNIPPET_CHARS))}"`;
    throw paycaErrorFor(
      'ErrBadResponse',
      `PayCA answered ${where} with HTTP ${answer.status}, request ${answer.requestId ?? 'unknown'}, and a body that is not JSON (${contentType}): ${snippet}`,
      fields,
    );
  }
}

export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length > shown.length ? `; and ${error.issues.length - shown.length} more` : '';
  return `${shown.join('; ')}${more}`;
}
