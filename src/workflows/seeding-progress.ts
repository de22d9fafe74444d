/**
 * Seeding progress as people read it, one line per item whose check is running with progress: the same
 * words in `cutover status`, the Temporal UI's current details and the cutover room. Only the counters
 * the workflow already keeps (done, total, rate, expected end), so it costs no history.
 */
import type { ChecklistItemState } from './cutover-state.js';

export type SeedingProgress = NonNullable<ChecklistItemState['progress']>;

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** UTC to the second, as `cutover status` prints times. */
function utcTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** "4,200 of 10,000 records (42 %), 190.5 a second, expected end 2026-12-05 15:07:12Z" */
export function seedingProgressText(progress: SeedingProgress): string {
  const percent = progress.total > 0 ? Math.floor((progress.done / progress.total) * 100) : 0;
  const parts = [`${grouped(progress.done)} of ${grouped(progress.total)} records (${percent} %)`];
  if (progress.perSecond !== undefined) parts.push(`${progress.perSecond} a second`);
  if (progress.expectedEnd) parts.push(`expected end ${utcTime(progress.expectedEnd)}`);
  return parts.join(', ');
}

/** The items whose check runs now with progress to show, each with its line. */
export function seedingProgressLines(checklist: readonly ChecklistItemState[] | undefined): { id: string; text: string }[] {
  return (checklist ?? []).flatMap((item) =>
    item.status === 'checking' && item.progress ? [{ id: item.id, text: seedingProgressText(item.progress) }] : [],
  );
}
