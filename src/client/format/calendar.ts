/**
 * A cutover's timeline as an iCalendar file: one event per stage and plan task at its planned time, and one per gate for
 * the approvers' slot, written in the plan's IANA time zone (with its VTIMEZONE) so each person's calendar
 * shows them at their own local time.
 */
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalEventTransparency } from 'ical-generator';
import { DateTime } from 'luxon';
import { formatDuration, formatOffset } from '../../plan/duration.js';
import type { Role } from '../../runbook/stages.js';
import { timeZoneOf, timelineEntries, type TimelineEntry } from '../../operations/timeline-entries.js';
import type { CutoverStatus } from '../../workflows/cutover-state.js';
import { roleTitle } from './checklist.js';

/** A stage with no estimate still needs an end in a calendar: a short slot at its planned time. */
export const UNESTIMATED_SLOT_MS = 15 * 60_000;
/** Gates of cutovers started before the status kept approval windows: the plan's default window. */
const DEFAULT_GATE_WINDOW_MS = 2 * 3_600_000;

type Approvers = Partial<Record<Role, string[]>>;

const who = (role: Role, approvers: Approvers) => {
  const people = approvers[role];
  return people?.length ? `${roleTitle(role)} (${people.join(', ')})` : roleTitle(role);
};

/** Stable per cutover and entry, so importing a newer file updates the events instead of adding copies. */
const uid = (status: CutoverStatus, entry: TimelineEntry, part: 'stage' | 'task' | 'gate') =>
  `${status.workflowId}.${entry.id}.${part}@payca-cutover`;

const approveCommand = (status: CutoverStatus, entry: TimelineEntry) =>
  entry.kind === 'task'
    ? `cutover task approve ${status.workflowId} ${entry.id} --as NAME`
    : `cutover approve ${status.workflowId} ${entry.id} --as NAME`;

export function renderCalendar(status: CutoverStatus, approvers: Approvers = {}): string {
  const zone = timeZoneOf(status);
  const at = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  const goLiveMs = Date.parse(status.goLive);
  const calendar = ical({
    name: `${status.programme} cutover`,
    description: `Cutover ${status.workflowId}, go-live ${status.goLive}`,
    prodId: { company: 'payca-cutover', product: 'cutover-calendar' },
    timezone: zone === 'UTC' ? null : { name: zone, generator: getVtimezoneComponent },
  });
  // Each time names its zone (TZID); without it ical-generator writes the zone's local time as floating time.
  const eventZone = zone === 'UTC' ? null : zone;
  for (const entry of timelineEntries(status)) {
    const start = at(entry.plannedStart);
    const end = entry.plannedEnd ? at(entry.plannedEnd) : start.plus({ milliseconds: UNESTIMATED_SLOT_MS });
    const offset = formatOffset(Date.parse(entry.plannedStart) - goLiveMs);
    calendar.createEvent({
      id: uid(status, entry, entry.kind),
      timezone: eventZone,
      start,
      end,
      summary: `${status.programme}: ${entry.title} (${offset})`,
      description: [
        entry.kind === 'task'
          ? `Task ${entry.id} (stream ${entry.stream}) of cutover ${status.workflowId}, planned at ${offset}${entry.after.length ? `, after ${entry.after.join(', ')}` : ''}.`
          : `Stage ${entry.id} of cutover ${status.workflowId}, planned at ${offset}.`,
        `Owner: ${who(entry.owner, approvers)}.`,
        entry.estimateMs === undefined ? 'No estimate in the plan.' : `Estimate: ${formatDuration(entry.estimateMs)}.`,
        ...(entry.gate.length ? [`Approved by: ${entry.gate.map((role) => who(role, approvers)).join('; ')}.`] : []),
      ].join('\n'),
      categories: [{ name: roleTitle(entry.owner) }],
      transparency: ICalEventTransparency.OPAQUE,
    });
    if (entry.gate.length === 0) continue;
    // The gate opens once the stage's check has run, and waits for its approvers until it escalates.
    const window = entry.approvalTimeoutMs ?? DEFAULT_GATE_WINDOW_MS;
    calendar.createEvent({
      id: uid(status, entry, 'gate'),
      timezone: eventZone,
      start: end,
      end: end.plus({ milliseconds: window }),
      summary: `${status.programme}: approve ${entry.id} (${entry.gate.map(roleTitle).join(' + ')})`,
      description: [
        `The ${entry.id} gate of cutover ${status.workflowId}: each role approves, by different people.`,
        ...entry.gate.map((role) => `Approver: ${who(role, approvers)}.`),
        `Escalates after ${formatDuration(window)} without every approval.`,
        `Answer in the cutover room, or: ${approveCommand(status, entry)}`,
      ].join('\n'),
      categories: entry.gate.map((role) => ({ name: roleTitle(role) })),
      transparency: ICalEventTransparency.OPAQUE,
    });
  }
  return calendar.toString();
}
