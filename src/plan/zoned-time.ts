/**
 * Times as people read them in a cutover: UTC, to the second, no milliseconds; planned times in the plan's
 * zone. Shared by the CLI, the report and the room, so each shows a planned time the same way.
 */
import { DateTime } from 'luxon';

export function shortTime(iso: string | undefined): string {
  if (!iso) return '-';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return time
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** A planned time in the plan's zone with its offset (`2026-12-01 09:00:00 +00:00`); in UTC exactly as `shortTime`. */
export function plannedTime(iso: string | undefined, timeZone: string): string {
  if (!iso || timeZone === 'UTC') return shortTime(iso);
  const time = DateTime.fromISO(iso, { zone: 'utc' }).setZone(timeZone);
  return time.isValid ? time.toFormat('yyyy-LL-dd HH:mm:ss ZZ') : shortTime(iso);
}

/** The heading of a column of planned times: the zone named unless it is UTC. */
export const plannedHeading = (timeZone: string) => (timeZone === 'UTC' ? 'planned' : `planned (${timeZone})`);

/** Go-live in UTC, followed by the same moment in the plan's zone when that is another. */
export function goLiveText(iso: string, timeZone: string): string {
  return `${shortTime(iso)}${timeZone === 'UTC' ? '' : ` (${plannedTime(iso, timeZone)} ${timeZone})`}`;
}
