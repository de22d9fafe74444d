/**
 * How many cases each generated-input property runs, and from which seed. The seed is fixed so CI runs
 * the same cases every time; fast-check prints the seed and the failing case's path when a property
 * fails, and CUTOVER_FUZZ_SEED with CUTOVER_FUZZ_PATH replays exactly that case.
 */
import type fc from 'fast-check';

export const FUZZ_RUNS = Number(process.env.CUTOVER_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.CUTOVER_FUZZ_SEED ?? 20261201);

export function fuzzOptions(): fc.Parameters<unknown> & { seed: number } {
  return {
    seed: SEED,
    numRuns: FUZZ_RUNS,
    ...(process.env.CUTOVER_FUZZ_PATH ? { path: process.env.CUTOVER_FUZZ_PATH } : {}),
  };
}
