/**
 * Fault injection for PayCA routes, set through `/_sim/faults`: forced error answers, dropped
 * connections, answers lost, cut, held or spoiled after PayCA acted, malformed 200s, outages, extra latency
 * and tighter rate limits. Faults act before authentication, like a failing load balancer in front
 * of the real API would.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { PAYCA_ERROR_CODES, PAYCA_HTTP_STATUS } from '../errors.js';
import type { SimResponse } from './http-io.js';
import type { RateLimitConfig, TokenBucketLimiter } from './rate-limit.js';

const RequestFilter = {
  /** Applies to request paths starting with this prefix; all paths when absent. */
  path: z.string().startsWith('/').optional(),
  method: z
    .string()
    .transform((method) => method.toUpperCase())
    .optional(),
};

export const RateLimitFault = z.object({
  perSecond: z.number().positive(),
  burst: z.number().int().positive(),
});

export const ForceFault = z
  .object({
    count: z.number().int().positive(),
    /**
     * `reset` destroys the connection without an answer, for network-fault tests. `lose-answer` carries
     * the request out, then drops the connection instead of answering: the lost-answer case that
     * idempotency keys exist for. `cut-answer` carries it out and sends the status line, the headers
     * (request id included) and half the body before the connection drops: a reset mid-answer.
     * `hold-answer` carries it out and holds the answer for `delayMs`: past the client's timeout it is
     * a timeout after PayCA acted, under it a slow answer. `spoil-answer` carries it out and answers with
     * the real status and headers but a broken body (`body`): PayCA acted, then answered badly.
     */
    kind: z.enum(['answer', 'reset', 'lose-answer', 'cut-answer', 'hold-answer', 'spoil-answer']).default('answer'),
    /** What a `spoil-answer` sends instead of the real body. */
    body: z.enum(['invalid-json', 'wrong-shape']).default('wrong-shape'),
    code: z.enum(PAYCA_ERROR_CODES).optional(),
    status: z.number().int().min(400).max(599).optional(),
    message: z.string().optional(),
    retryAfterSeconds: z.number().int().nonnegative().optional(),
    delayMs: z.number().int().positive().max(60_000).optional(),
    ...RequestFilter,
  })
  .refine((fault) => fault.kind !== 'answer' || fault.code !== undefined, {
    message: 'code is required when kind is "answer"',
    path: ['code'],
  })
  .refine((fault) => fault.kind !== 'hold-answer' || fault.delayMs !== undefined, {
    message: 'delayMs is required when kind is "hold-answer"',
    path: ['delayMs'],
  });
export type ForceFault = z.infer<typeof ForceFault>;

export const MalformedFault = z.object({
  count: z.number().int().positive(),
  kind: z.enum(['invalid-json', 'wrong-shape']),
  ...RequestFilter,
});
export type MalformedFault = z.infer<typeof MalformedFault>;

export const FaultsInput = z.object({
  rateLimit: RateLimitFault.optional(),
  /** One rule or a list; replaces the forced rules in place. */
  force: z.union([ForceFault, z.array(ForceFault)]).optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  malformed: z.union([MalformedFault, z.array(MalformedFault)]).optional(),
  outage: z.object({ durationMs: z.number().int().positive() }).optional(),
});
export type FaultsInput = z.infer<typeof FaultsInput>;

export type FaultAction =
  | { kind: 'reset' }
  | { kind: 'lose-answer' }
  | { kind: 'cut-answer' }
  | { kind: 'hold-answer'; delayMs: number }
  | { kind: 'spoil-answer'; rawBody: string }
  | { kind: 'answer'; response: SimResponse };

interface Filter {
  path?: string | undefined;
  method?: string | undefined;
}

function matches(filter: Filter, method: string, path: string): boolean {
  return (filter.path === undefined || path.startsWith(filter.path)) && (filter.method === undefined || filter.method === method);
}

const MALFORMED_BODIES: Record<MalformedFault['kind'], string> = {
  'invalid-json': '{"data": [{"id": "truncated',
  'wrong-shape': JSON.stringify({ unexpected: 'shape', data: 'not-what-the-contract-says' }),
};

export class FaultInjector {
  private forced: ForceFault[] = [];
  private malformed: MalformedFault[] = [];
  private latency = 0;
  private outageUntilMs = 0;
  private rateLimitOverride: RateLimitConfig | undefined;

  constructor(
    private readonly limiter: TokenBucketLimiter,
    private readonly defaultRateLimit: RateLimitConfig,
  ) {}

  apply(input: FaultsInput): void {
    if (input.rateLimit) {
      this.rateLimitOverride = input.rateLimit;
      this.limiter.configure(input.rateLimit);
    }
    if (input.force) this.forced = (Array.isArray(input.force) ? input.force : [input.force]).map((rule) => ({ ...rule }));
    if (input.malformed) {
      this.malformed = (Array.isArray(input.malformed) ? input.malformed : [input.malformed]).map((rule) => ({ ...rule }));
    }
    if (input.latencyMs !== undefined) this.latency = input.latencyMs;
    if (input.outage) this.outageUntilMs = performance.now() + input.outage.durationMs;
  }

  clear(): void {
    this.forced = [];
    this.malformed = [];
    this.latency = 0;
    this.outageUntilMs = 0;
    if (this.rateLimitOverride) {
      this.rateLimitOverride = undefined;
      this.limiter.configure(this.defaultRateLimit);
    }
  }

  view() {
    const outageRemainingMs = Math.max(0, Math.ceil(this.outageUntilMs - performance.now()));
    return {
      rateLimit: this.limiter.current,
      force: this.forced,
      malformed: this.malformed,
      latencyMs: this.latency,
      outage: outageRemainingMs > 0 ? { remainingMs: outageRemainingMs } : null,
    };
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** The fault this request meets, if any; matching forced and malformed rules count down by one. */
  intercept(method: string, path: string): FaultAction | undefined {
    const outageRemainingMs = this.outageUntilMs - performance.now();
    if (outageRemainingMs > 0) {
      return {
        kind: 'answer',
        response: {
          status: 503,
          body: { code: 'ErrUnavailable', message: 'PayCA is unavailable (simulated outage)' },
          headers: { 'retry-after': String(Math.max(1, Math.ceil(outageRemainingMs / 1000))) },
        },
      };
    }

    const force = this.forced.find((rule) => rule.count > 0 && matches(rule, method, path));
    if (force) {
      force.count -= 1;
      this.forced = this.forced.filter((rule) => rule.count > 0);
      if (force.kind === 'reset' || force.kind === 'lose-answer' || force.kind === 'cut-answer') return { kind: force.kind };
      if (force.kind === 'hold-answer') return { kind: 'hold-answer', delayMs: force.delayMs ?? 0 };
      if (force.kind === 'spoil-answer') return { kind: 'spoil-answer', rawBody: MALFORMED_BODIES[force.body] };
      return { kind: 'answer', response: forcedResponse(force) };
    }

    const malformed = this.malformed.find((rule) => rule.count > 0 && matches(rule, method, path));
    if (malformed) {
      malformed.count -= 1;
      this.malformed = this.malformed.filter((rule) => rule.count > 0);
      return { kind: 'answer', response: { status: 200, rawBody: MALFORMED_BODIES[malformed.kind] } };
    }
    return undefined;
  }
}

function forcedResponse(rule: ForceFault): SimResponse {
  const code = rule.code ?? 'ErrInternal';
  const headers: Record<string, string> = {};
  const retryAfter = rule.retryAfterSeconds ?? (code === 'ErrRateLimited' ? 1 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return {
    status: rule.status ?? PAYCA_HTTP_STATUS[code],
    body: { code, message: rule.message ?? `forced ${code} (simulated fault)` },
    headers,
  };
}
