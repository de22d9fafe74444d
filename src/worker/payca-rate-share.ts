/**
 * Each worker process's share of CUTOVER_PAYCA_RATE. The share is rate / N, where N is the number of
 * workers Temporal lists as polling the payca task queue, read again every `refreshMs`. A worker that
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
  /** The identities Temporal lists as polling the payca task queue. */
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

export const DEFAULT_RATE_REFRESH_MS = 3_000;
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
  let stopped = false;
  let counted = 0;
  let admitted = false;
  let startedAtMs = 0;
  let lastProblem: string | undefined;

  const share = (workers: number) => {
    if (workers !== counted) {
      log.info(`PayCA rate: ${workers} worker(s) poll the payca queue, so this one makes at most ${fmt(options.rate / workers)} of the ${fmt(options.rate)} calls per second`);
    }
    counted = workers;
    for (const limiter of options.limiters) limiter.setBudget(options.rate / workers);
  };
  const admit = (afterMs: number) => {
    if (admitted) return;
    admitted = true;
    for (const limiter of options.limiters) limiter.openAt(limiter.now() + afterMs + limiter.windowMs());
  };

  const refresh = async () => {
    let pollers: string[];
    try {
      pollers = await options.listPollers();
    } catch (err) {
      const code = CANNOT_LIST.get((err as { code?: unknown }).code as number);
      const problem = `${code ?? 'error'}: ${err instanceof Error ? err.message : String(err)}`;
      if (problem !== lastProblem) {
        log.warn(code
          ? `PayCA rate: Temporal does not list the payca queue's pollers (${problem}); this worker takes the whole ${fmt(options.rate)} calls per second, so run one worker or give it that permission`
          : `PayCA rate: could not list the payca queue's pollers (${problem}); keeping the last share and trying again`);
      }
      lastProblem = problem;
      if (code) {
        share(1);
        admit(0);
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
      log.warn(`PayCA rate: Temporal has not listed this worker (${options.identity}) among the payca queue's pollers within ${SELF_SIGHTING_LIMIT_MS / 1000} s; sharing with the ${seen.size - 1} it lists`);
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
      timer = undefined;
    },
    workers: () => counted,
  };
}

function fmt(callsPerSecond: number): string {
  return Number.isInteger(callsPerSecond) ? String(callsPerSecond) : callsPerSecond.toFixed(2);
}
