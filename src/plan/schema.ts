/**
 * The cutover plan: one YAML file per programme, validated here at the edge.
 * `CutoverPlanFile` is what people write, put together from the parts in `plan-fields.ts` with the rules
 * that span sections; `CutoverPlan` (`normalise.ts`) is the normalised form the workflow receives. Neither holds a credential: those live in the
 * worker's environment.
 */
import { z } from 'zod';
import { DEFAULT_AUTHORIZATION_LIMITS } from './authorization-limits.js';
import {
  DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS,
  DEFAULT_NOTIFY_RETRY_BUDGET_MS,
  NOTIFY_URL_VARIABLE,
  notifyUrlSecret,
} from './notifications.js';
import { gateStaffingProblems } from './gate-staffing.js';
import { Debrief } from './debrief-plan.js';
import { MilestoneTemplates, NoticeChannels, NoticeRoutes, Rehearsal, noticeRoutingProblems } from './notice-channels.js';
import { PersonIdentity, peopleProblems } from './people.js';
import { CutoverId, TimeZone } from './time-zone.js';
import { Currency } from '../runbook/bins.js';
import { RUNBOOK_ITEMS } from '../runbook/readiness-items.js';
import { STAGE_DEFAULTS, STAGE_IDS, type Role, type StageId } from '../runbook/stages.js';
import { isLoopbackHost } from '../net/loopback.js';
import { DEVELOPMENT_ROOM_PUBLIC_KEY_HEX } from '../signing/development-room-key.js';
import {
  HostName,
  HttpUrl,
  Identity,
  PersonId,
  PositiveDuration,
  PostLaunch,
  Readiness,
  RoleName,
  SandboxJob,
  SeparationOfDuties,
  Signing,
  StageOverride,
} from './plan-fields.js';
import { TaskFile, TaskForecast, taskPlanProblems } from './tasks.js';

export {
  normalisePlan,
  type CutoverPlan,
  type PostLaunchPlan,
  type ReadinessItemPlan,
  type SandboxJob,
  type StagePlan,
} from './normalise.js';

export const CutoverPlanFile = z
  .strictObject({
    programme: z
      .string()
      .min(1, 'name the programme')
      .max(200, 'must be at most 200 characters: name the programme briefly')
      .describe('The programme going live, as notices, the report and the Temporal UI name it.'),
    goLive: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 time with zone, e.g. 2026-12-01T09:00:00Z' })
      .optional()
      .describe('Go-live (T), an ISO 8601 time with zone; `cutover start --go-live` gives it when left out.'),
    timeZone: TimeZone.default('UTC').describe('The IANA time zone in which calendars and the CLI show planned times, e.g. Europe/London.'),
    rehearsalOf: CutoverId.optional().describe(
      'The workflow id of the rehearsal this cutover follows, compared with it in the launch report; `cutover start --rehearsal-of` gives it too.',
    ),
    approvers: z
      .partialRecord(RoleName, z.array(PersonId).min(1, 'list at least one person'))
      .refine((a) => !!a.lead?.length, { message: 'the plan needs a programme lead (approvers.lead)' })
      .describe('Role → the people (short ids such as "olivia") who answer for it at gates and own its items; a lead is required.'),
    payca: z
      .strictObject({
        sandbox: z.strictObject({ baseUrl: HttpUrl.describe("The sandbox API's root URL.") }).describe('The PayCA sandbox environment.'),
        production: z
          .strictObject({ baseUrl: HttpUrl.describe("The production API's root URL; https unless loopback or an allowed simulator host.") })
          .describe('The PayCA production environment.'),
        allowInsecureHosts: z
          .array(HostName)
          .default([])
          .describe(
            'Simulator hosts (e.g. a compose service name) that the production base URL and the webhook URL may reach over plain http. For rehearsals against the simulator only: never list a real PayCA or webhook host.',
          ),
      })
      .describe("Where PayCA is; the credentials are in the worker's environment, never here."),
    funding: z
      .strictObject({
        minimums: z
          .record(Currency, z.number().int().nonnegative())
          .describe('Minimum available balance of the master account per currency, in minor units, checked at T-12h.'),
      })
      .describe('The funding check at T-12h.'),
    configDiff: z
      .strictObject({
        allowedDifferences: z.array(z.string().min(1)).default([]).describe('Settings that may differ between sandbox and production.'),
      })
      .default({ allowedDifferences: [] })
      .describe("The config diff at T-24h: PayCA's programme settings in sandbox against production."),
    sandboxJobs: z
      .array(SandboxJob)
      .default([])
      .describe(
        'Sandbox jobs paused at T-2h and resumed on roll-back: a Temporal Schedule (kind: schedule) or HTTP endpoints (kind: http).',
      ),
    webhook: z
      .strictObject({
        url: HttpUrl.describe("The programme's production webhook endpoint; https unless loopback or an allowed simulator host."),
        events: z.array(z.string().min(1)).min(1, 'subscribe to at least one event').describe('The PayCA events to subscribe it to.'),
        deliveryTimeout: PositiveDuration.default(60_000).describe("How long the smoke test waits for PayCA's test event to be delivered."),
      })
      .describe('The webhook smoke test at T-1h.'),
    smokeTest: z
      .strictObject({
        accountId: z.string().min(1).describe('The master account the smoke-test card is issued from.'),
        currency: Currency.describe("The smoke-test card's currency; funding.minimums must list it."),
        topUpAmount: z.number().int().positive().describe('The top-up loaded onto the smoke-test card, in minor units.'),
        holderName: z.string().min(1).default('Cutover Smoke Test').describe("The smoke-test card's holder name."),
        authorization: z
          .strictObject({
            maxAmount: z
              .number()
              .int()
              .positive()
              .default(DEFAULT_AUTHORIZATION_LIMITS.maxAmount)
              .describe("The largest amount, in integer minor units of the authorization's currency."),
            maxAge: PositiveDuration.default(DEFAULT_AUTHORIZATION_LIMITS.maxAgeMs).describe(
              "The oldest it may be, measured on PayCA's clock when the gate reads it; the runbook's change window is two hours.",
            ),
          })
          .default({ maxAmount: DEFAULT_AUTHORIZATION_LIMITS.maxAmount, maxAge: DEFAULT_AUTHORIZATION_LIMITS.maxAgeMs })
          .describe('What the go-live gate accepts as the real low-risk authorization run by hand.'),
      })
      .describe('The go-live smoke tests: a card issued, topped up and read back in production.'),
    notifications: z
      .strictObject({
        webhookUrl: HttpUrl.optional().describe(
          "Slack-compatible incoming webhook without a secret in it; the worker's CUTOVER_NOTIFY_URL is used when absent, and is the place for a URL that carries a token.",
        ),
        monitoringRoom: z.string().min(1).default('#payca-launch').describe('The room notices name.'),
        retryBudget: PositiveDuration.default(DEFAULT_NOTIFY_RETRY_BUDGET_MS).describe(
          'How long one notice keeps retrying (wall time) before it is recorded as not delivered.',
        ),
        attemptTimeout: PositiveDuration.default(DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS).describe('How long one POST to the webhook may take.'),
        channels: NoticeChannels.optional(),
        routes: NoticeRoutes.optional(),
        templates: MilestoneTemplates.optional(),
        rehearsal: Rehearsal.optional(),
      })
      .default({
        monitoringRoom: '#payca-launch',
        retryBudget: DEFAULT_NOTIFY_RETRY_BUDGET_MS,
        attemptTimeout: DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS,
      })
      .describe('Notices to people: best effort, never holding the cutover.'),
    approvalTimeout: PositiveDuration.default(2 * 3_600_000).describe(
      'How long a gate waits before it escalates, unless the stage sets its own.',
    ),
    paycaRetryBudget: PositiveDuration.default(10 * 60_000).describe(
      'How long one PayCA call may keep retrying (429s, 5xx, network) before its stage holds.',
    ),
    compensationRetryBudget: PositiveDuration.default(15 * 60_000).describe(
      'How long one compensation keeps retrying before it holds for Engineering (retry, or done by hand).',
    ),
    readiness: Readiness.default({
      items: {},
      extraItems: [],
      webhookTls: { minDaysValid: 30, mutualTlsRequired: false },
      expectedBins: [],
    }).describe('The readiness checklist (runbook sections 1 to 8) before go/no-go.'),
    stages: z
      .partialRecord(z.enum(STAGE_IDS), StageOverride.describe('Changes to one stage of the timeline, keyed by its id.'))
      .default({})
      .describe("Changes to the runbook's timeline stages, by stage id."),
    postLaunch: PostLaunch.default(PostLaunch.parse({})).describe(
      'From go-live and after roll-forward (runbook section 9): the watch, its alerts, the fee reconciliation, reminders.',
    ),
    debrief: Debrief.optional().describe(
      'What the T+2h debrief judges on the figures from T, and whether a failed critical rule rolls back on its own.',
    ),
    tasks: z
      .array(TaskFile.describe('One task of the cutover graph.'))
      .max(200, 'at most 200 tasks: status, the current details and the history carry every one')
      .optional()
      .describe(
        "The programme's own tasks beside the built-in stages: each waits for the tasks or stages it names and its time, and independent tasks run side by side (docs/task-graph.md).",
      ),
    forecast: TaskForecast.default({ overrunMargin: 0.5 }).describe("When the tasks' forecast tells the lead and a task's owner."),
    signing: Signing.optional().describe('Signed answers at the gates: whose answers must carry an Ed25519 signature, and with which key.'),
    identity: Identity.optional().describe(
      'How the workflow knows who answered: the cutover room key it trusts, and whether a name alone is enough.',
    ),
    separationOfDuties: SeparationOfDuties.default({ starterMayApprove: true }).describe('Who may not approve what.'),
    people: z
      .record(
        PersonId,
        PersonIdentity.describe(
          'One person of the plan, by the id approvers and owners use: their verified email, or their subject at the provider.',
        ),
      )
      .optional()
      .describe(
        "Who each person is at the organisation's identity provider, for the cutover room's sign-in: a verified email, or a subject (with an issuer to pin one provider).",
      ),
  })
  .superRefine((plan, ctx) => {
    for (const problem of peopleProblems(plan.people, plan.approvers)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of insecureTransportProblems(plan)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of noticeRoutingProblems(plan.notifications, plan.people, plan.stages)) ctx.addIssue({ code: 'custom', ...problem });
    const secret = plan.notifications.webhookUrl === undefined ? undefined : notifyUrlSecret(plan.notifications.webhookUrl);
    if (secret) {
      ctx.addIssue({
        code: 'custom',
        path: ['notifications', 'webhookUrl'],
        message:
          `the URL carries a secret (${secret}), and the plan travels in the cutover's workflow input and history: ` +
          `remove notifications.webhookUrl and give the URL to the worker as ${NOTIFY_URL_VARIABLE}`,
      });
    }
    const people = new Set(Object.values(plan.approvers).flat());
    for (const person of Object.keys(plan.signing?.publicKeys ?? {})) {
      if (!people.has(person)) {
        ctx.addIssue({
          code: 'custom',
          path: ['signing', 'publicKeys', person],
          message: `${person} is not in approvers, so there is nothing for this key to sign; remove it or list ${person} under a role`,
        });
      }
    }
    if (plan.signing?.required) {
      const unkeyed = [...people].filter((person) => !plan.signing?.publicKeys[person]);
      if (unkeyed.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['signing', 'publicKeys'],
          message: `signing.required is on but ${unkeyed.join(', ')} ${unkeyed.length === 1 ? 'has' : 'have'} no public key: each runs \`cutover keygen\` and sends the line it prints`,
        });
      }
    }
    if (
      plan.identity?.roomPublicKey === DEVELOPMENT_ROOM_PUBLIC_KEY_HEX &&
      !onSimulator(plan.payca.production.baseUrl, plan.payca.allowInsecureHosts)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['identity', 'roomPublicKey'],
        message:
          "identity.roomPublicKey is the development room's key, whose private half is in this repository (plans/dev/room-signing-key.pem), so anyone could sign as the room: " +
          "pin your room's own key (`cutover keygen --room`); the development key is accepted only while production PayCA is a simulator (a loopback host, or one listed in payca.allowInsecureHosts)",
      });
    }
    if (plan.identity?.require === 'signed' && !plan.identity.roomPublicKey) {
      const unkeyed = [...people].filter((person) => !plan.signing?.publicKeys[person]);
      if (unkeyed.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['identity', 'roomPublicKey'],
          message: `identity.require is signed but the plan pins no room key and ${unkeyed.join(', ')} ${unkeyed.length === 1 ? 'has' : 'have'} no public key, so nobody could answer for them: pin the room's key (\`cutover keygen --room\`) or list their keys under signing.publicKeys`,
        });
      }
    }
    for (const problem of gateStaffingProblems(gatesOf(plan), plan.approvers)) {
      ctx.addIssue({ code: 'custom', path: ['stages', problem.stage, 'gate'], message: problem.message });
    }
    for (const problem of taskPlanProblems(plan.tasks ?? [], plan.stages, plan.approvers)) ctx.addIssue({ code: 'custom', ...problem });
    const names = new Set<string>();
    plan.sandboxJobs.forEach((job, i) => {
      if (names.has(job.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sandboxJobs', i, 'name'],
          message: `job "${job.name}" is listed twice; give each job its own name`,
        });
      }
      names.add(job.name);
    });
    for (const [stage, override] of Object.entries(plan.stages)) {
      for (const [i, role] of (override?.gate ?? []).entries()) {
        if (!plan.approvers[role]?.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['stages', stage, 'gate', i],
            message: `role "${role}" gates this stage but approvers.${role} lists nobody; list a ${role} person there or remove the role from the gate`,
          });
        }
      }
    }
    for (const id of STAGE_IDS) {
      const owner = plan.stages[id]?.owner ?? STAGE_DEFAULTS[id].owner;
      if (!plan.approvers[owner]?.length) {
        ctx.addIssue({
          code: 'custom',
          path: ['approvers', owner],
          message: `stage ${id} is owned by ${owner}, so list at least one ${owner} approver`,
        });
      }
    }
    const known = new Set(RUNBOOK_ITEMS.map((item) => item.id));
    for (const id of Object.keys(plan.readiness.items)) {
      if (!known.has(id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['readiness', 'items', id],
          message: `no runbook item "${id}"; use one of ${[...known].join(', ')}`,
        });
      }
    }
    const unowned = new Map<Role, string[]>();
    for (const item of [...RUNBOOK_ITEMS, ...plan.readiness.extraItems]) {
      const override = plan.readiness.items[item.id];
      const owner = override?.owner ?? item.owner;
      if (!(override?.optional ?? item.optional ?? false) && !plan.approvers[owner]?.length) {
        unowned.set(owner, [...(unowned.get(owner) ?? []), item.id]);
      }
    }
    for (const [owner, items] of unowned) {
      ctx.addIssue({
        code: 'custom',
        path: ['approvers', owner],
        message: `readiness items ${items.join(', ')} are owned by ${owner}: list at least one ${owner} person, or change their owner under readiness.items`,
      });
    }
    plan.readiness.extraItems.forEach((item, i) => {
      if (known.has(item.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['readiness', 'extraItems', i, 'id'],
          message: `"${item.id}" is already a runbook item; give this item another id`,
        });
      }
      known.add(item.id);
    });
    if (!(plan.smokeTest.currency in plan.funding.minimums)) {
      ctx.addIssue({
        code: 'custom',
        path: ['smokeTest', 'currency'],
        message: `the smoke test loads ${plan.smokeTest.currency} but funding.minimums has no ${plan.smokeTest.currency} entry; add one`,
      });
    }
  });
export type CutoverPlanFile = z.infer<typeof CutoverPlanFile>;

/**
 * Production credentials go to the production base URL and card events to the webhook URL: both must be
 * https, except on loopback (the local stack) or a simulator host the plan names in payca.allowInsecureHosts.
 */
function insecureTransportProblems(plan: Pick<CutoverPlanFile, 'payca' | 'webhook'>): { path: string[]; message: string }[] {
  const allowed = new Set(plan.payca.allowInsecureHosts.map((host) => host.toLowerCase()));
  const targets: { path: string[]; url: string; carries: string }[] = [
    { path: ['payca', 'production', 'baseUrl'], url: plan.payca.production.baseUrl, carries: 'the production PayCA credentials' },
    { path: ['webhook', 'url'], url: plan.webhook.url, carries: "PayCA's production card events" },
  ];
  const problems: { path: string[]; message: string }[] = [];
  for (const { path, url, carries } of targets) {
    // The URL check has said what is wrong with one that does not parse.
    if (!URL.canParse(url)) continue;
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' || isLoopbackHost(parsed.hostname) || allowed.has(parsed.hostname.toLowerCase())) continue;
    problems.push({
      path,
      message:
        `plain http to ${parsed.hostname} would send ${carries} unencrypted: write ${url.replace(/^http:/i, 'https:')} instead; ` +
        `http is allowed only for loopback (localhost, 127.0.0.0/8, ::1) or, for a simulator, a host listed in payca.allowInsecureHosts`,
    });
  }
  return problems;
}

/** Each stage's gate roles, the plan's override or the runbook's default. */
function gatesOf(plan: Pick<CutoverPlanFile, 'stages'>): { stage: StageId; gate: Role[] }[] {
  return STAGE_IDS.map((id) => ({ stage: id, gate: plan.stages[id]?.gate ?? STAGE_DEFAULTS[id].gate }));
}

/** Whether a base URL names a simulator: a loopback host, or a simulator host the plan opts in to. */
function onSimulator(baseUrl: string, simulatorHosts: string[]): boolean {
  try {
    const host = new URL(baseUrl).hostname.toLowerCase();
    return isLoopbackHost(host) || simulatorHosts.some((listed) => listed.toLowerCase() === host);
  } catch {
    return false;
  }
}
