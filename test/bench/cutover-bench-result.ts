/**
 * What benchmarks 4 and 5 report: the shared result (`types.ts`), with their notes kept as a list of
 * sentences; the registry joins them for the table.
 */
import type { BenchOptions, BenchResult as SharedBenchResult } from './types.js';

export type BenchResult = Omit<SharedBenchResult, 'notes'> & { notes: string[] };

export type BenchRunOptions = Pick<BenchOptions, 'short'> & Partial<Pick<BenchOptions, 'log'>>;
