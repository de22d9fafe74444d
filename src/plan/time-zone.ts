/**
 * The plan's IANA time zone, which calendars and the CLI use for planned times, and the id of a cutover
 * the plan names.
 */
import { z } from 'zod';

/** A zone name such as Europe/London or UTC; offsets (`+05:30`) and abbreviations are refused, as calendars need the name. */
const ZONE_NAME = /^(UTC|[A-Za-z][A-Za-z_]*(\/[A-Za-z0-9][A-Za-z0-9_+-]*)+)$/;

/**
 * The zone as the plan should keep it, or undefined when this runtime knows no zone by that name. The name is
 * kept as written (ICU would turn Asia/Kolkata into its older alias Asia/Calcutta), its case corrected to the
 * listed name, since calendars match zone names exactly.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!ZONE_NAME.test(name)) return undefined;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
  } catch {
    return undefined;
  }
  return Intl.supportedValuesOf('timeZone').find((listed) => listed.toLowerCase() === name.toLowerCase()) ?? name;
}

export const TimeZone = z
  .string()
  .transform((name, ctx) => {
    const zone = canonicalTimeZone(name);
    if (!zone) {
      ctx.addIssue({ code: 'custom', message: `"${name}" is not an IANA time zone; write it like Europe/London, America/New_York or UTC` });
      return z.NEVER;
    }
    return zone;
  })
  .meta({ title: 'IANA time zone', examples: ['Europe/London', 'America/New_York', 'UTC'] });

/** A cutover's workflow id, as `cutover start --id` takes it. */
export const CutoverId = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^\S+$/, 'must not contain spaces');
