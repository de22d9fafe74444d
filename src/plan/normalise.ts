/**
 * The normalised plan the workflow runs, and how a validated plan file becomes it: durations in
 * milliseconds, every stage and readiness item filled in from the runbook's defaults.
 */
import type { ExpectedBin } from '../runbook/bins.js';
import { RUNBOOK_ITEMS, type ReadinessItemDefinition } from '../runbook/readiness-items.js';
import { STAGE_DEFAULTS, STAGE_IDS, type Role, type StageId } from '../runbook/stages.js';
import type { NoticeRoutingPlan } from './notice-routes.js';
import type { PersonIdentity } from './people.js';
import type { DebriefPlan } from './debrief-plan.js';
import type { CutoverPlanFile } from './schema.js';
import { normaliseTasks, type TaskPlan } from './tasks.js';

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
  /** Absent when the plan gives no estimate. */
  estimateMs?: number;
}

/** The normalised plan the workflow runs. Plain JSON, so it travels as workflow input. */
export interface CutoverPlan {
  programme: string;
  goLive?: string;
  /** Optional so cutovers started before plans named a zone keep running: UTC then. */
  timeZone?: string;
  /** The workflow id of the rehearsal this cutover follows. */
  rehearsalOf?: string;
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
  notifications: { webhookUrl?: string; monitoringRoom: string; retryBudgetMs?: number; attemptTimeoutMs?: number } & NoticeRoutingPlan;
  paycaRetryBudgetMs: number;
  /** Optional so cutovers started before compensations held keep running. */
  compensationRetryBudgetMs?: number;
  readiness: {
    items: ReadinessItemPlan[];
    webhookTls: { minDaysValid: number; mutualTlsRequired: boolean };
    cicdEnv?: {
      sandboxFile: string;
      productionFile: string;
      allowedDifferences: string[];
      secretKeys: string[];
      paycaClientSecretKey?: string;
    };
    expectedBins: ExpectedBin[];
    seedCards?: { csv: string; dryRunSample: number; keepOnRollBack?: boolean };
  };
  stages: StagePlan[];
  postLaunch: PostLaunchPlan;
  /** Optional so cutovers started before the debrief judged rules keep running. */
  debrief?: DebriefPlan;
  /** Optional so cutovers started before signed answers existed keep running. */
  signing?: { publicKeys: Record<string, string>; required: boolean };
  /** Optional so cutovers started before the room's statements existed keep running. */
  identity?: { roomPublicKey?: string; roomUrl?: string; require: 'signed' | 'name' };
  separationOfDuties?: { starterMayApprove: boolean };
  /** Absent when the plan lists no people: then the room lets nobody in. */
  people?: Record<string, PersonIdentity>;
  /** The plan's own tasks; absent when it has none, so such a cutover runs the stages alone as before. */
  tasks?: TaskPlan[];
  /** Present with tasks: when the forecast tells people. */
  forecast?: { overrunMargin: number };
}

export interface PostLaunchPlan {
  /**
   * `fromGoLive` is what the plan says (`watch.from`); absent when it says nothing, and then the workflow decides
   * (go-live, except in cutovers started before that was the default).
   */
  watch: { windowMs: number; intervalMs: number; summaryEveryMs: number; segmentMs: number; fromGoLive?: boolean };
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
    timeZone: file.timeZone,
    ...(file.rehearsalOf !== undefined && { rehearsalOf: file.rehearsalOf }),
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
      ...(file.notifications.channels && { channels: file.notifications.channels }),
      ...(file.notifications.routes && { routes: file.notifications.routes }),
      ...(file.notifications.templates && { templates: file.notifications.templates }),
      ...(file.notifications.rehearsal !== undefined && { rehearsal: file.notifications.rehearsal }),
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
        ...(override.estimate !== undefined && { estimateMs: override.estimate }),
      };
    }),
    postLaunch: {
      watch: {
        windowMs: file.postLaunch.watch.window,
        intervalMs: file.postLaunch.watch.interval,
        summaryEveryMs: file.postLaunch.watch.summaryEvery,
        segmentMs: file.postLaunch.watch.segment,
        ...(file.postLaunch.watch.from !== undefined && { fromGoLive: file.postLaunch.watch.from === 'go-live' }),
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
    ...(file.debrief && { debrief: file.debrief }),
    ...(file.signing && { signing: file.signing }),
    ...(file.identity && { identity: file.identity }),
    separationOfDuties: file.separationOfDuties,
    ...(file.people && { people: file.people }),
    ...(file.tasks?.length && { tasks: normaliseTasks(file.tasks, file.approvalTimeout), forecast: file.forecast }),
  };
}
