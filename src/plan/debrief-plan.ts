/**
 * The plan's debrief section: the rules the T+2h debrief judges on the figures from T, and whether a
 * failed critical rule rolls the cutover back without waiting for the lead.
 */
import { z } from 'zod';

const Fraction = z.number().gt(0, 'must be above 0').lt(1, 'must be below 1 (a fraction: 0.01 is 1%)');
const Critical = z
  .boolean()
  .default(false)
  .describe('A critical rule that fails rolls the cutover back without a person when debrief.autoRollBack is on.');
const SeverityName = z.enum(['sev1', 'sev2', 'sev3']);

export const DebriefRule = z.discriminatedUnion('rule', [
  z.strictObject({
    rule: z.literal('webhook-failure-rate').describe('Webhook delivery failures from T, as a share of attempts.'),
    max: Fraction.describe('Failed webhook delivery attempts over all attempts from T must stay at or under this fraction.'),
    critical: Critical,
  }),
  z.strictObject({
    rule: z.literal('decline-rate').describe('The authorization decline rate from T against the expected rate.'),
    margin: Fraction.describe('The decline rate from T must stay within this far (as a fraction) of the expected rate.'),
    expected: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe(
        'The expected decline rate; postLaunch.alerts.declineRate.baseline when absent, and without either the rule is inconclusive.',
      ),
    minAuthorizations: z
      .number()
      .int()
      .positive()
      .default(20)
      .describe('Fewer authorizations than this from T make the rule inconclusive.'),
    critical: Critical,
  }),
  z.strictObject({
    rule: z.literal('rate-limited').describe('ErrRateLimited answers from T.'),
    max: z.number().int().nonnegative().describe('ErrRateLimited answers from T must stay at or under this count.'),
    critical: Critical,
  }),
  z.strictObject({
    rule: z.literal('no-open-alerts').describe('No watch alert still open at the debrief.'),
    severity: SeverityName.default('sev1').describe('No watch alert of this severity or worse may still be open at the debrief.'),
    critical: Critical,
  }),
  z.strictObject({
    rule: z.literal('no-incidents').describe('No serious incident reported by a person since T.'),
    severity: SeverityName.default('sev1').describe('No incident of this severity or worse may have been reported by a person since T.'),
    critical: Critical,
  }),
]);
export type DebriefRuleFile = z.output<typeof DebriefRule>;

export const Debrief = z
  .strictObject({
    rules: z
      .array(DebriefRule)
      .default([])
      .describe('What the debrief judges, each Successful, Failed or Inconclusive, on the figures from T.'),
    autoRollBack: z
      .boolean()
      .default(false)
      .describe('When a critical rule fails, the workflow rolls back at the debrief without waiting for the lead, and tells everyone.'),
  })
  .superRefine((debrief, ctx) => {
    if (debrief.autoRollBack && !debrief.rules.some((r) => r.critical)) {
      ctx.addIssue({
        code: 'custom',
        path: ['autoRollBack'],
        message: 'no rule is marked critical, so nothing could roll back: mark one `critical: true`',
      });
    }
  });

/** The debrief section as the workflow receives it. Absent in plans without one and in cutovers started before it. */
export interface DebriefPlan {
  rules: DebriefRuleFile[];
  autoRollBack: boolean;
}
