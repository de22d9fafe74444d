/** Every benchmark `npm run bench` runs, in order. Add one file per benchmark and one line here. */
import { approvalRoundTripBenchmark } from './approval-round-trip.js';
import { atRateLimitBenchmark } from './at-rate-limit.js';
import type { Benchmark } from './types.js';
import { workerStartBenchmark } from './worker-start.js';

export const BENCHMARKS: Benchmark[] = [atRateLimitBenchmark, approvalRoundTripBenchmark, workerStartBenchmark];
