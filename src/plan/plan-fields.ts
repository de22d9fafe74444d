/**
 * The parts of the plan file: its field shapes (durations, URLs, people, keys) and its sections (signing,
 * identity, separation of duties, sandbox jobs, stage overrides, the readiness checklist, after go-live).
 * `schema.ts` puts them together into the plan file and checks the rules that span sections.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { parsePublicKey } from '../signing/public-key.js';
import { Currency, ExpectedBin } from '../runbook/bins.js';
import { ROLES } from '../runbook/stages.js';

/** No plan needs a timer or an offset longer than a year; past it a typo (`20000d`) would become a timer Temporal refuses. */
const MAX_DURATION_MS = 366 * 86_400_000;

/** Titled so the JSON Schema and the plan reference can say "duration" where zod sees only text. */
export const Duration = z
  .string()
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write it like 24h, -12h, 90m, 1h30m or 45s` });
      return z.NEVER;
    }
    if (!Number.isInteger(ms) || Math.abs(ms) > MAX_DURATION_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" must be whole milliseconds and at most 366d; write it like 24h, -12h, 90m or 1h30m`,
      });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ title: 'duration', examples: ['24h', '-12h', '90m', '1h30m'] });

export const PositiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than zero' });

export const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const HostName = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i,
    'a host name only, such as payca-sim: no scheme, port or path',
  );

export const PersonId = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'a person is written as a short id such as "olivia" or "erin.eng"');

const PublicKey = z.string().transform((text, ctx) => {
  const hex = parsePublicKey(text);
  if (!hex) {
    ctx.addIssue({
      code: 'custom',
      message:
        'is not an Ed25519 public key: paste the base64 line `cutover keygen` prints, 64 hex digits, or a PEM "BEGIN PUBLIC KEY" block',
    });
    return z.NEVER;
  }
  return hex;
});

/** Signed answers at the gates: whose answers must carry an Ed25519 signature, and with which key. */
export const Signing = z.strictObject({
  publicKeys: z
    .record(PersonId, PublicKey)
    .default({})
    .describe(
      "Person id → Ed25519 public key (the line `cutover keygen` prints). A listed person's approvals, rejections and decisions must be signed.",
    ),
  required: z.boolean().default(false).describe('When true, every person in approvers must have a key listed.'),
});

/**
 * Who answered: with `require: signed`, every gate and checklist answer must carry the room's statement
 * (verified against `roomPublicKey`) or the approver's own signature, so a name alone is refused.
 */
export const Identity = z.strictObject({
  roomPublicKey: PublicKey.optional().describe(
    "The cutover room's Ed25519 public key; its private key stays with the room (CUTOVER_ROOM_SIGNING_KEY_FILE).",
  ),
  roomUrl: HttpUrl.optional().describe('Where people answer, named in the refusal of an unsigned answer.'),
  require: z
    .enum(['signed', 'name'])
    .default('name')
    .describe(
      "`signed`: every answer must be signed by the room or by the person's own key, so a name alone is refused; `name`: a name is enough.",
    ),
});

export const SeparationOfDuties = z.strictObject({
  starterMayApprove: z.boolean().default(true).describe('False forbids the person who started the cutover from approving its gates.'),
});

export const RoleName = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

export const SandboxJob = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('schedule'),
    name: z.string().min(1).describe("The job's name in notices and the report; unique in the plan."),
    scheduleId: z.string().min(1).describe('Temporal Schedule id; paused at T-2h and unpaused on roll-back through the schedule client.'),
  }),
  z.strictObject({
    kind: z.literal('http'),
    name: z.string().min(1).describe("The job's name in notices and the report; unique in the plan."),
    disableUrl: HttpUrl.describe('POSTed to pause the job at T-2h.'),
    enableUrl: HttpUrl.describe('POSTed to resume the job on roll-back or abort.'),
    statusUrl: HttpUrl.optional().describe('Answers `{"enabled": true|false}`; without it the job is assumed enabled before the cutover.'),
  }),
]);

export const StageOverride = z.strictObject({
  offset: Duration.optional().describe("When the stage runs, relative to go-live (e.g. -12h); the runbook's time when left out."),
  owner: RoleName.optional().describe("The role that runs the stage and is told when it holds; the runbook's owner when left out."),
  gate: z
    .array(RoleName)
    .optional()
    .describe("The roles that must approve before the stage counts as done; the runbook's gate when left out."),
  approvalTimeout: PositiveDuration.optional().describe('How long the gate waits before it escalates; approvalTimeout when left out.'),
  escalateTo: z.array(z.string().min(1)).optional().describe('Who is told when the gate times out, besides the owner.'),
  estimate: PositiveDuration.optional().describe(
    'How long the stage is expected to take, start to pass, gate included; calendars and `cutover compare` use it, `cutover plan calibrate` writes it.',
  ),
});

const ItemId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'an item id is lower-case words joined by dashes, e.g. legal-sign-off');

export const Readiness = z.strictObject({
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
        id: ItemId.describe("Lower-case words joined by dashes; not one of the runbook's ids."),
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
      minDaysValid: z
        .number()
        .int()
        .nonnegative()
        .default(30)
        .describe("The endpoint's certificate must stay valid at least this many days."),
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
      dryRunSample: z
        .number()
        .int()
        .min(1)
        .max(50)
        .default(3)
        .describe('How many records the dry run issues, checks and closes again before seeding.'),
      keepOnRollBack: z
        .boolean()
        .default(false)
        .describe('Roll-back and abort close the seeded cards unless this keeps them (the report says which).'),
    })
    .optional()
    .describe('Initial card records to seed at PayCA; no seeding when left out.'),
});

const HOUR_MS = 3_600_000;

/** Each metrics read adds about ten events to a watch run's history; this keeps a run well under Temporal's limits. */
const MAX_READS_PER_SEGMENT = 500;

const Fraction = z.number().gt(0, 'must be above 0').lt(1, 'must be below 1 (a fraction: 0.01 is 1%)');

/** Section 9 of the runbook: the 48 h watch and its alert rules (section 5), the fee reconciliation, reminders. */
export const PostLaunch = z
  .strictObject({
    watch: z
      .strictObject({
        window: PositiveDuration.default(48 * HOUR_MS).describe(
          "The watch runs from its start (see from) until T plus this window (the runbook's first 48 h).",
        ),
        from: z
          .enum(['roll-forward', 'go-live'])
          .optional()
          // Left out, the workflow decides (go-live) in a cutover's first run, so cutovers started before keep
          // roll-forward; the schema shows that default without the parser filling it in.
          .meta({ default: 'go-live' })
          .describe(
            'When the watch starts: once the go-live smoke tests pass, so the debrief has figures from T (the default), or at the roll-forward decision.',
          ),
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
        webhookFailureRate: Fraction.default(0.01).describe(
          'Alert when failed webhook delivery attempts over all attempts in one interval exceed this fraction.',
        ),
        lowBalance: z
          .record(Currency, z.number().int().nonnegative())
          .optional()
          .describe('Available balance per currency, in minor units, below which an account alerts; the funding minimums when absent.'),
        rateLimited: z
          .strictObject({
            limit: z.number().int().nonnegative().default(20).describe('ErrRateLimited answers in one interval above which it alerts.'),
            baselineFactor: z
              .number()
              .gt(1, 'must be above 1')
              .default(3)
              .describe("Or above this many times the trailing hour's average per interval."),
          })
          .default({ limit: 20, baselineFactor: 3 })
          .describe('The alert on PayCA throttling the programme.'),
        declineRate: z
          .strictObject({
            margin: Fraction.default(0.1).describe('Alert when the decline rate moves this far (as a fraction) from its baseline.'),
            baseline: z.number().min(0).max(1).optional().describe("The expected decline rate; the trailing hour's rate when absent."),
            minAuthorizations: z
              .number()
              .int()
              .positive()
              .default(20)
              .describe('Fewer authorizations than this in one interval say nothing about the rate.'),
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
        tolerance: z
          .number()
          .int()
          .nonnegative()
          .default(0)
          .describe('The largest difference, in minor units, that still counts as a match.'),
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
