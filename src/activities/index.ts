/**
 * Activities, built from injected clients. PayCA activities run on their own task queue so that a
 * server-side rate cap covers every worker together; the rest run beside the workflow.
 */
import type { Client } from '@temporalio/client';
import { createConfigDiffActivities } from './config-diff.js';
import { createFundingCheckActivities } from './funding-check.js';
import { createNotifyActivities, type NotifyDeps } from './notify.js';
import type { PaycaClients } from './payca-clients.js';
import { createSandboxJobActivities } from './sandbox-jobs.js';
import { createSmokeTestActivities } from './smoke-tests.js';
import { createWebhookActivities } from './webhooks.js';

export function createPaycaActivities(deps: { payca: PaycaClients }) {
  return {
    ...createConfigDiffActivities(deps),
    ...createFundingCheckActivities(deps),
    ...createWebhookActivities(deps),
    ...createSmokeTestActivities(deps),
  };
}

export function createCutoverActivities(deps: { temporal: Client; notify?: NotifyDeps; fetch?: typeof fetch }) {
  return {
    ...createSandboxJobActivities({ temporal: deps.temporal, fetch: deps.fetch }),
    ...createNotifyActivities(deps.notify),
  };
}

export type PaycaActivities = ReturnType<typeof createPaycaActivities>;
export type CutoverActivities = ReturnType<typeof createCutoverActivities>;

export { createPaycaClients, type PaycaClients } from './payca-clients.js';
export type { ConfigDiffResult } from './config-diff.js';
export type { FundingCheckResult } from './funding-check.js';
export type { JobPriorState } from './sandbox-jobs.js';
