/**
 * The debrief's data pack, assembled when the T+2h debrief is due: PayCA's figures from T to now, the
 * watch's alerts, the incidents people reported, the go-live smoke-test evidence, and each rule of the
 * plan's debrief section judged (debrief-rules.ts). The lead decides with it; a failed critical rule under
 * `debrief.autoRollBack` rolls back without a person, recorded as decided by `workflow` and told to everyone.
 */
import { patched } from '@temporalio/workflow';
import { formatOffset } from '../plan/duration.js';
import { activityProblem, paycaActivities } from './activity-proxies.js';
import type { StageContext } from './stage-checks.js';
import { failedCritical, judgeRule, packLines, recommend, type DebriefPack } from './debrief-rules.js';

export const DEBRIEF_PACK_PATCH = 'debrief-data-pack';

/** The person-like name a decision the workflow took on its own is recorded under. */
export const WORKFLOW_DECIDER = 'workflow';

/** Only plans that ask for it (debrief rules, or a watch from T) get the pack, so other cutovers keep their histories. */
export const wantsDebriefPack = (plan: StageContext['plan']) =>
  (plan.debrief !== undefined || plan.postLaunch.watch.fromGoLive === true) && patched(DEBRIEF_PACK_PATCH);

export async function assembleDebriefPack(ctx: StageContext): Promise<DebriefPack> {
  const { plan, status, stageState, nowIso, planNow, notify } = ctx;
  const goLive = stageState('go-live');
  const { alerts } = plan.postLaunch;
  const pack: DebriefPack = {
    at: nowIso(),
    fromPlan: status.goLive,
    toPlan: planNow(),
    expectations: {
      webhookFailureRate: alerts.webhookFailureRate,
      ...(alerts.declineRate.baseline !== undefined && {
        declineRate: { expected: alerts.declineRate.baseline, margin: alerts.declineRate.margin },
      }),
      rateLimitedPerInterval: alerts.rateLimited.limit,
    },
    alerts: (status.watch?.alerts ?? []).filter((a) => a.openedPlanAt >= status.goLive),
    incidents: status.incidents.filter((i) => i.source === 'person' && i.at >= goLive.dueAt),
    smokeTests: [
      ...Object.entries(goLive.evidence.smokeTests ?? {}).map(([step, value]) => {
        const requestId = (value as { requestId?: unknown } | undefined)?.requestId;
        return { step, ...(typeof requestId === 'string' && { requestId }) };
      }),
      ...(goLive.evidence.manualAuthorization
        ? [{ step: `manual authorization ${goLive.evidence.manualAuthorization.authorizationId}` }]
        : []),
    ],
    rules: [],
    recommendation: { decision: 'roll-forward', reason: '' },
  };
  try {
    const reading = await paycaActivities(plan.paycaRetryBudgetMs, 'T+2h debrief: metrics from T (Programme lead)').readWatchMetrics({
      baseUrl: plan.payca.production.baseUrl,
      fromIso: goLive.dueAt,
      toIso: pack.at,
    });
    pack.figures = reading.metrics;
    pack.figuresRequestId = reading.requestIds[0];
  } catch (err) {
    const problem = activityProblem(err);
    pack.figuresProblem = `${problem.type}: ${problem.message}${problem.requestId ? ` (request ${problem.requestId})` : ''}`;
  }
  const facts = { figures: pack.figures, alerts: pack.alerts, incidents: pack.incidents, declineBaseline: alerts.declineRate.baseline };
  pack.rules = (plan.debrief?.rules ?? []).map((rule) => judgeRule(rule, facts));
  pack.recommendation = recommend(pack.rules);
  status.debrief = pack;

  const critical = failedCritical(pack.rules);
  const at = formatOffset(Date.parse(pack.toPlan) - Date.parse(status.goLive));
  if (plan.debrief?.autoRollBack && critical.length > 0 && status.decision === undefined) {
    pack.autoRollBack = { rules: critical.map((r) => r.rule) };
    const reason = `critical rule(s) failed: ${critical.map((r) => `${r.rule} (${r.finding})`).join('; ')}`;
    status.decision = { decision: 'roll-back', by: WORKFLOW_DECIDER, reason: reason.slice(0, 1_000), at: nowIso() };
    const everyone = [...new Set(Object.values(plan.approvers).flat())];
    await notify(
      'outcome',
      `${plan.programme}: ${at} debrief — the workflow rolls back without waiting for a person, as the plan asks (debrief.autoRollBack): ${reason}`,
      everyone,
      'everyone',
    );
  } else {
    await notify('approvers', `${plan.programme}: ${at} debrief pack — ${packLines(pack).join(' | ')}`, plan.approvers.lead ?? []);
  }
  return pack;
}
