/**
 * PayCA calls per second, held where the calls are made. Every HTTP call a PayCA client sends first takes
 * a permit here; the worker process holds one limiter per PayCA host (scheme, host and port: production
 * and sandbox are two) whatever credentials the call carries, and sets their budget to its share of
 * `CUTOVER_PAYCA_RATE` (see src/worker/payca-rate-share.ts).
 *
 * A sliding window, not a token bucket: a bucket lets a full burst through after a quiet spell, on top of
 * the calls just before it, so a second at PayCA can see nearly twice the rate. Here a call holds its
 * permit from the moment it is granted until one window after its answer arrived (or it failed). PayCA
 * received the call somewhere in that span, so whatever the network's delays, any one-second span at
 * PayCA holds at most `permits` of this limiter's calls. The cost is the call's own duration: a worker
 * makes `permits` calls per (window + call time).
 */
import { performance } from 'node:perf_hooks';

/** Ends the call's hold on its permit; safe to call more than once. */
export type Release = () => void;

export interface PermitOptions {
  /** Stops waiting for a permit; the wait rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called when a call starts to wait and then every `keepAliveMs` until it gets its permit (a heartbeat). */
  whileWaiting?: () => void;
}

/** What a PayCA client asks before each call. */
export interface CallPermits {
  acquire(options?: PermitOptions): Promise<Release>;
}

export interface CallRateLimiterOptions {
  /** Calls per second this limiter may make; see `setBudget`. */
  callsPerSecond: number;
  /** Added to each window, for clocks that disagree by a few milliseconds. Default 50. */
  marginMs?: number;
  /** Start closed: no permit until `openAt`. For a worker that other workers have not seen yet. */
  closed?: boolean;
  keepAliveMs?: number;
  clock?: () => number;
}

interface CallRateView {
  callsPerSecond: number;
  permits: number;
  windowMs: number;
  inFlight: number;
  waiting: number;
  open: boolean;
}

/** What the rate share steers: one limiter, or the group of a worker's limiters. */
export interface RateSteered {
  setBudget(callsPerSecond: number): void;
  openAt(atMs: number): void;
  now(): number;
  /** How long a call holds its permit after it ended, at the current budget. */
  windowMs(): number;
}

export const DEFAULT_WINDOW_MARGIN_MS = 50;
const DEFAULT_KEEP_ALIVE_MS = 5_000;

interface Waiter {
  grant(release: Release): void;
  fail(reason: unknown): void;
}

export class CallRateLimiter implements CallPermits, RateSteered {
  #callsPerSecond = 1;
  #permits = 1;
  #windowMs = 1_000;
  readonly #marginMs: number;
  readonly #keepAliveMs: number;
  readonly #clock: () => number;
  /** Permit holders whose call has not ended yet. */
  #inFlight = 0;
  /** When recent calls ended, oldest first; each holds its permit until one window later. */
  #ended: number[] = [];
  #waiters: Waiter[] = [];
  #openAtMs: number;
  #timer: NodeJS.Timeout | undefined;
  #timerAtMs = Infinity;

  constructor(options: CallRateLimiterOptions) {
    this.#marginMs = options.marginMs ?? DEFAULT_WINDOW_MARGIN_MS;
    this.#keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.#clock = options.clock ?? (() => performance.now());
    this.#openAtMs = options.closed ? Infinity : -Infinity;
    this.setBudget(options.callsPerSecond);
  }

  /**
   * At least one call per window: `floor(callsPerSecond)` calls per second and a bit, or, below one call a
   * second, one call per `1 / callsPerSecond` seconds.
   */
  setBudget(callsPerSecond: number): void {
    if (!Number.isFinite(callsPerSecond) || callsPerSecond <= 0) {
      throw new RangeError(`PayCA calls per second must be a positive number, got ${callsPerSecond}`);
    }
    this.#callsPerSecond = callsPerSecond;
    this.#permits = Math.max(1, Math.floor(callsPerSecond));
    this.#windowMs = (callsPerSecond >= 1 ? 1_000 : 1_000 / callsPerSecond) + this.#marginMs;
    this.#pump();
  }

  /** Grants permits from `atMs` on (the limiter's clock); `-Infinity` opens at once. */
  openAt(atMs: number): void {
    this.#openAtMs = atMs;
    this.#pump();
  }

  now(): number {
    return this.#clock();
  }

  windowMs(): number {
    return this.#windowMs;
  }

  view(): CallRateView {
    this.#prune(this.#clock());
    return {
      callsPerSecond: this.#callsPerSecond,
      permits: this.#permits,
      windowMs: this.#windowMs,
      inFlight: this.#inFlight,
      waiting: this.#waiters.length,
      open: this.#clock() >= this.#openAtMs,
    };
  }

  acquire(options: PermitOptions = {}): Promise<Release> {
    const { signal, whileWaiting } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#waiters.length === 0 && this.#free(this.#clock())) return Promise.resolve(this.#take());
    return new Promise<Release>((resolve, reject) => {
      let keepAlive: NodeJS.Timeout | undefined;
      const settle = () => {
        if (keepAlive) clearInterval(keepAlive);
        signal?.removeEventListener('abort', onAbort);
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
      };
      const waiter: Waiter = {
        grant: (release) => {
          settle();
          resolve(release);
        },
        fail: (reason) => {
          settle();
          reject(reason);
        },
      };
      const onAbort = () => {
        waiter.fail(signal?.reason);
        // The call behind this one may fit now that this one left the queue.
        this.#pump();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (whileWaiting) {
        whileWaiting();
        keepAlive = setInterval(whileWaiting, this.#keepAliveMs);
        keepAlive.unref();
      }
      this.#waiters.push(waiter);
      this.#pump();
    });
  }

  #take(): Release {
    this.#inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
      this.#ended.push(this.#clock());
      this.#pump();
    };
  }

  #prune(nowMs: number): void {
    let expired = 0;
    while (expired < this.#ended.length && (this.#ended[expired] as number) + this.#windowMs <= nowMs) expired += 1;
    if (expired > 0) this.#ended.splice(0, expired);
  }

  #free(nowMs: number): boolean {
    if (nowMs < this.#openAtMs) return false;
    this.#prune(nowMs);
    return this.#inFlight + this.#ended.length < this.#permits;
  }

  /** Grants what fits now, in arrival order, and sets one timer for when the next waiter can fit. */
  #pump(): void {
    let nowMs = this.#clock();
    while (this.#waiters.length > 0 && this.#free(nowMs)) {
      (this.#waiters[0] as Waiter).grant(this.#take());
      nowMs = this.#clock();
    }
    if (this.#waiters.length === 0) {
      this.#clearTimer();
      return;
    }
    let wakeAtMs: number;
    if (nowMs < this.#openAtMs) {
      wakeAtMs = this.#openAtMs;
    } else if (this.#inFlight >= this.#permits) {
      // Only a call ending can make room; its release pumps again.
      wakeAtMs = Infinity;
    } else {
      const mustExpire = this.#inFlight + this.#ended.length - this.#permits + 1;
      wakeAtMs = (this.#ended[mustExpire - 1] as number) + this.#windowMs;
    }
    this.#schedule(wakeAtMs, nowMs);
  }

  #schedule(atMs: number, nowMs: number): void {
    if (atMs === this.#timerAtMs) return;
    this.#clearTimer();
    if (atMs === Infinity) return;
    this.#timerAtMs = atMs;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAtMs = Infinity;
        this.#pump();
      },
      Math.max(0, Math.ceil(atMs - nowMs)),
    );
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAtMs = Infinity;
  }
}

/** A worker's limiters, one per PayCA host, made on first use with the group's current budget and gate. */
export class CallRateLimiters implements RateSteered {
  readonly #limiters = new Map<string, CallRateLimiter>();
  readonly #options: CallRateLimiterOptions;
  readonly #template: CallRateLimiter;
  #openAtMs: number;

  constructor(options: CallRateLimiterOptions) {
    this.#options = { ...options };
    this.#template = new CallRateLimiter(options);
    this.#openAtMs = options.closed ? Infinity : -Infinity;
  }

  /** The limiter for the host `baseUrl` names. */
  for(baseUrl: string): CallRateLimiter {
    const host = hostOf(baseUrl);
    let limiter = this.#limiters.get(host);
    if (!limiter) {
      limiter = new CallRateLimiter({ ...this.#options, closed: false });
      limiter.openAt(this.#openAtMs);
      this.#limiters.set(host, limiter);
    }
    return limiter;
  }

  setBudget(callsPerSecond: number): void {
    this.#template.setBudget(callsPerSecond);
    this.#options.callsPerSecond = callsPerSecond;
    for (const limiter of this.#limiters.values()) limiter.setBudget(callsPerSecond);
  }

  openAt(atMs: number): void {
    this.#openAtMs = atMs;
    for (const limiter of this.#limiters.values()) limiter.openAt(atMs);
  }

  now(): number {
    return this.#template.now();
  }

  windowMs(): number {
    return this.#template.windowMs();
  }
}

/** Scheme, host and port; a base URL that is not a URL is its own key (the client refuses it anyway). */
function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}
