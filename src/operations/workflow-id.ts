/** Default workflow ids say which programme and which go-live, so `cutover list` reads without a lookup. */

export function programmeSlug(programme: string): string {
  const slug = programme
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'programme';
}

/** `yyyymmddHHMM` in UTC, so the id is the same whoever starts it from whichever time zone. */
export function compactUtcMinute(time: Date): string {
  return time.toISOString().slice(0, 16).replace(/[-:T]/g, '');
}

export function defaultWorkflowId(programme: string, goLive: Date): string {
  return `cutover-${programmeSlug(programme)}-${compactUtcMinute(goLive)}`;
}
