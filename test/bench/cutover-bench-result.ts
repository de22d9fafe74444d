/** What benchmarks 4 and 5 report, in the shape the shared `npm run bench` runner prints and stores. */

export interface BenchResult {
  name: string;
  /** The goal in words, as the issue states it. */
  goal: string;
  /** The figures measured; the first is the headline. */
  metrics: Record<string, number>;
  /** What the headline is judged against, measured in the same run. */
  baseline?: Record<string, number>;
  /** Headline over the baseline's headline. */
  ratio?: number;
  goalMet: boolean;
  notes: string[];
}

export interface BenchRunOptions {
  /** Small sizes that prove the benchmark works; the figures then say little about the goal. */
  short: boolean;
  /** Progress lines while it runs. */
  log?: (line: string) => void;
}
