/**
 * What each stage of the launch timeline checks, in workflow terms: which activities it calls, in what
 * order, what counts as a problem (which holds the stage for its owner) and what evidence it keeps.
 * The side effects themselves live in src/activities/, one file per stage.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import type {
  ConfigDiffResult,
  FeeReconciliationResult,
  FundingCheckResult,
  JobPriorState,
  VerifiedAuthorization,
} from '../activities/index.js';
import type { CicdEnvEvidence } from '../activities/readiness/cicd-env.js';
import type { SmokeTestEvidence } from '../activities/smoke-tests.js';
import type { MoneyCallScope } from '../payca/idempotency.js';
import { feeCurrencies, feeProblem, feeRows } from '../plan/fee-reconciliation.js';
import type { NotificationChannel } from '../activities/notify.js';
import type { CutoverPlan } from '../plan/schema.js';
import { CancellationScope } from '@temporalio/workflow';
import { ACTING_CALL, cutoverActivities, paycaActivities, type PaycaCallOptions } from './activity-proxies.js';
import type { Compensation } from './compensations.js';
import { takeDebriefShots } from './debrief-shots.js';
import { checkPrefunding } from './funding.js';
import { assembleDebriefPack, wantsDebriefPack } from './debrief-pack.js';
import { proveWebhookDelivery, type WebhookDeliveryProof } from './webhook-delivery.js';
import type { CutoverStatus, StageState } from './cutover-state.js';
import type { StageId } from '../runbook/stages.js';

/** Go-live re-runs look up and close the cards earlier runs may have left open. */
export const CLOSE_EARLIER_TEST_CARDS_PATCH = 'go-live-closes-earlier-test-cards';
/**
 * The smoke test's money calls and test card are named by the run chain (first run id) instead of the
 * run, so the new run a reset starts meets PayCA's replay, and a card issued beyond the replay window is
 * found by its external reference, rather than a second card being issued and loaded.
 */
export const RESET_STABLE_MONEY_KEYS_PATCH = 'go-live-reset-stable-money-keys';

/** The real low-risk authorization an approver ran by hand at go-live, and what PayCA showed for it. */
export interface ManualAuthorizationEvidence {
  authorizationId: string;
  confirmedBy: string;
  at: string;
  /** What the gate read at PayCA before the approval counted; absent in cutovers started before it read it. */
  verified?: VerifiedAuthorization;
}

/** Go-live keeps its evidence as it goes, so a step that failed leaves the steps before it on record. */
export interface GoLiveEvidence {
  /** When the change window opened, on the workflow's clock and on PayCA's (the manual authorization must not be older). */
  changeWindowOpenedAt?: string;
  changeWindowOpenedAtPayca?: string;
  smokeTests?: SmokeTestEvidence;
  /** Why the real authorization is a manual step in production. */
  manualAuthorizationStep?: string;
}

/**
 * What each stage's check returns as evidence, by stage id. Indexed by `StageId` in `StageChecks` and in
 * the readers' decoders (`src/operations/evidence.ts`), so a stage without an entry here fails the build.
 */
export interface StageEvidence {
  'config-diff': { configDiff: ConfigDiffResult; cicdEnv?: CicdEnvEvidence };
  'funding-check': { funding: FundingCheckResult };
  'disable-sandbox-jobs': { jobs: JobPriorState[]; note?: string };
  'webhook-smoke-test': WebhookDeliveryProof;
  'go-live': GoLiveEvidence;
  debrief: Record<never, never>;
  'fee-reconciliation': { feeReconciliation: FeeReconciliationResult };
}

/** Kept on every stage beside its check's evidence: when the check last ran, and an approver's manual authorization. */
export interface EvidenceOnEveryStage {
  lastCheckAt?: string;
  lastCheckPlanTime?: string;
  manualAuthorization?: ManualAuthorizationEvidence;
}

/**
 * A stage's evidence as the status holds it: each run merges its check's evidence into what earlier runs
 * kept, and a run that failed adds none, so any field may be absent.
 */
export type StageEvidenceOnRecord<S extends StageId> = Partial<StageEvidence[S]> & EvidenceOnEveryStage;

export interface CheckOutcome<S extends StageId = StageId> {
  /** Each problem holds the stage for its owner. */
  problems: string[];
  evidence: StageEvidence[S];
}

export interface StageContext {
  plan: CutoverPlan;
  workflowId: string;
  status: CutoverStatus;
  /** Undo steps for what the checks change; a check pushes one right after its change succeeds. */
  compensations: Compensation[];
  stageState<S extends StageId>(id: S): StageState<S>;
  /** Sends a notice without waiting for it to be delivered; a notice never fails a stage. */
  notify(channel: NotificationChannel, text: string, to?: string[], audience?: string): Promise<unknown>;
  /** Now on the plan's clock, which runs faster in rehearsals. */
  planNow(): string;
  nowIso(): string;
  /** Keeps best-effort work in flight (the debrief's screenshots) until it settles, as a notice is. */
  sideWork?(work: Promise<void>): void;
}

/** Each stage's check, given its own stage's state and returning its own evidence type. */
export type StageChecks = { [S in StageId]: (stage: StageState<S>) => Promise<CheckOutcome<S>> };

/** Runs the check of whichever stage this is: the map pairs each id with its check, which TypeScript cannot follow through a union. */
export function runStageCheck(checks: StageChecks, stage: StageState): Promise<CheckOutcome> {
  return (checks[stage.id] as (stage: StageState) => Promise<CheckOutcome>)(stage);
}

export function createStageChecks(ctx: StageContext): StageChecks {
  const { plan, status, compensations, stageState, notify, planNow, nowIso } = ctx;
  const production = plan.payca.production.baseUrl;
  const payca = (summary: string, extra?: PaycaCallOptions) => paycaActivities(plan.paycaRetryBudgetMs, summary, extra);
  const local = cutoverActivities;

  const checks: StageChecks = {
    async 'config-diff'() {
      const diff = await payca('T-24h config diff: sandbox vs production (Ops)').diffProgramConfig({
        sandboxBaseUrl: plan.payca.sandbox.baseUrl,
        productionBaseUrl: production,
        allowedDifferences: plan.configDiff.allowedDifferences,
      });
      const problems = diff.unexpected.map((key) => {
        const d = diff.differences.find((x) => x.key === key);
        return `setting ${key} differs: sandbox ${JSON.stringify(d?.sandbox)}, production ${JSON.stringify(d?.production)}`;
      });
      // The deployment's own configuration is part of the final diff: the CI/CD env files, read again now.
      const files = plan.readiness.cicdEnv;
      if (!files) return { problems, evidence: { configDiff: diff } };
      const cicd = await local('T-24h config diff: CI/CD env files, sandbox vs production (Ops)').compareCicdEnvFiles(files);
      return {
        problems: [...problems, ...cicd.problems.map((p) => `CI/CD env: ${p}`)],
        evidence: { configDiff: diff, cicdEnv: cicd.evidence },
      };
    },

    async 'funding-check'() {
      const { problems, funding } = await checkPrefunding(plan, 'T-12h funding check (Treasury)');
      return { problems, evidence: { funding } };
    },

    async 'disable-sandbox-jobs'(stage) {
      if (plan.sandboxJobs.length === 0) return { problems: [], evidence: { jobs: [], note: 'the plan lists no sandbox jobs' } };
      const already = stage.evidence.jobs;
      if (already) return { problems: [], evidence: { jobs: already } };
      // Not cancelled by an abort: the prior states it returns are what the roll-back restores.
      const result = await CancellationScope.nonCancellable(() =>
        local('T-2h pause sandbox automation jobs (Engineering)').pauseSandboxJobs({ jobs: plan.sandboxJobs }),
      );
      compensations.push({ step: 'restore-sandbox-jobs', priorStates: result.jobs });
      return { problems: [], evidence: { jobs: result.jobs } };
    },

    async 'webhook-smoke-test'() {
      const proof = await proveWebhookDelivery(plan, compensations, 'T-1h webhook smoke test (Engineering)');
      return { problems: [], evidence: proof };
    },

    async 'go-live'(stage) {
      if (!stage.evidence.changeWindowOpenedAt) {
        await notify(
          'monitoring-room',
          `${plan.programme}: change window open at ${planNow()} (go-live ${status.goLive}); monitoring room ${plan.notifications.monitoringRoom} is active`,
          undefined,
          plan.notifications.monitoringRoom,
        );
        stage.evidence.changeWindowOpenedAt = nowIso();
      }
      const chain = patched(RESET_STABLE_MONEY_KEYS_PATCH) ? workflowInfo().firstExecutionRunId : undefined;
      // A re-run after a failed attempt first closes any card the earlier attempt left open.
      await closeOpenTestCards(undefined, chain);
      // A run other than the chain's first may be repeating a step the chain already took, possibly beyond
      // PayCA's replay window: it looks for the card and the top-up at PayCA before making them.
      const idempotency: { idempotency?: MoneyCallScope; reconcileFirst?: boolean } = chain
        ? { idempotency: { chain, task: `go-live/${stage.attempts}` }, reconcileFirst: workflowInfo().runId !== chain }
        : {};
      const smoke: SmokeTestEvidence = {};
      stage.evidence.smokeTests = smoke;
      const step = (what: string) => payca(`T go-live smoke test: ${what}`);
      // An earlier run whose issue answer was lost or broken past its retries may have left a card the
      // workflow never learned of: find each earlier run's card by its external reference and close it.
      if (stage.attempts > 1 && patched(CLOSE_EARLIER_TEST_CARDS_PATCH)) {
        // A run chain that went live before its cards were named by chain may have issued under the old names.
        const earlier = Array.from({ length: stage.attempts - 1 }, (_, i) =>
          chain ? [smokeCardRef(i + 1, chain), smokeCardRef(i + 1)] : [smokeCardRef(i + 1)],
        ).flat();
        const swept = await step('GET /v1/cards?externalRef= (close cards earlier runs left open)').closeEarlierTestCards({
          baseUrl: production,
          externalRefs: earlier,
        });
        smoke.earlierTestCards = swept.cards;
      }
      const health = await step('GET /health').checkHealth({ baseUrl: production });
      smoke.health = health;
      // PayCA's clock as the window opened: the manual authorization must not be older.
      if (stage.evidence.changeWindowOpenedAtPayca === undefined && 'time' in health) {
        stage.evidence.changeWindowOpenedAtPayca = health.time;
      }
      smoke.accounts = await step('GET /v2/accounts').readAccounts({ baseUrl: production, accountId: plan.smokeTest.accountId });
      const card = await payca('T go-live smoke test: POST /v1/cards (issue test card)', ACTING_CALL).issueTestCard({
        baseUrl: production,
        accountId: plan.smokeTest.accountId,
        currency: plan.smokeTest.currency,
        holderName: plan.smokeTest.holderName,
        externalRef: smokeCardRef(stage.attempts, chain),
        ...idempotency,
      });
      smoke.issueCard = card;
      compensations.push({ step: 'close-test-card', cardId: card.cardId });
      try {
        const topUp = await step('POST /v1/cards/{id}/topup').topUpTestCard({
          baseUrl: production,
          cardId: card.cardId,
          amount: plan.smokeTest.topUpAmount,
          currency: plan.smokeTest.currency,
          ...idempotency,
        });
        smoke.topUp = topUp;
        smoke.ledger = await step('GET /v1/ledger (verify top-up entry)').verifyLedger({
          baseUrl: production,
          cardId: card.cardId,
          transactionId: topUp.transactionId,
          amount: plan.smokeTest.topUpAmount,
        });
        const subscription = stageState('webhook-smoke-test').evidence.subscription;
        if (subscription && plan.webhook.events.includes('card.topup')) {
          smoke.topUpWebhook = await payca('T go-live smoke test: card.topup webhook delivered', {
            startToCloseTimeout: plan.webhook.deliveryTimeoutMs + 30_000,
            heartbeatTimeout: '30s',
          }).awaitWebhookDelivery({
            baseUrl: production,
            subscriptionId: subscription.subscriptionId,
            eventType: 'card.topup',
            since: topUp.startedAt,
            timeoutMs: plan.webhook.deliveryTimeoutMs,
          });
        } else {
          smoke.topUpWebhook = { skipped: 'the plan does not subscribe to card.topup' };
        }
      } finally {
        await closeOpenTestCards(smoke, chain);
      }
      return {
        problems: [],
        evidence: {
          manualAuthorizationStep:
            'POST /sandbox/transactions is not available in production: run one low-risk real authorization as approved and give its id with the go-live approval; the gate reads it at PayCA before it counts',
        },
      };
    },

    async debrief() {
      await takeDebriefShots(ctx);
      if (wantsDebriefPack(plan)) await assembleDebriefPack(ctx);
      return { problems: [], evidence: {} };
    },

    async 'fee-reconciliation'() {
      // Day 1 is the calendar day (UTC) go-live fell on, on the clock PayCA keeps.
      const date = stageState('go-live').dueAt.slice(0, 10);
      const { currency, tolerance } = plan.postLaunch.feeReconciliation;
      const currencies = feeCurrencies(plan);
      const result: FeeReconciliationResult = await payca(
        'T+24h day-1 fee reconciliation: metrics vs statement (Finance)',
      ).reconcileDayFees({
        baseUrl: production,
        date,
        currency,
        currencies,
        tolerance,
      });
      const requests = `statement request ${result.requestIds.statement}, metrics request ${result.requestIds.metrics}`;
      const problems = (feeRows(result) ?? [])
        .filter((row) => !row.matches)
        .map((row) => feeProblem(row, { date, tolerance, expected: currencies, requests }));
      return { problems, evidence: { feeReconciliation: result } };
    },
  };

  function smokeCardRef(attempt: number, chain?: string): string {
    return chain ? `${ctx.workflowId}-smoke-${chain}-${attempt}` : `${ctx.workflowId}-smoke-${attempt}`;
  }

  /** Closing a card is one operation whichever attempt closes it, so its key names the card. */
  async function closeOpenTestCards(smoke?: SmokeTestEvidence, chain?: string): Promise<void> {
    for (const pending of compensations.filter((c) => c.step === 'close-test-card')) {
      const closed = await payca('T go-live smoke test: POST /v1/cards/{id}/close').closeTestCard({
        baseUrl: production,
        cardId: pending.cardId,
        ...(chain ? { idempotency: { chain, task: `close-test-card/${pending.cardId}` } } : {}),
      });
      compensations.splice(compensations.indexOf(pending), 1);
      if (smoke) smoke.closeCard = closed;
    }
  }

  return checks;
}
