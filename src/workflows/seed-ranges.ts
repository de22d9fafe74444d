/**
 * How seeding cuts a file into ranges and where they run, so that every worker always holds one. Each
 * worker's call limiter holds its share of the PayCA rate whether or not it has calls to make. On the
 * shared payca queue Temporal handed a range to whichever worker polled first, and a worker with fewer
 * ranges finished them sooner (its share split fewer ways), so the count per worker wandered and one
 * often held none: W was 1.25 × N/R with two workers.
 *
 * So ranges run on a queue of their own, where each worker takes at most `SEED_RANGES_PER_WORKER` at
 * once; more ranges are scheduled than the workers take, and the rest wait on the queue, so a worker that
 * finishes one starts the next without waiting for the workflow. The ranges shrink as the file runs out
 * (guided self-scheduling: each takes a fixed fraction of what is left), so the last ones end close
 * together instead of one worker finishing a wide range alone.
 */

/** The queue seeding ranges run on; every worker polls it beside the payca queue. */
export const SEEDING_TASK_QUEUE = 'payca-seeding';
/**
 * Ranges one worker runs at once. One range (16 calls in flight) is enough to use a worker's share;
 * the second keeps the share busy while the first hands over to the next.
 */
export const SEED_RANGES_PER_WORKER = 2;

export interface SeedRange {
  from: number;
  to: number;
}

/** Ranges scheduled at once: enough for four workers' slots, the rest waiting on the queue. */
export const GUIDED_RANGES_IN_FLIGHT = 8;
/** Each range takes 1 / (2 × in flight) of the records not yet given to a range. */
const SHARE_OF_REST = 1 / (2 * GUIDED_RANGES_IN_FLIGHT);
/** Below this a range's own cost (an activity, a workflow task) is no longer small beside its calls. */
export const MIN_GUIDED_RANGE_RECORDS = 25;
/** A range this wide takes about 40 s when two share a worker's 100 calls/s: progress still moves often. */
const MAX_GUIDED_RANGE_RECORDS = 2_000;
/**
 * The cap on the number of ranges whatever the file's size: about six events each, so the history stays
 * below the 4,096 events at which the server suggests continuing as new. Larger files get wider ranges.
 */
export const MAX_GUIDED_RANGES = 400;

export function guidedSeedRanges(total: number): SeedRange[] {
  // Wide enough that the full-width ranges alone stay within the cap; the shrinking tail adds ~100 more.
  const widest = Math.max(MAX_GUIDED_RANGE_RECORDS, Math.ceil(total / (MAX_GUIDED_RANGES - 150)));
  const ranges: SeedRange[] = [];
  let from = 0;
  while (from < total) {
    const rest = total - from;
    const width = Math.min(rest, widest, Math.max(MIN_GUIDED_RANGE_RECORDS, Math.ceil(rest * SHARE_OF_REST)));
    ranges.push({ from, to: from + width });
    from += width;
  }
  return ranges;
}
