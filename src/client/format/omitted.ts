/** What a bounded status left out, in words: the incident log, escalations and watch decisions it only counted. */
import type { OmittedEntries } from '../../workflows/cutover-state.js';

/** The omitted counts in words, one line per list that left entries out; empty when nothing was. */
export function omittedLines(
  omitted: OmittedEntries | undefined,
  lists: readonly ('incidents' | 'escalations' | 'watchDecisions')[],
): string[] {
  if (!omitted) return [];
  const by = (counts: Record<string, number | undefined>) =>
    Object.entries(counts)
      .filter(([, n]) => (n ?? 0) > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, n]) => `${key} ${n}`)
      .join(', ');
  const lines: string[] = [];
  if (lists.includes('incidents') && omitted.incidents > 0) {
    lines.push(
      `${omitted.incidents} older incident-log entr${omitted.incidents === 1 ? 'y' : 'ies'} not kept in full (${by(omitted.incidentsBySource)}; ${by(omitted.incidentsBySeverity)})`,
    );
  }
  if (lists.includes('escalations') && omitted.escalations > 0) {
    lines.push(`${omitted.escalations} older escalation${omitted.escalations === 1 ? '' : 's'} not kept in full`);
  }
  if (lists.includes('watchDecisions') && omitted.watchDecisions > 0) {
    lines.push(`${omitted.watchDecisions} older watch decision${omitted.watchDecisions === 1 ? '' : 's'} not kept in full`);
  }
  return lines;
}
