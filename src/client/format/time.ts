/** Times as people read them in a cutover: UTC, to the second, no milliseconds. */

export function shortTime(iso: string | undefined): string {
  if (!iso) return '-';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return time.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}
