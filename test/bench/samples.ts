/** Small summaries of timing samples for benchmarks 4 and 5. */

/** Nearest-rank percentile (p in 0..100); NaN when there are no samples. */
export function percentileOf(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export const sumOf = (samples: readonly number[]): number => samples.reduce((total, value) => total + value, 0);

/** Milliseconds and counts shown to two decimals at most: finer digits are noise on a busy machine. */
export const rounded = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;
