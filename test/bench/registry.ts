/** Every benchmark `npm run bench` runs, in order. Add one file per benchmark and one line here. */
import { approvalRoundTripBenchmark } from './approval-round-trip.js';
import { atRateLimitBenchmark } from './at-rate-limit.js';
import type { BenchResult as CutoverBenchResult, BenchRunOptions } from './cutover-bench-result.js';
import { run as runManyRehearsals } from './many-rehearsals.js';
import { seedingAtScaleBenchmark } from './seeding-at-scale.js';
import type { Benchmark } from './types.js';
import { run as runWholeCutover } from './whole-cutover.js';
import { workerStartBenchmark } from './worker-start.js';

/** The whole-cutover benchmarks report one result each, with their notes as a list; the table takes one line. */
function singleResult(name: string, run: (options: BenchRunOptions) => Promise<CutoverBenchResult>): Benchmark {
  return {
    name,
    async run({ short, log }) {
      const result = await run({ short, log });
      return [{ ...result, notes: result.notes.join(' ') }];
    },
  };
}

export const BENCHMARKS: Benchmark[] = [
  atRateLimitBenchmark,
  approvalRoundTripBenchmark,
  workerStartBenchmark,
  singleResult('whole-cutover', runWholeCutover),
  singleResult('many-rehearsals', runManyRehearsals),
  seedingAtScaleBenchmark,
];
