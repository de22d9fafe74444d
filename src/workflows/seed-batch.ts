/**
 * Seeds a batch of card records from inside the workflow, a few at a time. Pure promise code with no
 * timers, clocks or I/O, so it replays deterministically: `seed` is the caller's activity stub, and the
 * order completions arrive in is recorded in history like any other activity result.
 *
 * Only cutovers started before `seed-in-ranges` seed this way (one activity per record, every card id in
 * state); newer ones seed in ranges on the worker (docs/seeding.md).
 */
import type { SeededCard, SeedRecord } from '../activities/readiness/seed-cards.js';

export interface SeedMappingEntry {
  externalRef: string;
  cardId: string;
  requestId: string;
}

export interface SeedBatchOptions {
  records: SeedRecord[];
  /** Most seeds in flight at once; keeps a large batch inside PayCA's rate limit and the workflow's history. */
  concurrency: number;
  seed: (record: SeedRecord) => Promise<SeededCard>;
  /** Called after each completed seed, e.g. to update the stage's current details. */
  onProgress: (done: number, total: number) => void;
}

/**
 * Runs `seed` for every record with at most `concurrency` in flight and returns the mapping in input order.
 * On the first failure no further seeds start; those already in flight are awaited, then that failure is
 * thrown. Seeding keys are per record, so running the batch again replays the seeds that had succeeded.
 */
export async function runSeedBatch(options: SeedBatchOptions): Promise<{ mapping: SeedMappingEntry[] }> {
  const { records, concurrency, seed, onProgress } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`runSeedBatch concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const total = records.length;
  const mapping: (SeedMappingEntry | undefined)[] = new Array<SeedMappingEntry | undefined>(total).fill(undefined);
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | undefined;

  // Each lane takes the next record when its previous seed settles, so at most `concurrency` run at once.
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < total) {
      const index = next;
      next += 1;
      const record = records[index] as SeedRecord;
      try {
        const outcome = await seed(record);
        mapping[index] = { externalRef: outcome.externalRef, cardId: outcome.cardId, requestId: outcome.requestId };
      } catch (error) {
        failure ??= { error };
        return;
      }
      done += 1;
      onProgress(done, total);
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, () => lane()));
  if (failure !== undefined) throw failure.error;
  return { mapping: mapping.map((entry) => entry as SeedMappingEntry) };
}
