/**
 * Each worker process's share of CUTOVER_PAYCA_RATE. The share is rate / N, where N is the number of
 * workers Temporal lists as polling the task queues (`listPollers`), read again every `refreshMs`. A worker that
 * has just started makes no PayCA call until every other worker can have seen it and cut its own share
 * (its first sight of itself in that list, plus one refresh period, plus one window), so the sum stays
 * within the rate while workers join. A worker that left is counted until Temporal forgets its poller
 * (minutes): the others go slower meanwhile, which is the safe side.
 */
import type { RateSteered } from '../payca/call-rate.js';

export interface PaycaRateShareOptions {
  /** CUTOVER_PAYCA_RATE: PayCA calls per second across all workers, per PayCA host. */
  rate: number;
  /** This worker's identity on the payca queue; unique per worker, or two would count as one. */
  identity: string;
  /** This worker's limiters (one per PayCA host); all get the same share. */
  limiters: RateSteered[];
  /** The identities Temporal lists as polling the worker's task queues (each worker polls them all). */
  listPollers(): Promise<string[]>;
  refreshMs?: number;
  log?: { info(message: string): void; warn(message: string): void };
}

export interface PaycaRateShare {
  start(): void;
  stop(): void;
  /** Workers counted at the last refresh. */
  workers(): number;
}

const DEFAULT_RATE_REFRESH_MS = 3_000;
/** How long to wait for this worker's own poller to be listed before sharing with what is listed. */
const SELF_SIGHTING_LIMIT_MS = 30_000;
/** Until then the list is read this often, so a new worker is admitted soon after it first polls. */
const SELF_SIGHTING_POLL_MS = 250;
/** gRPC codes for a server that cannot or will not list pollers; retrying each period will not change it soon. */
const CANNOT_LIST = new Map([
  [7, 'PERMISSION_DENIED'],
  [12, 'UNIMPLEMENTED'],
]);

export function sharePaycaRate(options: PaycaRateShareOptions): PaycaRateShare {
  const refreshMs = options.refreshMs ?? DEFAULT_RATE_REFRESH_MS;
  const log = options.log ?? { info: () => undefined, warn: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  let opening: NodeJS.Timeout | undefined;
  let stopped = false;
  let counted = 0;
  let admitted = false;
  let startedAtMs = 0;
  let lastProblem: string | undefined;

  const share = (workers: number) => {
    if (workers !== counted) {
      log.info(
        `PayCA rate: ${workers} worker(s) poll the task queues, so this one makes at most ${fmt(options.rate / workers)} of the ${fmt(options.rate)} calls per second`,
      );
    }
    counted = workers;
    for (const limiter of options.limiters) limiter.setBudget(options.rate / workers);
  };
  /** `afterMs` null: at once, there being no other worker this one can know of. */
  const admit = (afterMs: number | null) => {
    if (admitted) return;
    admitted = true;
    let waitMs = 0;
    for (const limiter of options.limiters) {
      if (afterMs !== null) waitMs = Math.max(waitMs, afterMs + limiter.windowMs());
      limiter.openAt(afterMs === null ? -Infinity : limiter.now() + afterMs + limiter.windowMs());
    }
    opening = setTimeout(() => log.info(`PayCA rate: this worker makes PayCA calls from now on (${counted} worker(s) counted)`), waitMs);
    opening.unref();
  };

  const refresh = async () => {
    let pollers: string[];
    try {
      pollers = await options.listPollers();
    } catch (err) {
      const code = CANNOT_LIST.get((err as { code?: unknown }).code as number);
      const problem = `${code ?? 'error'}: ${err instanceof Error ? err.message : String(err)}`;
      if (problem !== lastProblem) {
        log.warn(
          code
            ? `PayCA rate: Temporal does not list the task queues' pollers (${problem}); this worker takes the whole ${fmt(options.rate)} calls per second, so run one worker or give it that permission`
            : `PayCA rate: could not list the task queues' pollers (${problem}); keeping the last share and trying again`,
        );
      }
      lastProblem = problem;
      if (code) {
        share(1);
        admit(null);
      }
      return;
    }
    lastProblem = undefined;
    const seen = new Set(pollers.filter((identity) => identity !== ''));
    const seenSelf = seen.has(options.identity);
    seen.add(options.identity);
    share(seen.size);
    if (seenSelf) admit(refreshMs);
    else if (!admitted && Date.now() - startedAtMs >= SELF_SIGHTING_LIMIT_MS) {
      log.warn(
        `PayCA rate: Temporal has not listed this worker (${options.identity}) among the task queues' pollers within ${SELF_SIGHTING_LIMIT_MS / 1000} s; sharing with the ${seen.size - 1} it lists`,
      );
      admit(refreshMs);
    }
  };

  const loop = async () => {
    await refresh();
    if (!stopped) timer = setTimeout(() => void loop(), admitted ? refreshMs : Math.min(refreshMs, SELF_SIGHTING_POLL_MS));
  };

  return {
    start() {
      if (timer || stopped) return;
      startedAtMs = Date.now();
      timer = setTimeout(() => void loop(), 0);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (opening) clearTimeout(opening);
      timer = undefined;
    },
    workers: () => counted,
  };
}

function fmt(callsPerSecond: number): string {
  return Number.isInteger(callsPerSecond) ? String(callsPerSecond) : callsPerSecond.toFixed(2);
}
