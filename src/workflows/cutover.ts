/**
 * The production cutover: the runbook's launch timeline from T-24h to the T+2h debrief as one durable
 * workflow. Each stage waits for its time, runs its check, keeps the evidence, then passes or holds for
 * the people who own it. Roll-back and abort undo what this run changed, newest first.
 *
 * This file is the timeline at a glance. The parts it is made of each take the run's one context
 * (cutover-context.ts): message handlers (message-handlers.ts), stage checks (stage-checks.ts), the
 * stage runner and roll-back (stage-runner.ts), automated readiness items (readiness-runner.ts), and
 * after roll-forward the watch, fee reconciliation and reminders (post-launch.ts). The plan's clock
 * (plan-clock.ts) is shared with the watch.
 */
import { ApplicationFailure, CancellationScope, allHandlersFinished, condition, patched, setHandler } from '@temporalio/workflow';
import { withCancellationAsWayOut } from './cancellation.js';
import { endWatchOnWayOut } from './watch-way-out.js';
import { FAILURE_TYPES } from '../errors.js';
import { TIMELINE_STAGE_IDS } from '../runbook/stages.js';
import { settled } from './checklist-rules.js';
import { createCutoverContext, type CutoverContext } from './cutover-context.js';
import { checkEmailAtStart } from './email-readiness.js';
import type { CutoverInput, CutoverPhase, CutoverStatus } from './cutover-state.js';
import { registerMessageHandlers } from './message-handlers.js';
import { milestone } from './milestones.js';
import { runPostLaunch } from './post-launch.js';
import { runReadiness } from './readiness-runner.js';
import { createStageChecks } from './stage-checks.js';
import { openLiveWindow, watchesFromGoLive } from './live-window.js';
import { AbortRequested, cancelledByAbort, createStageRunner } from './stage-runner.js';
import { answerTargetCheck, checkTargetsAtStart, targetCheckUpdate } from './target-check.js';
import { createForecaster } from './task-forecast.js';
import { createTaskRunner } from './task-runner.js';

export async function cutoverWorkflow(input: CutoverInput): Promise<CutoverStatus> {
  const opened: { ctx?: CutoverContext } = {};
  try {
    return await withCancellationAsWayOut(() => runCutover(input, opened));
  } catch (err) {
    // Every way out but continuing as new ends the watch, which would otherwise outlive the cutover.
    if (opened.ctx) await endWatchOnWayOut(opened.ctx, err);
    throw err;
  }
}

async function runCutover(input: CutoverInput, opened: { ctx?: CutoverContext }): Promise<CutoverStatus> {
  const { timeScale } = input;
  const goLiveMs = Date.parse(input.goLive);
  if (!Number.isFinite(goLiveMs)) {
    throw ApplicationFailure.nonRetryable(`go-live "${input.goLive}" is not a time`, FAILURE_TYPES.INVALID_INPUT);
  }
  if (!(timeScale >= 1)) {
    throw ApplicationFailure.nonRetryable(`time scale ${timeScale} must be 1 or more`, FAILURE_TYPES.INVALID_INPUT);
  }

  const ctx = createCutoverContext(input, goLiveMs);
  opened.ctx = ctx;
  const { plan, status, carried, flags, nowIso, publish, setPhase, notify, notices, stageState, abortRequested } = ctx;

  registerMessageHandlers(ctx);
  setHandler(targetCheckUpdate, () => answerTargetCheck(status), { description: "Answers once the worker has checked the plan's targets" });

  const checks = createStageChecks({
    plan,
    workflowId: ctx.workflowId,
    status,
    compensations: ctx.compensations,
    stageState,
    notify,
    planNow: ctx.planNow,
    nowIso,
    sideWork: (work) => notices.track(work),
  });
  const { runStage, compensate } = createStageRunner(ctx, checks);
  // Only a plan with tasks takes this path, so cutovers started without tasks replay as they ran.
  const taskRunner = createTaskRunner(ctx);

  // Before anything runs: a plan whose targets the worker refuses ends here, aborted by the worker.
  if (await checkTargetsAtStart(ctx)) {
    taskRunner?.skipAll("not run: the worker refused the plan's targets at start");
    await condition(allHandlersFinished);
    return status;
  }

  /**
   * Checks in flight, readiness and the running stage alike, run in one scope that an abort cancels, so
   * undoing starts within seconds instead of after every check has spent its retry budget.
   */
  const inFlight = new CancellationScope();
  void condition(abortRequested).then(() => {
    if (patched('abort-cancels-checks-in-flight')) inFlight.cancel();
  });
  checkEmailAtStart(ctx);
  const readinessRuns = runReadiness(ctx, inFlight);
  const liveWindow = watchesFromGoLive(ctx) ? openLiveWindow(ctx) : undefined;
  let tasksOver = false;
  const tasksRun =
    taskRunner && !carried?.compensatingAs
      ? inFlight
          .run(() => {
            const goLive = ctx.stageState('go-live');
            const forecaster = createForecaster(
              ctx,
              () => taskRunner.finished() && (tasksOver || !['pending', 'waiting'].includes(goLive.status)),
            );
            return Promise.all([taskRunner.run(), forecaster.run()]);
          })
          .catch((err: unknown) => {
            if (!cancelledByAbort(ctx, err)) throw err;
          })
      : undefined;

  // ---------- the timeline ----------

  publish();
  if (!ctx.resumed) await milestone(ctx, 'cutoverStarted', { startedBy: input.startedBy });
  let finalPhase: CutoverPhase = carried?.compensatingAs ?? 'completed';
  try {
    // A run that continued while a roll-back step held goes straight back to the roll-back.
    if (!carried?.compensatingAs) {
      await inFlight.run(async () => {
        for (const id of TIMELINE_STAGE_IDS) {
          const planned = plan.stages.find((s) => s.id === id);
          if (!planned) continue;
          await taskRunner?.stageMayStart(id);
          await runStage(planned);
        }
      });
    }
    if (status.decision?.decision === 'roll-back') finalPhase = 'rolled-back';
  } catch (err) {
    if (!(err instanceof AbortRequested) && !cancelledByAbort(ctx, err)) throw err;
    const current = status.currentStage ? stageState(status.currentStage) : undefined;
    if (current && current.status !== 'passed') {
      current.status = 'failed';
      current.hold = undefined;
      current.finishedAt = nowIso();
    }
    finalPhase = 'aborted';
  }
  // Tasks not finished when the timeline ends are skipped: they belong to the launch timeline.
  if (taskRunner) {
    taskRunner.close(finalPhase === 'completed' ? 'the launch timeline ended at the debrief' : `the cutover ${finalPhase}`);
    tasksOver = true;
    await tasksRun;
  }
  // Checks still running finish first, so the compensations know everything they changed.
  flags.timelineOver = true;
  await readinessRuns;
  await liveWindow?.running;
  if (finalPhase === 'completed') {
    await runPostLaunch(ctx, runStage);
  } else {
    for (const stage of status.stages) if (stage.status === 'pending') stage.status = 'skipped';
    for (const item of status.checklist) {
      if (item.postLaunch && !settled(item)) {
        Object.assign(item, { status: 'waived', waivedBy: 'cutover', reason: `not needed: the cutover ${finalPhase}`, at: nowIso() });
      }
    }
    await liveWindow?.end(finalPhase);
    await compensate(finalPhase);
  }
  status.finishedAt = nowIso();
  setPhase(finalPhase);
  await notify(
    'outcome',
    `${plan.programme}: cutover ${finalPhase}` +
      (status.decision ? ` — ${status.decision.decision} by ${status.decision.by}: ${status.decision.reason}` : '') +
      (status.abort ? ` — aborted by ${status.abort.by}: ${status.abort.reason}` : '') +
      (status.watch
        ? ` — watch ${status.watch.status}, ${status.watch.alerts.length} alert(s), ${status.watch.summaries.length} summaries`
        : ''),
  );
  await notices.settle();
  await condition(allHandlersFinished);
  return status;
}
