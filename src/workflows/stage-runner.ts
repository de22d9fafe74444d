/**
 * The stage runner: each stage waits for its time on the plan's clock, runs its check, keeps the evidence,
 * then passes or holds for the people who own it, escalating while it holds. The roll-back runs the owed
 * compensations, newest first. Waits and holds are safe points, where a full history is shed.
 */
import { allHandlersFinished, condition, isCancellation } from '@temporalio/workflow';
import type { StagePlan } from '../plan/schema.js';
import { ROLE_TITLES } from '../runbook/stages.js';
import { activityProblem } from './activity-proxies.js';
import { runCompensations } from './compensations.js';
import { milestone, stagePassedMilestone } from './milestones.js';
import type { CutoverContext } from './cutover-context.js';
import type { CutoverPhase, StageState } from './cutover-state.js';
import { runStageCheck, type CheckOutcome, type StageChecks } from './stage-checks.js';
import { addEscalation } from './state-bounds.js';
import { holdUntil } from './escalation-timer.js';
import { WORKFLOW_DECIDER } from './debrief-pack.js';

const MIN_ESCALATION_INTERVAL_MS = 15_000;

/** Raised inside a stage when the lead aborts; unwinds to the compensations. */
export class AbortRequested extends Error {}

/** A check cancelled because the lead aborted, as opposed to one that failed. */
export const cancelledByAbort = (ctx: CutoverContext, err: unknown) => ctx.abortRequested() && isCancellation(err);

export interface StageRunner {
  runStage(planned: StagePlan): Promise<void>;
  compensate(endsAs: CutoverPhase): Promise<void>;
}

export function createStageRunner(ctx: CutoverContext, checks: StageChecks): StageRunner {
  const { plan, status, timeScale, resumed, carried, compensations, compensationAnswer, retryRequested, boundedState } = ctx;
  const { abortRequested, readyToShed, shedHistory, nowIso, planNow, publish, setPhase, notify, stageState } = ctx;

  /** When a hold escalates next: a timeout after it began or after its latest escalation. */
  function nextEscalationMs(stage: StageState, timeoutMs: number): number {
    const since = Date.parse(stage.hold?.since ?? nowIso());
    const escalated = status.escalations.filter((e) => e.stage === stage.id).map((e) => Date.parse(e.at));
    return Math.max(since, ...escalated) + timeoutMs;
  }

  /**
   * Waits on a durable timer until the stage is due; an abort cuts the wait short. A wait is a safe point:
   * the run continues as new here when its history is full, and the next run waits for the same due time.
   */
  async function waitUntilDue(stage: StageState, planned: StagePlan): Promise<void> {
    // A stage already due goes straight to running: publishing `waiting` first would cost an upsert for nothing.
    if (ctx.leanApprovals && Date.parse(stage.dueAt) <= Date.now() && !abortRequested()) return;
    stage.status = 'waiting';
    setPhase('waiting', stage.id);
    for (;;) {
      const waitMs = Date.parse(stage.dueAt) - Date.now();
      if (waitMs <= 0) break;
      const woken = await condition(() => abortRequested() || readyToShed(), waitMs, {
        summary: `until ${stage.offset} ${stage.id} (${ROLE_TITLES[planned.owner]})`,
      });
      if (!woken || abortRequested()) break;
      await shedHistory();
    }
    if (abortRequested()) throw new AbortRequested();
  }

  /** Holds until the awaited roles approve, someone rejects or retries, or the lead aborts. Escalates on each timeout. */
  async function holdForPeople(stage: StageState, planned: StagePlan, resumedHold = false): Promise<'approved' | 'retry'> {
    const settled = () =>
      abortRequested() ||
      retryRequested.has(stage.id) ||
      (stage.status === 'holding' && (stage.hold?.awaiting.length ?? 0) === 0) ||
      (stage.id === 'debrief' && status.decision !== undefined);
    // A floor keeps a fast rehearsal from escalating every second to people who cannot answer that fast.
    const timeoutMs = Math.max(MIN_ESCALATION_INTERVAL_MS, planned.approvalTimeoutMs / timeScale);
    // A hold carried over from the previous run escalates when it would have there, not a full interval later.
    let waitMs = resumedHold ? Math.max(1_000, nextEscalationMs(stage, timeoutMs) - Date.now()) : timeoutMs;
    for (;;) {
      const waitingFor = stage.hold?.awaiting ?? [];
      const done = await holdUntil(
        () => settled() || readyToShed(),
        waitMs,
        { summary: `${stage.id} holds for ${waitingFor.map((r) => ROLE_TITLES[r]).join(', ') || 'a retry'}` },
        ctx.leanApprovals,
      );
      if (done && settled()) break;
      if (done) {
        await shedHistory();
        continue;
      }
      waitMs = timeoutMs;
      const people = waitingFor.flatMap((r) => plan.approvers[r] ?? []);
      addEscalation(status, { stage: stage.id, at: nowIso(), to: [...planned.escalateTo, ...people], waitingFor }, boundedState);
      publish();
      await notify(
        'escalation',
        `${plan.programme}: ${stage.offset} ${stage.id} has waited ${Math.round(planned.approvalTimeoutMs / 60_000)} min (plan time) for ${waitingFor.map((r) => ROLE_TITLES[r]).join(', ') || 'a retry'}: ${stage.hold?.reason ?? ''}`,
        [...planned.escalateTo, ...people],
      );
    }
    if (abortRequested()) throw new AbortRequested();
    if (retryRequested.has(stage.id)) {
      retryRequested.delete(stage.id);
      return 'retry';
    }
    return 'approved';
  }

  async function runStage(planned: StagePlan): Promise<void> {
    const stage = stageState(planned.id);
    if (resumed && stage.status === 'passed') return;
    // The previous run continued as new while this stage held: hold again, without re-running its check.
    const resumedHold = resumed && stage.hold !== undefined && (stage.status === 'holding' || stage.status === 'rejected');
    if (!resumedHold) {
      await waitUntilDue(stage, planned);
      stage.startedAt = nowIso();
    }
    for (let first = true; ; first = false) {
      if (first && resumedHold) {
        setPhase('holding', stage.id);
        const next = await holdForPeople(stage, planned, true);
        if (next === 'retry') continue;
        break;
      }
      stage.attempts += 1;
      stage.status = 'running';
      stage.problems = [];
      stage.error = undefined;
      stage.hold = undefined;
      setPhase('running', stage.id);
      let outcome: CheckOutcome;
      try {
        outcome = await runStageCheck(checks, stage);
      } catch (err) {
        if (err instanceof AbortRequested) throw err;
        const problem = activityProblem(err);
        stage.error = problem;
        outcome = {
          problems: [`${problem.type}: ${problem.message}${problem.requestId ? ` (request ${problem.requestId})` : ''}`],
          evidence: {},
        };
      }
      Object.assign(stage.evidence, outcome.evidence, { lastCheckAt: nowIso(), lastCheckPlanTime: planNow() });
      stage.problems = outcome.problems;
      if (abortRequested()) throw new AbortRequested();

      // The plan's automatic roll-back decided at the debrief's check: nobody is left to hold for.
      if (stage.id === 'debrief' && status.decision?.by === WORKFLOW_DECIDER) break;
      const awaiting = new Set(planned.gate);
      if (outcome.problems.length > 0 || stage.id === 'debrief') awaiting.add(planned.owner);
      if (awaiting.size === 0) break;

      stage.status = 'holding';
      stage.hold = {
        reason:
          stage.id === 'debrief'
            ? 'the programme lead decides: roll-forward or roll-back'
            : outcome.problems.length > 0
              ? outcome.problems.join('; ')
              : `${stage.id} is gated: ${[...awaiting].map((r) => ROLE_TITLES[r]).join(' and ')} must approve`,
        awaiting: stage.id === 'debrief' ? ['lead'] : [...awaiting],
        since: nowIso(),
      };
      setPhase('holding', stage.id);
      const awaited = stage.hold.awaiting.map((r) => `${ROLE_TITLES[r]} (${(plan.approvers[r] ?? []).join(', ')})`).join(' and ');
      await notify(
        'approvers',
        `${plan.programme}: ${stage.offset} ${stage.id} holds for ${awaited}: ${stage.hold.reason}`,
        undefined,
        awaited,
      );
      if (stage.id === 'go-live' && outcome.problems.length === 0) await milestone(ctx, 'goNoGo', { awaiting: awaited });
      const next = await holdForPeople(stage, planned);
      if (next === 'retry') continue;
      break;
    }
    stage.hold = undefined;
    stage.status = 'passed';
    stage.finishedAt = nowIso();
    publish();
    await stagePassedMilestone(ctx, stage);
  }

  async function compensate(endsAs: CutoverPhase): Promise<void> {
    setPhase('compensating');
    await runCompensations({
      // A step held for Engineering can wait for hours: the run may continue as new there too.
      shedding: {
        ready: () => ctx.shedsHistory && allHandlersFinished() && ctx.notices.idle() && ctx.historyFull() !== undefined,
        shed: () => shedHistory(endsAs),
      },
      ...(carried?.compensatingAs && { resumeHeld: { onStillHeld: () => setPhase('holding') } }),
      plan,
      pending: compensations,
      records: status.compensations,
      answer: compensationAnswer,
      onHold: async (record) => {
        setPhase('holding');
        await notify(
          'approvers',
          `${plan.programme}: roll-back step ${record.step} holds for Engineering (${(plan.approvers.engineering ?? []).join(', ')}): ${record.reason ?? ''}. ` +
            `Retry it with \`cutover compensation retry ${ctx.workflowId} ${record.step} --as NAME\` or, once done by hand, ` +
            `\`cutover compensation done ${ctx.workflowId} ${record.step} --evidence TEXT --as NAME\``,
          [...(plan.approvers.engineering ?? [])],
        );
      },
      onResume: () => setPhase('compensating'),
    });
  }

  return { runStage, compensate };
}
