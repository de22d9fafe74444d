/**
 * Lists in the cutover's state that grow with what arrives (incidents people add, alerts, refused internal
 * messages, escalations, the lead's watch decisions) keep the latest entries in full and count the rest.
 * The whole state is the next run's input when the cutover continues as new, and one payload may not pass
 * 2 MB; a query answer past the server's message size fails too. So no number of arrivals may outgrow them.
 */
import type { CutoverStatus, EscalationRecord, IncidentRecord, OmittedEntries } from './cutover-state.js';
import type { WatchDecision } from './watch-protocol.js';

/** Incident-log entries kept in full: 200 of the longest a message may carry (2,000 characters) stay near 450 KB. */
export const MAX_INCIDENTS_KEPT = 200;
export const MAX_ESCALATIONS_KEPT = 100;
export const MAX_WATCH_DECISIONS_KEPT = 50;

/** Pushes `entry`, then drops the oldest while `list` holds more than `max`, telling `onDrop` of each. */
export function keepLatest<T>(list: T[], entry: T, max: number, onDrop: (dropped: T) => void): void {
  list.push(entry);
  while (list.length > max) onDrop(list.shift() as T);
}

function omittedOf(status: CutoverStatus): OmittedEntries {
  status.omitted ??= { incidents: 0, incidentsBySource: {}, incidentsBySeverity: {}, escalations: 0, watchDecisions: 0 };
  return status.omitted;
}

/**
 * Adds an incident, dropping the oldest past the cap. `bounded` is false in cutovers started before the
 * bound, whose histories replay with the list they had.
 */
export function addIncident(status: CutoverStatus, incident: IncidentRecord, bounded: boolean): void {
  if (!bounded) {
    status.incidents.push(incident);
    return;
  }
  keepLatest(status.incidents, incident, MAX_INCIDENTS_KEPT, (dropped) => {
    const omitted = omittedOf(status);
    omitted.incidents += 1;
    const source = dropped.source ?? 'person';
    omitted.incidentsBySource[source] = (omitted.incidentsBySource[source] ?? 0) + 1;
    omitted.incidentsBySeverity[dropped.severity] = (omitted.incidentsBySeverity[dropped.severity] ?? 0) + 1;
  });
}

/** The latest escalation of each stage is always among those kept, so the next escalation is timed from it. */
export function addEscalation(status: CutoverStatus, escalation: EscalationRecord, bounded: boolean): void {
  if (!bounded) {
    status.escalations.push(escalation);
    return;
  }
  keepLatest(status.escalations, escalation, MAX_ESCALATIONS_KEPT, () => (omittedOf(status).escalations += 1));
}

export function addWatchDecision(status: CutoverStatus, decisions: WatchDecision[], decision: WatchDecision, bounded: boolean): void {
  if (!bounded) {
    decisions.push(decision);
    return;
  }
  keepLatest(decisions, decision, MAX_WATCH_DECISIONS_KEPT, () => (omittedOf(status).watchDecisions += 1));
}
