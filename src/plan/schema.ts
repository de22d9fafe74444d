/**
 * The cutover plan: one YAML file per programme, validated here at the edge.
 * `CutoverPlanFile` is what people write; `CutoverPlan` is the normalised form the workflow receives
 * (durations in milliseconds, every stage filled in). Neither holds a credential: those live in the
 * worker's environment.
 */
import { z } from 'zod';
import { DEFAULT_AUTHORIZATION_LIMITS } from './authorization-limits.js';
import { parseDuration } from './duration.js';
import { DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS, DEFAULT_NOTIFY_RETRY_BUDGET_MS, NOTIFY_URL_VARIABLE, notifyUrlSecret } from './notifications.js';
import { gateStaffingProblems } from './gate-staffing.js';
import { PersonIdentity, peopleProblems } from './people.js';
import { parsePublicKey } from '../signing/public-key.js';
import { Currency, ExpectedBin } from '../runbook/bins.js';
import { RUNBOOK_ITEMS, type ReadinessItemDefinition } from '../runbook/readiness-items.js';
import { ROLES, STAGE_DEFAULTS, STAGE_IDS, type Role, type StageId } from '../runbook/stages.js';
import { isLoopbackHost } from '../net/loopback.js';
import { DEVELOPMENT_ROOM_PUBLIC_KEY_HEX } from '../signing/development-room-key.js';

/** No plan needs a timer or an offset longer than a year; past it a typo (`20000d`) would become a timer Temporal refuses. */
const MAX_DURATION_MS = 366 * 86_400_000;

/** Titled so the JSON Schema and the plan reference can say "duration" where zod sees only text. */
const Duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write it like 24h, -12h, 90m, 1h30m or 45s` });
    return z.NEVER;
  }
  if (!Number.isInteger(ms) || Math.abs(ms) > MAX_DURATION_MS) {
    ctx.addIssue({ code: 'custom', message: `"${text}" must be whole milliseconds and at most 366d; write it like 24h, -12h, 90m or 1h30m` });
    return z.NEVER;
  }
  return ms;
}).meta({ title: 'duration', examples: ['24h', '-12h', '90m', '1h30m'] });

const PositiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than zero' });

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const HostName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i, 'a host name only, such as payca-sim: no scheme, port or path');

const PersonId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'a person is written as a short id such as "olivia" or "erin.eng"');

const PublicKey = z.string().transform((text, ctx) => {
  const hex = parsePublicKey(text);
  if (!hex) {
    ctx.addIssue({
      code: 'custom',
      message: 'is not an Ed25519 public key: paste the base64 line `cutover keygen` prints, 64 hex digits, or a PEM "BEGIN PUBLIC KEY" block',
    });
    return z.NEVER;
  }
  return hex;
});

/** Signed answers at the gates: whose answers must carry an Ed25519 signature, and with which key. */
const Signing = z.strictObject({
  publicKeys: z
    .record(PersonId, PublicKey)
    .default({})
    .describe("Person id → Ed25519 public key (the line `cutover keygen` prints). A listed person's approvals, rejections and decisions must be signed."),
  required: z.boolean().default(false).describe('When true, every person in approvers must have a key listed.'),
});

/**
 * Who answered: with `require: signed`, every gate and checklist answer must carry the room's statement
 * (verified against `roomPublicKey`) or the approver's own signature, so a name alone is refused.
 */
const Identity = z.strictObject({
  roomPublicKey: PublicKey.optional().describe("The cutover room's Ed25519 public key; its private key stays with the room (CUTOVER_ROOM_SIGNING_KEY_FILE)."),
  roomUrl: HttpUrl.optional().describe('Where people answer, named in the refusal of an unsigned answer.'),
  require: z
    .enum(['signed', 'name'])
    .default('name')
    .describe('`signed`: every answer must be signed by the room or by the person\'s own key, so a name alone is refused; `name`: a name is enough.'),
});

const SeparationOfDuties = z.strictObject({
  starterMayApprove: z.boolean().default(true).describe('False forbids the person who started the cutover from approving its gates.'),
});

const RoleName = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

const SandboxJob = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('schedule'),
    name: z.string().min(1).describe('The job\'s name in notices and the report; unique in the plan.'),
    scheduleId: z.string().min(1).describe('Temporal Schedule id; paused at T-2h and unpaused on roll-back through the schedule client.'),
  }),
  z.strictObject({
    kind: z.literal('http'),
    name: z.string().min(1).describe('The job\'s name in notices and the report; unique in the plan.'),
    disableUrl: HttpUrl.describe('POSTed to pause the job at T-2h.'),
    enableUrl: HttpUrl.describe('POSTed to resume the job on roll-back or abort.'),
    statusUrl: HttpUrl.optional().describe('Answers `{"enabled": true|false}`; without it the job is assumed enabled before the cutover.'),
  }),
]);

const StageOverride = z.strictObject({
  offset: Duration.optional().describe("When the stage runs, relative to go-live (e.g. -12h); the runbook's time when left out."),
  owner: RoleName.optional().describe("The role that runs the stage and is told when it holds; the runbook's owner when left out."),
  gate: z.array(RoleName).optional().describe("The roles that must approve before the stage counts as done; the runbook's gate when left out."),
  approvalTimeout: PositiveDuration.optional().describe('How long the gate waits before it escalates; approvalTimeout when left out.'),
  escalateTo: z.array(z.string().min(1)).optional().describe('Who is told when the gate times out, besides the owner.'),
});

const ItemId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'an item id is lower-case words joined by dashes, e.g. legal-sign-off');

const Readiness = z.strictObject({
  items: z
    .record(
      ItemId,
      z
        .strictObject({
          owner: RoleName.optional().describe('Another owner for the item.'),
          optional: z.boolean().optional().describe('True: the item never blocks go/no-go.'),
        })
        .describe("A change to one of the runbook's items, keyed by its id (e.g. legal-sign-off)."),
    )
    .default({})
    .describe("Changes to the runbook's readiness items, by id: another owner, or optional."),
  extraItems: z
    .array(
      z.strictObject({
        id: ItemId.describe('Lower-case words joined by dashes; not one of the runbook\'s ids.'),
        section: z.string().min(1).default('Programme').describe('The checklist section it is listed under.'),
        title: z.string().min(1).describe('What the owner attests.'),
        owner: RoleName.describe('The role that completes it with evidence.'),
        optional: z.boolean().default(false).describe('True: the item never blocks go/no-go.'),
      }),
    )
    .default([])
    .describe("The programme's own readiness items; the owner attests them with evidence."),
  webhookTls: z
    .strictObject({
      minDaysValid: z.number().int().nonnegative().default(30).describe("The endpoint's certificate must stay valid at least this many days."),
      mutualTlsRequired: z.boolean().default(false).describe('True: the endpoint must ask for a client certificate.'),
    })
    .default({ minDaysValid: 30, mutualTlsRequired: false })
    .describe("The automated check of the webhook endpoint's TLS."),
  cicdEnv: z
    .strictObject({
      sandboxFile: z.string().min(1).describe("The sandbox environment's CI/CD env file, on the worker's machine."),
      productionFile: z.string().min(1).describe("The production environment's CI/CD env file, on the worker's machine."),
      allowedDifferences: z.array(z.string().min(1)).default([]).describe('Keys whose values may differ between the two files.'),
      secretKeys: z.array(z.string().min(1)).default([]).describe('Keys compared by keyed fingerprint, never by value.'),
      paycaClientSecretKey: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name such as PAYCA_CLIENT_SECRET')
        .optional()
        .describe("The production file's key holding the PayCA client secret, checked against the worker's production credentials."),
    })
    .optional()
    .describe('The automated comparison of the CI/CD environment files of sandbox and production; no check when left out.'),
  expectedBins: z
    .array(ExpectedBin)
    .default([])
    .describe('The production BIN catalogue as the programme expects it: fees, currencies, restrictions.'),
  seedCards: z
    .strictObject({
      csv: z.string().min(1).describe("The CSV file on the worker's machine, with the header externalRef,holderName,accountId,currency."),
      dryRunSample: z.number().int().min(1).max(50).default(3).describe('How many records the dry run issues, checks and closes again before seeding.'),
      keepOnRollBack: z.boolean().default(false).describe('Roll-back and abort close the seeded cards unless this keeps them (the report says which).'),
    })
    .optional()
    .describe('Initial card records to seed at PayCA; no seeding when left out.'),
});

const HOUR_MS = 3_600_000;

/** Each metrics read adds about ten events to a watch run's history; this keeps a run well under Temporal's limits. */
const MAX_READS_PER_SEGMENT = 500;

const Fraction = z.number().gt(0, 'must be above 0').lt(1, 'must be below 1 (a fraction: 0.01 is 1%)');

/** Section 9 of the runbook: the 48 h watch and its alert rules (section 5), the fee reconciliation, reminders. */
const PostLaunch = z
  .strictObject({
    watch: z
      .strictObject({
        window: PositiveDuration.default(48 * HOUR_MS).describe("The watch runs from the roll-forward decision until T plus this window (the runbook's first 48 h)."),
        interval: PositiveDuration.default(5 * 60_000).describe("How often PayCA's metrics are read and the alert rules evaluated."),
        summaryEvery: PositiveDuration.default(HOUR_MS).describe('How often a summary goes to Analytics; a whole number of intervals.'),
        segment: PositiveDuration.default(6 * HOUR_MS).describe(
          "Plan time per workflow run before it continues as new, keeping each run's history short; a whole number of summary periods, at most 500 intervals.",
        ),
      })
      .default({ window: 48 * HOUR_MS, interval: 5 * 60_000, summaryEvery: HOUR_MS, segment: 6 * HOUR_MS })
      .describe('The post-launch watch: how long, how often PayCA is read, summaries.'),
    alerts: z
      .strictObject({
        webhookFailureRate: Fraction.default(0.01).describe('Alert when failed webhook delivery attempts over all attempts in one interval exceed this fraction.'),
        lowBalance: z
          .record(Currency, z.number().int().nonnegative())
          .optional()
          .describe('Available balance per currency, in minor units, below which an account alerts; the funding minimums when absent.'),
        rateLimited: z
          .strictObject({
            limit: z.number().int().nonnegative().default(20).describe('ErrRateLimited answers in one interval above which it alerts.'),
            baselineFactor: z.number().gt(1, 'must be above 1').default(3).describe("Or above this many times the trailing hour's average per interval."),
          })
          .default({ limit: 20, baselineFactor: 3 })
          .describe('The alert on PayCA throttling the programme.'),
        declineRate: z
          .strictObject({
            margin: Fraction.default(0.1).describe('Alert when the decline rate moves this far (as a fraction) from its baseline.'),
            baseline: z.number().min(0).max(1).optional().describe("The expected decline rate; the trailing hour's rate when absent."),
            minAuthorizations: z.number().int().positive().default(20).describe('Fewer authorizations than this in one interval say nothing about the rate.'),
          })
          .default({ margin: 0.1, minAuthorizations: 20 })
          .describe('The alert on the authorization decline rate.'),
      })
      .default({
        webhookFailureRate: 0.01,
        rateLimited: { limit: 20, baselineFactor: 3 },
        declineRate: { margin: 0.1, minAuthorizations: 20 },
      })
      .describe("The watch's alert rules (runbook section 5)."),
    feeReconciliation: z
      .strictObject({
        tolerance: z.number().int().nonnegative().default(0).describe('The largest difference, in minor units, that still counts as a match.'),
        currency: Currency.optional().describe(
          "Deprecated: every currency the programme uses (funded, or a BIN's) is reconciled. A currency set here is reconciled too, so plans that set it keep validating and lose nothing.",
        ),
      })
      .default({ tolerance: 0 })
      .describe("The day-1 fee reconciliation at T+24h: PayCA's statement against the fees the plan expects."),
    remindBefore: PositiveDuration.default(24 * HOUR_MS).describe("How long before a post-launch item's deadline its owner is reminded."),
    dashboards: z
      .array(z.strictObject({ title: z.string().min(1).describe('The link text.'), url: HttpUrl.describe("The dashboard's address.") }))
      .default([])
      .describe("The launch's dashboards, linked from the report."),
  })
  .superRefine((post, ctx) => {
    const { interval, summaryEvery, segment } = post.watch;
    if (summaryEvery % interval !== 0) {
      ctx.addIssue({ code: 'custom', path: ['watch', 'summaryEvery'], message: 'must be a whole number of intervals' });
    }
    if (segment % summaryEvery !== 0) {
      ctx.addIssue({ code: 'custom', path: ['watch', 'segment'], message: 'must be a whole number of summary periods (summaryEvery)' });
    }
    if (segment / interval > MAX_READS_PER_SEGMENT) {
      ctx.addIssue({
        code: 'custom',
        path: ['watch', 'segment'],
        message: `must hold at most ${MAX_READS_PER_SEGMENT} reads (interval); shorten the segment or lengthen the interval`,
      });
    }
  });

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
      .describe('Sandbox jobs paused at T-2h and resumed on roll-back: a Temporal Schedule (kind: schedule) or HTTP endpoints (kind: http).'),
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
      })
      .default({
        monitoringRoom: '#payca-launch',
        retryBudget: DEFAULT_NOTIFY_RETRY_BUDGET_MS,
        attemptTimeout: DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS,
      })
      .describe('Notices to people: best effort, never holding the cutover.'),
    approvalTimeout: PositiveDuration.default(2 * 3_600_000).describe('How long a gate waits before it escalates, unless the stage sets its own.'),
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
    postLaunch: PostLaunch.default(PostLaunch.parse({})).describe('After roll-forward (runbook section 9): the watch, its alerts, the fee reconciliation, reminders.'),
    signing: Signing.optional().describe('Signed answers at the gates: whose answers must carry an Ed25519 signature, and with which key.'),
    identity: Identity.optional().describe('How the workflow knows who answered: the cutover room key it trusts, and whether a name alone is enough.'),
    separationOfDuties: SeparationOfDuties.default({ starterMayApprove: true }).describe('Who may not approve what.'),
    people: z
      .record(PersonId, PersonIdentity.describe('One person of the plan, by the id approvers and owners use: their verified email, or their subject at the provider.'))
      .optional()
      .describe("Who each person is at the organisation's identity provider, for the cutover room's sign-in: a verified email, or a subject (with an issuer to pin one provider)."),
  })
  .superRefine((plan, ctx) => {
    for (const problem of peopleProblems(plan.people, plan.approvers)) ctx.addIssue({ code: 'custom', ...problem });
    for (const problem of insecureTransportProblems(plan)) ctx.addIssue({ code: 'custom', ...problem });
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
    if (plan.identity?.roomPublicKey === DEVELOPMENT_ROOM_PUBLIC_KEY_HEX && !onSimulator(plan.payca.production.baseUrl, plan.payca.allowInsecureHosts)) {
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
    const names = new Set<string>();
    plan.sandboxJobs.forEach((job, i) => {
      if (names.has(job.name)) {
        ctx.addIssue({ code: 'custom', path: ['sandboxJobs', i, 'name'], message: `job "${job.name}" is listed twice; give each job its own name` });
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
        ctx.addIssue({ code: 'custom', path: ['readiness', 'extraItems', i, 'id'], message: `"${item.id}" is already a runbook item; give this item another id` });
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

/** A checklist item as this plan has it: the runbook's definition with the plan's owner and optionality. */
export type ReadinessItemPlan = ReadinessItemDefinition & { optional: boolean };

export interface StagePlan {
  id: StageId;
  title: string;
  offsetMs: number;
  owner: Role;
  gate: Role[];
  approvalTimeoutMs: number;
  escalateTo: string[];
}

/** The normalised plan the workflow runs. Plain JSON, so it travels as workflow input. */
export interface CutoverPlan {
  programme: string;
  goLive?: string;
  approvers: Partial<Record<Role, string[]>>;
  payca: { sandbox: { baseUrl: string }; production: { baseUrl: string }; allowInsecureHosts?: string[] };
  funding: { minimums: Record<string, number> };
  configDiff: { allowedDifferences: string[] };
  sandboxJobs: CutoverPlanFile['sandboxJobs'];
  webhook: { url: string; events: string[]; deliveryTimeoutMs: number };
  smokeTest: {
    accountId: string;
    currency: string;
    topUpAmount: number;
    holderName: string;
    /** Optional so cutovers started before the gate read the authorization keep running (defaults apply). */
    authorization?: { maxAmount: number; maxAgeMs: number };
  };
  /** The budgets are absent in cutovers started before notices were best effort. */
  notifications: { webhookUrl?: string; monitoringRoom: string; retryBudgetMs?: number; attemptTimeoutMs?: number };
  paycaRetryBudgetMs: number;
  /** Optional so cutovers started before compensations held keep running. */
  compensationRetryBudgetMs?: number;
  readiness: {
    items: ReadinessItemPlan[];
    webhookTls: { minDaysValid: number; mutualTlsRequired: boolean };
    cicdEnv?: { sandboxFile: string; productionFile: string; allowedDifferences: string[]; secretKeys: string[]; paycaClientSecretKey?: string };
    expectedBins: ExpectedBin[];
    seedCards?: { csv: string; dryRunSample: number; keepOnRollBack?: boolean };
  };
  stages: StagePlan[];
  postLaunch: PostLaunchPlan;
  /** Optional so cutovers started before signed answers existed keep running. */
  signing?: { publicKeys: Record<string, string>; required: boolean };
  /** Optional so cutovers started before the room's statements existed keep running. */
  identity?: { roomPublicKey?: string; roomUrl?: string; require: 'signed' | 'name' };
  separationOfDuties?: { starterMayApprove: boolean };
  /** Absent when the plan lists no people: then the room lets nobody in. */
  people?: Record<string, PersonIdentity>;
}

export interface PostLaunchPlan {
  watch: { windowMs: number; intervalMs: number; summaryEveryMs: number; segmentMs: number };
  alerts: {
    webhookFailureRate: number;
    lowBalance: Record<string, number>;
    rateLimited: { limit: number; baselineFactor: number };
    declineRate: { margin: number; baseline?: number; minAuthorizations: number };
  };
  feeReconciliation: { tolerance: number; currency: string };
  remindBeforeMs: number;
  dashboards: { title: string; url: string }[];
}

export type SandboxJob = CutoverPlan['sandboxJobs'][number];

export function normalisePlan(file: CutoverPlanFile): CutoverPlan {
  return {
    programme: file.programme,
    goLive: file.goLive,
    approvers: file.approvers,
    payca: {
      sandbox: file.payca.sandbox,
      production: file.payca.production,
      ...(file.payca.allowInsecureHosts.length > 0 && { allowInsecureHosts: file.payca.allowInsecureHosts }),
    },
    funding: file.funding,
    configDiff: file.configDiff,
    sandboxJobs: file.sandboxJobs,
    webhook: { url: file.webhook.url, events: file.webhook.events, deliveryTimeoutMs: file.webhook.deliveryTimeout },
    smokeTest: {
      ...file.smokeTest,
      authorization: { maxAmount: file.smokeTest.authorization.maxAmount, maxAgeMs: file.smokeTest.authorization.maxAge },
    },
    notifications: {
      ...(file.notifications.webhookUrl !== undefined && { webhookUrl: file.notifications.webhookUrl }),
      monitoringRoom: file.notifications.monitoringRoom,
      retryBudgetMs: file.notifications.retryBudget,
      attemptTimeoutMs: file.notifications.attemptTimeout,
    },
    paycaRetryBudgetMs: file.paycaRetryBudget,
    compensationRetryBudgetMs: file.compensationRetryBudget,
    readiness: {
      items: [
        ...RUNBOOK_ITEMS.map((item) => {
          const override = file.readiness.items[item.id] ?? {};
          return {
            ...item,
            owner: override.owner ?? item.owner,
            optional: override.optional ?? item.optional ?? false,
          };
        }),
        ...file.readiness.extraItems.map((item) => ({ ...item, kind: 'attested' as const })),
      ],
      webhookTls: file.readiness.webhookTls,
      cicdEnv: file.readiness.cicdEnv,
      expectedBins: file.readiness.expectedBins,
      seedCards: file.readiness.seedCards,
    },
    stages: STAGE_IDS.map((id) => {
      const defaults = STAGE_DEFAULTS[id];
      const override = file.stages[id] ?? {};
      return {
        id,
        title: defaults.title,
        offsetMs: override.offset ?? defaults.offsetMs,
        owner: override.owner ?? defaults.owner,
        gate: override.gate ?? defaults.gate,
        approvalTimeoutMs: override.approvalTimeout ?? file.approvalTimeout,
        escalateTo: override.escalateTo ?? [],
      };
    }),
    postLaunch: {
      watch: {
        windowMs: file.postLaunch.watch.window,
        intervalMs: file.postLaunch.watch.interval,
        summaryEveryMs: file.postLaunch.watch.summaryEvery,
        segmentMs: file.postLaunch.watch.segment,
      },
      alerts: {
        webhookFailureRate: file.postLaunch.alerts.webhookFailureRate,
        lowBalance: file.postLaunch.alerts.lowBalance ?? file.funding.minimums,
        rateLimited: file.postLaunch.alerts.rateLimited,
        declineRate: file.postLaunch.alerts.declineRate,
      },
      feeReconciliation: {
        tolerance: file.postLaunch.feeReconciliation.tolerance,
        currency: file.postLaunch.feeReconciliation.currency ?? file.smokeTest.currency,
      },
      remindBeforeMs: file.postLaunch.remindBefore,
      dashboards: file.postLaunch.dashboards,
    },
    ...(file.signing && { signing: file.signing }),
    ...(file.identity && { identity: file.identity }),
    separationOfDuties: file.separationOfDuties,
    ...(file.people && { people: file.people }),
  };
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
