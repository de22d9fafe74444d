/**
 * How many PayCA calls reached the simulator per second: the figure CUTOVER_PAYCA_RATE promises to bound.
 * Every request to a PayCA route counts on arrival, whatever it is answered (429 and faults included).
 * `maxCallsInOneSecond` is over a sliding second (any 1000 ms span, on the process's monotonic clock);
 * `callsPerSecond` buckets the recent calls by wall-clock second for a readable history.
 * Part of `GET /_sim/counters`; the schema is what tests and the demo read it with.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';

export const CallRate = z.object({
  calls: z.number(),
  maxCallsInOneSecond: z.number(),
  /** When the busiest sliding second ended, ISO 8601; null before any call. */
  maxEndedAt: z.string().nullable(),
  /** Calls answered 429 ErrRateLimited. */
  rateLimited: z.number(),
  /** The last `HISTORY_SECONDS` wall-clock seconds that had calls, oldest first. */
  callsPerSecond: z.array(z.object({ second: z.string(), calls: z.number() })),
});
export type CallRate = z.infer<typeof CallRate>;

const SLIDING_SECOND_MS = 1_000;
const HISTORY_SECONDS = 600;

export class CallRateMeter {
  #calls = 0;
  /** Arrival times within the last sliding second, oldest first. */
  #recent: number[] = [];
  #max = 0;
  #maxEndedAt: string | null = null;
  #bySecond = new Map<number, number>();

  constructor(private readonly clockMs: () => number = () => performance.now()) {}

  record(): void {
    const nowMs = this.clockMs();
    this.#calls += 1;
    this.#recent.push(nowMs);
    while ((this.#recent[0] as number) <= nowMs - SLIDING_SECOND_MS) this.#recent.shift();
    if (this.#recent.length > this.#max) {
      this.#max = this.#recent.length;
      this.#maxEndedAt = new Date().toISOString();
    }
    const second = Math.floor(Date.now() / 1_000);
    this.#bySecond.set(second, (this.#bySecond.get(second) ?? 0) + 1);
    for (const old of this.#bySecond.keys()) {
      if (old > second - HISTORY_SECONDS) break;
      this.#bySecond.delete(old);
    }
  }

  snapshot(rateLimited: number): CallRate {
    return {
      calls: this.#calls,
      maxCallsInOneSecond: this.#max,
      maxEndedAt: this.#maxEndedAt,
      rateLimited,
      callsPerSecond: [...this.#bySecond].map(([second, calls]) => ({ second: new Date(second * 1_000).toISOString(), calls })),
    };
  }
}
