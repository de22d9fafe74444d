/**
 * Email without SMTP, known at the start: when the plan routes any notice to an email channel, the cutover's
 * first step asks a worker of its queue whether it can send email, and each channel it cannot serve is
 * recorded as a warning in the incident log (`status`, the room, the report). A side channel never decides
 * the cutover's fate: the question runs beside the timeline, delays nothing, and its failure is only logged.
 */
import { log, patched } from '@temporalio/workflow';
import { routedEmailChannels } from '../plan/notice-routes.js';
import { cutoverActivities } from './activity-proxies.js';
import type { CutoverContext } from './cutover-context.js';

/** Cutovers started before the question replay without it. */
export const EMAIL_READINESS_PATCH = 'email-readiness-at-start';

type EmailReadinessContext = Pick<CutoverContext, 'plan' | 'resumed' | 'notices' | 'nowIso' | 'logIncident' | 'publish'>;

/** In a cutover's first run, starts the question beside the timeline; the notices' tracker keeps it until it answers. */
export function checkEmailAtStart(ctx: EmailReadinessContext): void {
  if (ctx.resumed) return;
  const channels = routedEmailChannels(ctx.plan.notifications);
  if (channels.length === 0 || !patched(EMAIL_READINESS_PATCH)) return;
  ctx.notices.track(warnOfUnsendableEmail(ctx, channels));
}

async function warnOfUnsendableEmail(ctx: EmailReadinessContext, channels: string[]): Promise<void> {
  try {
    const warnings = await cutoverActivities("the worker checks it can send the plan's email notices").emailChannelWarnings({ channels });
    for (const warning of warnings) {
      ctx.logIncident({ at: ctx.nowIso(), severity: 'sev3', by: 'worker', summary: `warning: ${warning}`, source: 'notification' });
    }
    if (warnings.length > 0) ctx.publish();
  } catch (err) {
    log.warn("could not ask a worker whether it can send the plan's email notices", { error: String(err) });
  }
}
