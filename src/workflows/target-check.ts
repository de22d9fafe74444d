/**
 * Before anything else, a new cutover asks a worker of the PayCA queue whether it allows every place the
 * plan would send credentials or have PayCA send signed events. A refusal ends the cutover at its start,
 * aborted by the worker with the reason, before any readiness check or stage runs. `cutover start` waits
 * for the answer through the `target-check` update, so the person starting a plan the worker refuses is
 * told at once. Each PayCA call still checks on its own: this check answers earlier, it does not replace them.
 */
import { condition, defineUpdate, patched, proxyActivities } from '@temporalio/workflow';
import type { PaycaActivities, PlanTargetRefusal } from '../activities/index.js';
import type { CutoverPlan } from '../plan/schema.js';
import { activityProblem } from './activity-proxies.js';
import type { CutoverContext } from './cutover-context.js';
import type { CutoverStatus } from './cutover-state.js';
import { PAYCA_TASK_QUEUE } from './messages.js';

/** Cutovers started before the check run without it, as they did. */
export const TARGET_CHECK_PATCH = 'start-target-check';

export interface TargetCheck {
  /** `unchecked`: no worker could answer (an older worker, or one that failed); each call still checks. */
  state: 'checking' | 'passed' | 'refused' | 'unchecked';
  at?: string;
  refusals?: PlanTargetRefusal[];
  why?: string;
}

/** Answers once the worker has checked the plan's targets (at once for a cutover that never checks). */
export const targetCheckUpdate = defineUpdate<TargetCheck>('target-check');

const checks = proxyActivities<Pick<PaycaActivities, 'checkPlanTargets'>>({
  taskQueue: PAYCA_TASK_QUEUE,
  // No schedule-to-close limit: the check waits for a PayCA worker, as every stage after it would.
  startToCloseTimeout: '20s',
  retry: { initialInterval: '1s', maximumInterval: '5s', maximumAttempts: 3 },
  summary: "the worker checks it allows the plan's PayCA and webhook targets",
});

/**
 * In a new run (not one continuing an earlier), checks the plan's targets; on a refusal ends the cutover's
 * state as aborted by the worker, nothing run, and answers true.
 */
export async function checkTargetsAtStart(ctx: CutoverContext): Promise<boolean> {
  if (ctx.resumed || !patched(TARGET_CHECK_PATCH)) return false;
  const { status, nowIso } = ctx;
  const checked = await checkPlanTargets(ctx.plan, status);
  if (checked.state !== 'refused') {
    ctx.publish();
    return false;
  }
  status.abort = { by: 'worker', reason: refusedTargetsReason(checked.refusals ?? []), at: nowIso() };
  for (const stage of status.stages) stage.status = 'skipped';
  status.finishedAt = nowIso();
  ctx.setPhase('aborted');
  return true;
}

/** Runs the check and keeps its answer in `status.targetCheck`. */
async function checkPlanTargets(plan: CutoverPlan, status: CutoverStatus): Promise<TargetCheck> {
  status.targetCheck = { state: 'checking' };
  try {
    const refusals = await checks.checkPlanTargets({
      payca: [
        { environment: 'production', baseUrl: plan.payca.production.baseUrl },
        { environment: 'sandbox', baseUrl: plan.payca.sandbox.baseUrl },
      ],
      webhookUrl: plan.webhook.url,
      ...(plan.tasks?.some((t) => t.check) && {
        checkUrls: plan.tasks.flatMap((t) => (t.check ? [{ task: t.id, url: t.check.url }] : [])),
      }),
    });
    const at = new Date().toISOString();
    status.targetCheck = refusals.length > 0 ? { state: 'refused', at, refusals } : { state: 'passed', at };
  } catch (err) {
    status.targetCheck = { state: 'unchecked', at: new Date().toISOString(), why: activityProblem(err).message };
  }
  return status.targetCheck;
}

/** The update's answer: waits while the check runs. */
export async function answerTargetCheck(status: CutoverStatus): Promise<TargetCheck> {
  await condition(() => status.targetCheck?.state !== 'checking');
  return status.targetCheck ?? { state: 'unchecked', why: 'this cutover began before cutovers checked their targets at start' };
}

/** What the abort record says when the worker refused the plan's targets. */
function refusedTargetsReason(refusals: PlanTargetRefusal[]): string {
  return `ended at its start: the worker refused the plan's targets before any call (${refusals.map((r) => `${r.code}: ${r.message}`).join('; ')})`;
}
