/**
 * Activities, built from injected clients. PayCA activities run on their own task queue, shared by every
 * worker, whose activity rate the server caps; each PayCA call also takes a permit from the worker's own
 * call limiter (docs/payca-rate.md). The rest run beside the workflow.
 */
import type { Client } from '@temporalio/client';
import { createConfigDiffActivities } from './config-diff.js';
import { createDashboardShotActivities, type DashboardShotDeps } from './dashboard-shots.js';
import { createFundingCheckActivities } from './funding-check.js';
import { createHttpCheckActivities } from './http-check.js';
import { createManualAuthorizationActivities } from './manual-authorization.js';
import { createNotifyActivities, type NotifyDeps } from './notify.js';
import { createFeeReconciliationActivities } from './post-launch/fee-reconciliation.js';
import { createWatchMetricsActivities } from './post-launch/watch-metrics.js';
import type { PaycaClients } from './payca-clients.js';
import { createPlanTargetActivities } from './plan-targets.js';
import { createBinCatalogueActivities } from './readiness/bin-catalogue.js';
import { createCicdEnvActivities, type WorkerCredentials } from './readiness/cicd-env.js';
import { createCredentialsCheckActivities } from './readiness/credentials-check.js';
import { createSeedCardActivities } from './readiness/seed-cards.js';
import { createWebhookTlsActivities } from './readiness/webhook-tls.js';
import type { PaycaCredentials, PaycaEnvironment } from '../payca/credentials.js';
import { webhookTargetsFrom, type WebhookTargets } from '../payca/allowed-targets.js';
import { createSandboxJobActivities } from './sandbox-jobs.js';
import { createSmokeTestActivities } from './smoke-tests.js';
import { createWebhookActivities } from './webhooks.js';

export interface PaycaActivityDeps {
  payca: PaycaClients;
  /** The same credential sources `payca` was built from, for the readiness check that they are present. */
  env?: NodeJS.ProcessEnv;
  credentials?: Partial<Record<PaycaEnvironment, PaycaCredentials>>;
  /** Where the webhook smoke test may have PayCA send signed events; by default `CUTOVER_WEBHOOK_URLS` from `env`. */
  webhookTargets?: WebhookTargets;
}

export function createPaycaActivities(deps: PaycaActivityDeps) {
  // One reading of CUTOVER_WEBHOOK_URLS for the start's target check and the webhook smoke test alike.
  const withTargets = { ...deps, webhookTargets: deps.webhookTargets ?? webhookTargetsFrom(deps.env) };
  return {
    ...createPlanTargetActivities(withTargets),
    ...createConfigDiffActivities(deps),
    ...createFundingCheckActivities(deps),
    ...createWebhookActivities(withTargets),
    ...createSmokeTestActivities(deps),
    ...createManualAuthorizationActivities(deps),
    ...createCredentialsCheckActivities(deps),
    ...createBinCatalogueActivities(deps),
    ...createSeedCardActivities(deps),
    ...createWatchMetricsActivities(deps),
    ...createFeeReconciliationActivities(deps),
  };
}

export function createCutoverActivities(deps: {
  temporal: Client;
  notify?: NotifyDeps;
  fetch?: typeof fetch;
  /** Extra CAs the webhook TLS check trusts, e.g. a private CA in front of the endpoint. */
  caCertificates?: string[];
  /** The PayCA credentials the worker holds, for the CI/CD check to tell whether a pipeline's secret is the right one. */
  workerCredentials?: WorkerCredentials;
  dashboardShots?: DashboardShotDeps;
}) {
  return {
    ...createSandboxJobActivities({ temporal: deps.temporal, fetch: deps.fetch }),
    ...createNotifyActivities(deps.notify),
    ...createCicdEnvActivities({ workerCredentials: deps.workerCredentials }),
    ...createWebhookTlsActivities({ caCertificates: deps.caCertificates }),
    ...createDashboardShotActivities(deps.dashboardShots),
    ...createHttpCheckActivities(),
  };
}

export type PaycaActivities = ReturnType<typeof createPaycaActivities>;
export type CutoverActivities = ReturnType<typeof createCutoverActivities>;

export { createPaycaClients, type PaycaClients } from './payca-clients.js';
export type { ConfigDiffResult } from './config-diff.js';
export type { PlanTargetRefusal, PlanTargetsInput } from './plan-targets.js';
export type { FundingCheckResult } from './funding-check.js';
export type { AuthorizationVerdict, VerifiedAuthorization } from './manual-authorization.js';
export type { FeeReconciliationResult } from './post-launch/fee-reconciliation.js';
export type { JobPriorState } from './sandbox-jobs.js';
