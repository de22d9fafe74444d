/**
 * The check a new cutover runs first, on a worker of the PayCA queue: does this worker allow every place
 * the plan would send credentials or have PayCA send signed events? `cutover start` waits for the answer,
 * so a plan naming a host the worker does not allow is refused at start with the reason, instead of
 * starting and holding at its first PayCA call. Each call still checks on its own (`payca-clients.ts`,
 * `webhooks.ts`): this check only answers earlier.
 */
import type { PaycaEnvironment } from '../payca/credentials.js';
import { webhookTargetsFrom, type WebhookTargets } from '../payca/allowed-targets.js';
import { checkTargetRefusal } from './http-check.js';
import type { PaycaClients } from './payca-clients.js';

export interface PlanTargetsInput {
  payca: { environment: PaycaEnvironment; baseUrl: string }[];
  webhookUrl: string;
  /** The plan's http-check tasks, which the worker asks under the webhook targets' rule. */
  checkUrls?: { task: string; url: string }[];
}

export interface PlanTargetRefusal {
  code: 'PAYCA_TARGET_NOT_ALLOWED' | 'WEBHOOK_TARGET_NOT_ALLOWED';
  message: string;
}

export interface PlanTargetActivityDeps {
  payca: PaycaClients;
  env?: NodeJS.ProcessEnv;
  webhookTargets?: WebhookTargets;
}

export function createPlanTargetActivities({ payca, env, webhookTargets }: PlanTargetActivityDeps) {
  const webhooks = webhookTargets ?? webhookTargetsFrom(env);
  return {
    /** Every refusal this worker would give the plan's targets; none means the plan may run here. */
    async checkPlanTargets(input: PlanTargetsInput): Promise<PlanTargetRefusal[]> {
      const refusals: PlanTargetRefusal[] = [];
      for (const { environment, baseUrl } of input.payca) {
        const message = payca.refusal(environment, baseUrl);
        if (message) refusals.push({ code: 'PAYCA_TARGET_NOT_ALLOWED', message });
      }
      const webhook = webhooks.refusal(input.webhookUrl);
      if (webhook) refusals.push({ code: 'WEBHOOK_TARGET_NOT_ALLOWED', message: webhook });
      for (const { task, url } of input.checkUrls ?? []) {
        const message = checkTargetRefusal(webhooks, task, url);
        if (message) refusals.push({ code: 'WEBHOOK_TARGET_NOT_ALLOWED', message });
      }
      return refusals;
    },
  };
}
