/**
 * The cutover plan: one YAML file per programme, validated here at the edge.
 * `CutoverPlanFile` is what people write; `CutoverPlan` is the normalised form the workflow receives
 * (durations in milliseconds, every stage filled in). Neither holds a credential: those live in the
 * worker's environment.
 */
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { ROLES, STAGE_DEFAULTS, STAGE_IDS, type Role, type StageId } from '../workflows/stages.js';

const Duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write it like 24h, -12h, 90m, 1h30m or 45s` });
    return z.NEVER;
  }
  return ms;
});

const PositiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be longer than zero' });

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const PersonId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'a person is written as a short id such as "olivia" or "erin.eng"');

const RoleName = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });

const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP');

const SandboxJob = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('schedule'),
    name: z.string().min(1),
    /** Temporal Schedule id; paused and unpaused through the schedule client. */
    scheduleId: z.string().min(1),
  }),
  z.strictObject({
    kind: z.literal('http'),
    name: z.string().min(1),
    disableUrl: HttpUrl,
    enableUrl: HttpUrl,
    /** Answers `{ enabled: boolean }`; without it the job is assumed enabled before the cutover. */
    statusUrl: HttpUrl.optional(),
  }),
]);

const StageOverride = z.strictObject({
  offset: Duration.optional(),
  owner: RoleName.optional(),
  gate: z.array(RoleName).optional(),
  approvalTimeout: PositiveDuration.optional(),
  escalateTo: z.array(z.string().min(1)).optional(),
});

export const CutoverPlanFile = z
  .strictObject({
    programme: z.string().min(1, 'name the programme'),
    goLive: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with zone, e.g. 2026-12-01T09:00:00Z' }).optional(),
    approvers: z
      .partialRecord(RoleName, z.array(PersonId).min(1, 'list at least one person'))
      .refine((a) => !!a.lead?.length, { message: 'the plan needs a programme lead (approvers.lead)' }),
    payca: z.strictObject({
      sandbox: z.strictObject({ baseUrl: HttpUrl }),
      production: z.strictObject({ baseUrl: HttpUrl }),
    }),
    funding: z.strictObject({
      /** Minimum available balance per currency, in minor units. */
      minimums: z.record(Currency, z.number().int().nonnegative()),
    }),
    configDiff: z
      .strictObject({ allowedDifferences: z.array(z.string().min(1)).default([]) })
      .default({ allowedDifferences: [] }),
    sandboxJobs: z.array(SandboxJob).default([]),
    webhook: z.strictObject({
      url: HttpUrl,
      events: z.array(z.string().min(1)).min(1, 'subscribe to at least one event'),
      deliveryTimeout: PositiveDuration.default(60_000),
    }),
    smokeTest: z.strictObject({
      accountId: z.string().min(1),
      currency: Currency,
      topUpAmount: z.number().int().positive(),
      holderName: z.string().min(1).default('Cutover Smoke Test'),
    }),
    notifications: z
      .strictObject({
        /** Slack-compatible incoming webhook; the worker's CUTOVER_NOTIFY_URL is used when absent. */
        webhookUrl: HttpUrl.optional(),
        monitoringRoom: z.string().min(1).default('#payca-launch'),
      })
      .default({ monitoringRoom: '#payca-launch' }),
    approvalTimeout: PositiveDuration.default(2 * 3_600_000),
    /** How long one PayCA call may keep retrying (429s, 5xx, network) before its stage holds. */
    paycaRetryBudget: PositiveDuration.default(10 * 60_000),
    stages: z.partialRecord(z.enum(STAGE_IDS), StageOverride).default({}),
  })
  .superRefine((plan, ctx) => {
    const names = new Set<string>();
    plan.sandboxJobs.forEach((job, i) => {
      if (names.has(job.name)) {
        ctx.addIssue({ code: 'custom', path: ['sandboxJobs', i, 'name'], message: `job "${job.name}" is listed twice` });
      }
      names.add(job.name);
    });
    for (const [stage, override] of Object.entries(plan.stages)) {
      for (const [i, role] of (override?.gate ?? []).entries()) {
        if (!plan.approvers[role]?.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['stages', stage, 'gate', i],
            message: `role "${role}" gates this stage but approvers.${role} lists nobody`,
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
    if (!(plan.smokeTest.currency in plan.funding.minimums)) {
      ctx.addIssue({
        code: 'custom',
        path: ['smokeTest', 'currency'],
        message: `the smoke test loads ${plan.smokeTest.currency} but funding.minimums has no ${plan.smokeTest.currency} entry`,
      });
    }
  });
export type CutoverPlanFile = z.infer<typeof CutoverPlanFile>;

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
  payca: { sandbox: { baseUrl: string }; production: { baseUrl: string } };
  funding: { minimums: Record<string, number> };
  configDiff: { allowedDifferences: string[] };
  sandboxJobs: CutoverPlanFile['sandboxJobs'];
  webhook: { url: string; events: string[]; deliveryTimeoutMs: number };
  smokeTest: { accountId: string; currency: string; topUpAmount: number; holderName: string };
  notifications: { webhookUrl?: string; monitoringRoom: string };
  paycaRetryBudgetMs: number;
  stages: StagePlan[];
}

export type SandboxJob = CutoverPlan['sandboxJobs'][number];

export function normalisePlan(file: CutoverPlanFile): CutoverPlan {
  return {
    programme: file.programme,
    goLive: file.goLive,
    approvers: file.approvers,
    payca: file.payca,
    funding: file.funding,
    configDiff: file.configDiff,
    sandboxJobs: file.sandboxJobs,
    webhook: { url: file.webhook.url, events: file.webhook.events, deliveryTimeoutMs: file.webhook.deliveryTimeout },
    smokeTest: file.smokeTest,
    notifications: file.notifications,
    paycaRetryBudgetMs: file.paycaRetryBudget,
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
  };
}
