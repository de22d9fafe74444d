/**
 * The plan's notice channels, routes, milestone templates and rehearsal mode (`notifications.channels`,
 * `routes`, `templates`, `rehearsal`), and the rules that tie them together, checked when the plan loads.
 */
import { z } from 'zod';
import { notifyUrlSecret } from './notifications.js';
import { MILESTONE_IDS, MILESTONES, NOTICE_KINDS, unknownPlaceholders, type NoticeRoutingPlan } from './notice-routes.js';
import type { People } from './people.js';
import { HttpUrl } from './plan-fields.js';

const ChannelName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/i, 'a channel name is letters, digits and dashes, e.g. on-call');
const VariableName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as CUTOVER_ONCALL_WEBHOOK_URL');

export const NoticeChannel = z.discriminatedUnion('kind', [
  z
    .strictObject({
      kind: z.literal('slack-webhook'),
      url: HttpUrl.optional().describe('A Slack-compatible incoming webhook without a secret in it.'),
      urlFrom: VariableName.optional().describe("The worker's environment variable that holds the URL, for one that carries a token."),
    })
    .refine((c) => (c.url === undefined) !== (c.urlFrom === undefined), {
      message: 'give url or urlFrom (the worker variable holding a URL with a token), not both',
    }),
  z.strictObject({
    kind: z.literal('email'),
    to: z
      .array(z.string().min(1))
      .default([])
      .describe('Addresses or person ids (resolved from people); the people a notice names are added when they have an email there.'),
  }),
]);

export const NoticeChannels = z
  .record(
    ChannelName,
    NoticeChannel.describe("A Slack-compatible webhook (kind: slack-webhook) or email over the worker's SMTP server (kind: email)."),
  )
  .describe('Named channels notices can be routed to.');

export const NoticeRoutes = z
  .partialRecord(z.enum([...NOTICE_KINDS, 'default']), z.array(ChannelName).min(1, 'name at least one channel'))
  .describe(
    `Notice kind (${NOTICE_KINDS.join(', ')}) → the channels it goes to; \`default\` for kinds not listed; the single webhook (webhookUrl) when neither names one.`,
  );

export const MilestoneTemplates = z
  .partialRecord(z.enum(MILESTONE_IDS as [string, ...string[]]), z.string().min(1).max(1000))
  .describe(
    'Milestone wording, with {placeholders}: ' +
      MILESTONE_IDS.map((id) => `${id} (${MILESTONES[id].placeholders.join(', ')})`).join('; ') +
      '. Sent only when the plan routes notices (channels or rehearsal).',
  );

export const Rehearsal = z
  .union([z.boolean(), z.strictObject({ channel: ChannelName.describe('The test channel every notice goes to instead.') })])
  .describe("A rehearsal: every notice goes to the test channel, or with `true` is only written to the worker's log and console.");

export interface RoutingProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Routes and the rehearsal name channels the plan has; templates use their milestone's placeholders; email
 * recipients resolve, the `escalateTo` people of every stage too when escalations go by email.
 */
export function noticeRoutingProblems(
  plan: NoticeRoutingPlan,
  people: People | undefined,
  stages: Partial<Record<string, { escalateTo?: string[] }>> = {},
): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  const channels = plan.channels ?? {};
  const names = Object.keys(channels);
  const unknown = (name: string) =>
    `no channel "${name}" in notifications.channels${names.length ? ` (there are ${names.join(', ')})` : ''}`;
  for (const [kind, routed] of Object.entries(plan.routes ?? {})) {
    (routed ?? []).forEach((name, i) => {
      if (!(name in channels)) problems.push({ path: ['notifications', 'routes', kind, i], message: unknown(name) });
    });
  }
  if (typeof plan.rehearsal === 'object' && !(plan.rehearsal.channel in channels)) {
    problems.push({ path: ['notifications', 'rehearsal', 'channel'], message: unknown(plan.rehearsal.channel) });
  }
  for (const [name, channel] of Object.entries(channels)) {
    if (channel.kind === 'slack-webhook' && channel.url !== undefined) {
      const secret = notifyUrlSecret(channel.url);
      if (secret) {
        problems.push({
          path: ['notifications', 'channels', name, 'url'],
          message: `the URL carries a secret (${secret}), and the plan travels in the cutover's history: give it to the worker in an environment variable and name that variable in urlFrom`,
        });
      }
    }
    if (channel.kind === 'email') {
      channel.to.forEach((entry, i) => {
        if (!entry.includes('@') && !people?.[entry]?.email) {
          problems.push({
            path: ['notifications', 'channels', name, 'to', i],
            message: `"${entry}" is neither an email address nor a person with an email in people`,
          });
        }
      });
    }
  }
  const escalationChannels = plan.routes?.escalation ?? plan.routes?.default ?? [];
  if (escalationChannels.some((name) => channels[name]?.kind === 'email')) {
    for (const [stage, override] of Object.entries(stages)) {
      (override?.escalateTo ?? []).forEach((entry, i) => {
        if (!entry.includes('@') && !people?.[entry]?.email) {
          problems.push({
            path: ['stages', stage, 'escalateTo', i],
            message: `escalations go by email, but "${entry}" is neither an email address nor a person with an email in people`,
          });
        }
      });
    }
  }
  for (const [id, template] of Object.entries(plan.templates ?? {})) {
    const wrong = unknownPlaceholders(id as keyof typeof MILESTONES, template ?? '');
    if (wrong.length) {
      const known = MILESTONES[id as keyof typeof MILESTONES].placeholders.map((p) => `{${p}}`).join(', ');
      problems.push({
        path: ['notifications', 'templates', id],
        message: `unknown placeholder ${wrong.map((w) => `{${w}}`).join(', ')}: ${id} knows ${known}`,
      });
    }
  }
  return problems;
}

/**
 * The plan as `cutover start --rehearsal [CHANNEL]` runs it: every notice to the named test channel, or
 * only recorded; a problem in words when the plan has no such channel.
 */
export function withRehearsal<P extends { notifications: NoticeRoutingPlan }>(plan: P, channel: string | true): P | string {
  if (channel !== true && !(channel in (plan.notifications.channels ?? {}))) {
    const names = Object.keys(plan.notifications.channels ?? {});
    return `--rehearsal ${channel}: the plan has no such channel under notifications.channels${names.length ? ` (it has ${names.join(', ')})` : ''}`;
  }
  return { ...plan, notifications: { ...plan.notifications, rehearsal: channel === true ? true : { channel } } };
}
