/**
 * One PayCA request, layer by layer, in the order a real edge would apply them:
 * faults → health (public) → authentication → rate limit → route → idempotency → latency → handler.
 * Rate limiting comes before idempotency, as the contract says, so a replay still spends a token.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { authenticate, headerText, type SimulatorCredentials } from './auth.js';
import type { FaultAction, FaultInjector } from './faults.js';
import {
  answerKey,
  canonicalJson,
  errorResponse,
  newRequestId,
  parseJsonBody,
  readRawBody,
  SimError,
  writeCutResponse,
  writeResponse,
  type SimResponse,
} from './http-io.js';
import type { IdempotencyStore } from './idempotency.js';
import type { RateLimitDecision, TokenBucketLimiter } from './rate-limit.js';
import type { PaycaRoute } from './route-context.js';
import type { RouteMatch, Router } from './router.js';
import { countAnswer, type SimulatorState } from './state.js';
import type { WebhookDispatcher } from './webhooks.js';

export interface PaycaPipelineDeps {
  state: SimulatorState;
  credentials: SimulatorCredentials;
  routes: Router<PaycaRoute>;
  faults: FaultInjector;
  limiter: TokenBucketLimiter;
  idempotency: IdempotencyStore;
  webhooks: WebhookDispatcher;
  now: () => Date;
  /** Aborted on close, so a latency fault does not hold the process open. */
  shutdown: AbortSignal;
}

export function createPaycaPipeline(deps: PaycaPipelineDeps) {
  const { state, faults, limiter, idempotency, now } = deps;

  return async function handlePayca(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const path = url.pathname;
    state.counters.requests += 1;
    state.callRate.record();
    let rateHeaders = limiter.peek(headerText(req.headers, 'x-client-id') ?? '');
    /** A fault that lets the request run and then spoils its answer. */
    let answerFault: Exclude<FaultAction, { kind: 'answer' } | { kind: 'reset' }> | undefined;

    const send = async (response: SimResponse): Promise<void> => {
      if (answerFault?.kind === 'lose-answer') {
        countAnswer(state, 'AnswerLost');
        req.socket.destroy();
        return;
      }
      if (answerFault?.kind === 'hold-answer') {
        countAnswer(state, 'AnswerHeld');
        try {
          await sleep(answerFault.delayMs, undefined, { signal: deps.shutdown });
        } catch {
          return;
        }
      }
      const key = answerKey(response);
      countAnswer(state, key);
      if (key === 'ErrRateLimited') state.rateLimitedAt.push(now().toISOString());
      const withHeaders = { ...response, headers: { ...rateHeaders, ...response.headers } };
      if (answerFault?.kind === 'spoil-answer') {
        countAnswer(state, 'AnswerSpoiled');
        writeResponse(res, requestId, { ...withHeaders, rawBody: answerFault.rawBody });
        return;
      }
      if (answerFault?.kind === 'cut-answer') {
        countAnswer(state, 'AnswerCut');
        writeCutResponse(res, requestId, withHeaders);
        return;
      }
      writeResponse(res, requestId, withHeaders);
    };

    try {
      const rawBody = await readRawBody(req);
      const fault = faults.intercept(method, path);
      if (fault?.kind === 'reset') {
        countAnswer(state, 'ConnectionReset');
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'answer') return await send(fault.response);
      if (fault) answerFault = fault;

      const route = deps.routes.match(method, path);
      if (route?.handler.public) return await send(await execute(route, url, rawBody));

      const clientId = authenticate(req.headers, deps.credentials, state.mode);
      const decision: RateLimitDecision = limiter.take(clientId);
      rateHeaders = decision.headers;
      if (!decision.allowed) {
        throw new SimError('ErrRateLimited', `rate limit of ${limiter.current.perSecond} requests/second exceeded`, {
          'retry-after': String(decision.retryAfterSeconds ?? 1),
        });
      }
      if (!route) throw new SimError('ErrNotFound', `no PayCA endpoint ${method} ${path}`);

      const key = method === 'POST' ? headerText(req.headers, 'idempotency-key') : undefined;
      if (key === undefined) return await send(await execute(route, url, rawBody));

      const outcome = idempotency.begin(`${clientId} ${method} ${path}`, key, fingerprint(rawBody));
      if (outcome.kind === 'replay') {
        state.counters.idempotentReplays += 1;
        return await send({ ...outcome.response, headers: { ...outcome.response.headers, 'idempotent-replayed': 'true' } });
      }
      let response: SimResponse;
      try {
        response = await execute(route, url, rawBody);
      } catch (error) {
        outcome.abandon();
        throw error;
      }
      outcome.finish(response);
      return await send(response);
    } catch (error) {
      if (deps.shutdown.aborted) return;
      await send(errorResponse(error instanceof SimError ? error : internalError(error)));
    }
  };

  async function execute(route: RouteMatch<PaycaRoute>, url: URL, rawBody: string): Promise<SimResponse> {
    if (faults.latencyMs > 0) await sleep(faults.latencyMs, undefined, { signal: deps.shutdown });
    try {
      const body = parseJsonBody(rawBody);
      return await route.handler.handle({
        state,
        webhooks: deps.webhooks,
        now,
        params: route.params,
        query: url.searchParams,
        body,
      });
    } catch (error) {
      if (error instanceof SimError) return errorResponse(error);
      return errorResponse(internalError(error));
    }
  }
}

/** Same JSON in any key order is the same body; unparseable bodies compare as raw text. */
function fingerprint(rawBody: string): string {
  if (rawBody.trim() === '') return '{}';
  try {
    return canonicalJson(JSON.parse(rawBody));
  } catch {
    return `raw:${rawBody}`;
  }
}

function internalError(error: unknown): SimError {
  const detail = error instanceof Error ? error.message : String(error);
  return new SimError('ErrInternal', `simulator error: ${detail}`);
}
