/**
 * Lists in the cutover's state that grow with what arrives (incidents people add, alerts, refused internal
 * messages, escalations, the lead's watch decisions) keep the latest entries in full and count the rest.
 * The whole state is the next run's input when the cutover continues as new, and one payload may not pass
 * 2 MB; a query answer past the server's message size fails too. So no number of arrivals may outgrow them.
 */
import type { CutoverStatus, EscalationRecord, IncidentRecord, OmittedEntries, WatchDecision } from './definitions.js';

/** Incident-log entries kept in full: 200 of the longest a message may carry (2,000 characters) stay near 450 KB. */
export const MAX_INCIDENTS_KEPT = 200;
export const MAX_ESCALATIONS_KEPT = 100;
export const MAX_WATCH_DECISIONS_KEPT = 50;

function omittedOf(status: CutoverStatus): OmittedEntries {
  status.omitted ??= { incidents: 0, incidentsBySource: {}, incidentsBySeverity: {}, escalations: 0, watchDecisions: 0 };
  return status.omitted;
}

/**
 * Adds an incident, dropping the oldest past the cap. `bounded` is false in cutovers started before the
 * bound, whose histories replay with the list they had.
 */
export function addIncident(status: CutoverStatus, incident: IncidentRecord, bounded: boolean): void {
  status.incidents.push(incident);
  if (!bounded) return;
  while (status.incidents.length > MAX_INCIDENTS_KEPT) {
    const dropped = status.incidents.shift() as IncidentRecord;
    const omitted = omittedOf(status);
    omitted.incidents += 1;
    const source = dropped.source ?? 'person';
    omitted.incidentsBySource[source] = (omitted.incidentsBySource[source] ?? 0) + 1;
    omitted.incidentsBySeverity[dropped.severity] = (omitted.incidentsBySeverity[dropped.severity] ?? 0) + 1;
  }
}

/** The latest escalation of each stage is always among those kept, so the next escalation is timed from it. */
export function addEscalation(status: CutoverStatus, escalation: EscalationRecord, bounded: boolean): void {
  status.escalations.push(escalation);
  if (!bounded) return;
  while (status.escalations.length > MAX_ESCALATIONS_KEPT) {
    status.escalations.shift();
    omittedOf(status).escalations += 1;
  }
}

export function addWatchDecision(status: CutoverStatus, decisions: WatchDecision[], decision: WatchDecision, bounded: boolean): void {
  decisions.push(decision);
  if (!bounded) return;
  while (decisions.length > MAX_WATCH_DECISIONS_KEPT) {
    decisions.shift();
    omittedOf(status).watchDecisions += 1;
  }
}

/** The omitted counts in words, one line per list that left entries out; empty when nothing was. */
export function omittedLines(omitted: OmittedEntries | undefined, lists: readonly ('incidents' | 'escalations' | 'watchDecisions')[]): string[] {
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
