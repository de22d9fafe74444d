/** The shape every benchmark reports, so the runner can print and store them all alike. */

export interface BenchResult {
  name: string;
  /** The goal in words, as the issue states it. */
  goal: string;
  /** The figures measured. The first entry is the headline the table shows. */
  metrics: Record<string, number>;
  /** What the headline is judged against, measured in the same run. The first entry is the table's. */
  baseline: Record<string, number>;
  /** Headline over baseline headline. */
  ratio: number;
  goalMet: boolean;
  notes: string;
}

export interface BenchOptions {
  /** Tiny sizes that only prove the benchmark works (CI); the figures then say little. */
  short: boolean;
  /** Progress lines while a benchmark runs. */
  log: (line: string) => void;
}

export interface Benchmark {
  name: string;
  /** One or more results: a benchmark may measure variants (one worker, two workers). */
  run(options: BenchOptions): Promise<BenchResult[]>;
}
