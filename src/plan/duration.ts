/**
 * Durations in plans are written the way people say them: `24h`, `-12h`, `90m`, `1h30m`, `45s`, `2d`.
 * Pure code with no imports, so the workflow sandbox can use it too.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^([+-])?((?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim());
  if (!match) return undefined;
  let total = 0;
  for (const part of (match[2] ?? '').matchAll(PART_RE)) {
    total += Number(part[1]) * (UNIT_MS[part[2] ?? ''] ?? 0);
  }
  return match[1] === '-' ? -total : total;
}

/** `T-24h`, `T`, `T+2h`, `T+1h30m`: how the runbook names a moment relative to go-live. */
export function formatOffset(offsetMs: number): string {
  if (offsetMs === 0) return 'T';
  return `T${offsetMs < 0 ? '-' : '+'}${formatDuration(Math.abs(offsetMs), { largestUnit: 'h' })}`;
}

/** `1d2h`, or with `largestUnit: 'h'` the runbook's way of counting a timeline: `26h`. */
export function formatDuration(ms: number, options: { largestUnit?: 'd' | 'h' } = {}): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const parts: string[] = [];
  const units = (['d', 'h', 'm', 's'] as const).filter((unit) => options.largestUnit !== 'h' || unit !== 'd');
  for (const [unit, size] of units.map((u) => [u, UNIT_MS[u]] as const)) {
    const n = Math.floor(rest / (size ?? 1));
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * (size ?? 1);
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return sign + parts.join('');
}
