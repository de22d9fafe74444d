/**
 * Where each notice goes and what a milestone says, from the plan's `notifications` section. Pure code
 * with no imports, so the workflow sandbox resolves the routes and the plan's validation checks them with
 * the same rules. Nothing here holds a secret: a webhook URL that carries a token is named by the worker
 * variable that holds it (`urlFrom`), and SMTP settings live only in the worker's environment.
 */

/** What a notice is about; each kind is routed on its own. */
export const NOTICE_KINDS = [
  'approvers',
  'escalation',
  'monitoring-room',
  'reminder',
  'alert',
  'analytics',
  'outcome',
  'milestone',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export type NoticeChannelPlan = { kind: 'slack-webhook'; url?: string; urlFrom?: string } | { kind: 'email'; to: string[] };

export interface NoticeRoutingPlan {
  channels?: Record<string, NoticeChannelPlan>;
  /** Notice kind (or `default`) → the names of the channels it goes to. */
  routes?: Partial<Record<NoticeKind | 'default', string[]>>;
  templates?: Partial<Record<MilestoneId, string>>;
  /** Every notice to one test channel, or (true) only recorded on the worker. */
  rehearsal?: boolean | { channel: string };
}

/** What routes a run's notices (the cutover's and its watch's alike): the plan's channels and routes, and people's emails. */
export interface NoticeRouting {
  plan: Pick<NoticeRoutingPlan, 'channels' | 'routes' | 'rehearsal'>;
  people?: Record<string, { email?: string }>;
}

/** One place a notice is delivered; the activity sends to each on its own and reports each failure. */
export type NoticeDestination =
  | { channel: string; kind: 'slack-webhook'; url?: string; urlFrom?: string }
  /** `unknown`: people the notice names who have no email in the plan's people section. */
  | { channel: string; kind: 'email'; to: string[]; unknown: string[] }
  /** The plan's webhook, the worker's CUTOVER_NOTIFY_URL or its console: notices the plan does not route. */
  | { channel: 'default'; kind: 'default' }
  /** A rehearsal without a test channel: written to the worker's log and console, sent nowhere. */
  | { channel: 'rehearsal'; kind: 'record' };

/** True when the plan routes notices itself; otherwise every notice takes the single-webhook path. */
export function routesNotices(plan: NoticeRoutingPlan): boolean {
  return plan.channels !== undefined || plan.rehearsal !== undefined;
}

/**
 * The destinations of one notice: the channels its kind is routed to (else `routes.default`, else the
 * plan's single webhook), with email channels addressed to their own list and to every person the notice
 * names who has an email in `people`. In a rehearsal every notice goes to the test channel instead, or is
 * only recorded.
 */
export function routeNotice(
  plan: NoticeRoutingPlan,
  people: Record<string, { email?: string }> | undefined,
  kind: NoticeKind,
  named: string[] = [],
): NoticeDestination[] {
  const rehearsal = plan.rehearsal;
  if (rehearsal === true) return [{ channel: 'rehearsal', kind: 'record' }];
  const names = rehearsal ? [rehearsal.channel] : (plan.routes?.[kind] ?? plan.routes?.default ?? []);
  const destinations: NoticeDestination[] = [];
  for (const name of [...new Set(names)]) {
    const channel = plan.channels?.[name];
    if (!channel) continue;
    if (channel.kind === 'slack-webhook') {
      destinations.push({
        channel: name,
        kind: 'slack-webhook',
        ...(channel.url && { url: channel.url }),
        ...(channel.urlFrom && { urlFrom: channel.urlFrom }),
      });
      continue;
    }
    const to = channel.to.map((entry) => (entry.includes('@') ? entry : (people?.[entry]?.email ?? entry)));
    const unknown: string[] = [];
    // A rehearsal's test channel keeps its own list: the people a notice names are not told of a rehearsal.
    if (!rehearsal) {
      for (const person of named) {
        const email = person.includes('@') ? person : people?.[person]?.email;
        if (email) to.push(email);
        else unknown.push(person);
      }
    }
    destinations.push({ channel: name, kind: 'email', to: [...new Set(to)], unknown });
  }
  return destinations.length > 0 ? destinations : [{ channel: 'default', kind: 'default' }];
}

/** The milestones the plan may word itself, each with the placeholders its template may use. */
export const MILESTONES = {
  cutoverStarted: {
    placeholders: ['programme', 'goLive', 'at', 'monitoringRoom', 'startedBy'],
    text: '{programme}: cutover started by {startedBy}; go-live at {goLive}; follow it in {monitoringRoom}',
  },
  goNoGo: {
    placeholders: ['programme', 'goLive', 'at', 'monitoringRoom', 'awaiting'],
    text: '{programme}: go/no-go at {at}: the production smoke tests passed; {awaiting} decide',
  },
  live: {
    placeholders: ['programme', 'goLive', 'at', 'monitoringRoom', 'approvedBy'],
    text: '{programme}: live at {at}; go given by {approvedBy}',
  },
  debriefDecision: {
    placeholders: ['programme', 'goLive', 'at', 'monitoringRoom', 'decision', 'by', 'reason'],
    text: '{programme}: debrief decision at {at}: {decision} by {by} ({reason})',
  },
  watchEnded: {
    placeholders: ['programme', 'goLive', 'at', 'monitoringRoom', 'status', 'alerts', 'summaries'],
    text: '{programme}: post-launch watch {status} at {at}: {alerts} alert(s), {summaries} summaries',
  },
} as const satisfies Record<string, { placeholders: readonly string[]; text: string }>;
export type MilestoneId = keyof typeof MILESTONES;
export const MILESTONE_IDS = Object.keys(MILESTONES) as MilestoneId[];

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Placeholders a template names that its milestone does not know, in order of appearance. */
export function unknownPlaceholders(milestone: MilestoneId, template: string): string[] {
  const known: readonly string[] = MILESTONES[milestone].placeholders;
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '').filter((name) => !known.includes(name));
}

/** The milestone's text: the plan's template or the default, with each placeholder filled in. */
export function milestoneText(plan: NoticeRoutingPlan, milestone: MilestoneId, values: Record<string, string>): string {
  const template = plan.templates?.[milestone] ?? MILESTONES[milestone].text;
  return template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}

/** The email channels any notice kind can reach under the plan's routes (or its rehearsal), in the plan's order. */
export function routedEmailChannels(plan: NoticeRoutingPlan): string[] {
  if (!routesNotices(plan)) return [];
  const reached = new Set(NOTICE_KINDS.flatMap((kind) => routeNotice(plan, undefined, kind).map((d) => d.channel)));
  return Object.entries(plan.channels ?? {}).flatMap(([name, channel]) => (channel.kind === 'email' && reached.has(name) ? [name] : []));
}
