/**
 * Token bucket per client id. Runs on the process's monotonic clock, not the simulator's `now()`,
 * so a test that freezes business time does not also freeze the bucket's refill.
 */
import { performance } from 'node:perf_hooks';

export interface RateLimitConfig {
  perSecond: number;
  burst: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** `x-ratelimit-limit` (bucket size), `-remaining` (whole tokens left), `-reset` (seconds until full). */
  headers: Record<string, string>;
  /** Whole seconds, at least 1, until a token is free; set when refused. */
  retryAfterSeconds?: number;
}

interface Bucket {
  tokens: number;
  refilledAtMs: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private config: RateLimitConfig,
    private readonly clockMs: () => number = () => performance.now(),
  ) {}

  get current(): RateLimitConfig {
    return { ...this.config };
  }

  /** New limits start every client on a full bucket, so a test's fault takes effect predictably. */
  configure(config: RateLimitConfig): void {
    this.config = { ...config };
    this.buckets.clear();
  }

  take(clientId: string): RateLimitDecision {
    const bucket = this.refill(clientId);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, headers: this.headersFor(bucket) };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.config.perSecond));
    return { allowed: false, headers: this.headersFor(bucket), retryAfterSeconds };
  }

  /** Headers for answers that do not spend a token (health, refused credentials). */
  peek(clientId: string): Record<string, string> {
    const existing = this.buckets.get(clientId);
    if (!existing) return this.headersFor({ tokens: this.config.burst, refilledAtMs: this.clockMs() });
    return this.headersFor(this.refill(clientId));
  }

  private refill(clientId: string): Bucket {
    const nowMs = this.clockMs();
    let bucket = this.buckets.get(clientId);
    if (!bucket) {
      bucket = { tokens: this.config.burst, refilledAtMs: nowMs };
      this.buckets.set(clientId, bucket);
    }
    const elapsedSeconds = Math.max(0, nowMs - bucket.refilledAtMs) / 1000;
    bucket.tokens = Math.min(this.config.burst, bucket.tokens + elapsedSeconds * this.config.perSecond);
    bucket.refilledAtMs = nowMs;
    return bucket;
  }

  private headersFor(bucket: Bucket): Record<string, string> {
    const missing = this.config.burst - bucket.tokens;
    return {
      'x-ratelimit-limit': String(this.config.burst),
      'x-ratelimit-remaining': String(Math.max(0, Math.floor(bucket.tokens))),
      'x-ratelimit-reset': String(missing <= 0 ? 0 : Math.ceil(missing / this.config.perSecond)),
    };
  }
}
