/**
 * After roll-forward: the post-launch watch (a child workflow, found again by id in a run that continued
 * while it ran), the lead's decisions forwarded to it, the day-1 fee reconciliation, and reminders for
 * the post-launch readiness items, then the wait until every one of them settles.
 */
import { condition, ContinueAsNew, getExternalWorkflowHandle, log, ParentClosePolicy, patched, uuid4 } from '@temporalio/workflow';
import { formatOffset } from '../plan/duration.js';
import type { StagePlan } from '../plan/schema.js';
import { FEE_RECONCILIATION_ITEM_ID, WATCH_ITEM_ID } from '../runbook/readiness-items.js';
import { POST_LAUNCH_STAGE_IDS } from '../runbook/stages.js';
import { settled } from './checklist-rules.js';
import type { CutoverContext } from './cutover-context.js';
import type { ChecklistItemState } from './cutover-state.js';
import type { WatchItemEvidence } from './readiness-checks.js';
import { watchControlSignal, watchWorkflowId, type Linked, type WatchDecision, type WatchResult } from './watch-protocol.js';
import { markdownInline } from './markdown-text.js';
import { recordDashboardShots } from './dashboard-shots.js';
import { currentApprovals } from './message-rules.js';
import { watchEndedMilestone } from './milestones.js';
import { startWatchChild } from './watch-start.js';
import { firstWatchInput } from './watch-input.js';

/**
 * The watch is started with parent-close policy ABANDON, so the cutover may continue as new while it runs:
 * the next run reaches it by workflow id and learns its result by message. Runs started before keep a
 * watch that ends with its parent and do not continue as new after roll-forward.
 */
export const WATCH_OUTLIVES_RUN_PATCH = 'watch-outlives-cutover-run';

/** The watch's result, taken once: from the child's completion in the run that started it, or from its message. */
export function applyWatchResult(ctx: CutoverContext, result: WatchResult): void {
  const { status, nowIso, publish, checklistItem } = ctx;
  const watch = status.watch;
  if (!watch || watch.finishedAt !== undefined) return;
  Object.assign(watch, {
    status: result.status,
    endsPlanAt: result.endsPlanAt,
    endsAt: new Date(ctx.clock.dueAtMs(Date.parse(result.endsPlanAt))).toISOString(),
    alerts: result.alerts,
    summaries: result.summaries,
    reads: result.reads,
    runs: result.runs,
    finishedAt: nowIso(),
  });
  const item = checklistItem(WATCH_ITEM_ID);
  if (item && !settled(item)) {
    Object.assign(item, {
      status: 'done',
      at: nowIso(),
      completedBy: 'post-launch watch',
      evidence: {
        watch: result.status,
        reads: result.reads,
        summaries: result.summaries.length,
        alerts: result.alerts.length,
        stillOpen: result.alerts.filter((a) => !a.recoveredAt).map((a) => a.id),
        endedEarly: result.endedEarly,
      } satisfies WatchItemEvidence,
    });
  }
  publish();
}

/**
 * Starts the watch (or, in a run that continued while it ran, finds it by id), runs the day-1 fee
 * reconciliation and waits for the post-launch items to settle.
 */
export async function runPostLaunch(ctx: CutoverContext, runStage: (planned: StagePlan) => Promise<void>): Promise<void> {
  const {
    plan,
    status,
    flags,
    watchControls,
    goLiveMs,
    nowIso,
    publish,
    setPhase,
    notify,
    stageState,
    checklistItem,
    readyToShed,
    shedHistory,
  } = ctx;
  const { dueAtMs, planNowMs } = ctx.clock;
  const workflowId = watchWorkflowId(ctx.workflowId);
  // A run that continued while the watch ran carries the watch in its state: the watch is not started again.
  const resumedWatch = status.watch !== undefined;
  flags.watchOutlivesRun = resumedWatch || (ctx.shedsHistory && patched(WATCH_OUTLIVES_RUN_PATCH));
  try {
    await watchAfterRollForward(workflowId, resumedWatch);
  } catch (err) {
    // A cutover that ends for any other reason than continuing as new takes its watch with it.
    if (flags.watchOutlivesRun && !(err instanceof ContinueAsNew) && status.watch?.finishedAt === undefined) {
      await getExternalWorkflowHandle(workflowId).cancel();
    }
    throw err;
  }

  /** Starts the watch as this run's child: one that outlives the run under WATCH_OUTLIVES_RUN_PATCH. */
  async function startWatch(
    workflowId: string,
  ): Promise<{ signal: (decision: WatchDecision & Linked) => Promise<void>; result: () => Promise<WatchResult> }> {
    const { postLaunch } = plan;
    const startPlanMs = planNowMs();
    const endsPlanMs = Math.max(goLiveMs + postLaunch.watch.windowMs, startPlanMs + postLaunch.watch.intervalMs);
    status.watch = {
      workflowId,
      status: 'watching',
      startedAt: nowIso(),
      startedPlanAt: new Date(startPlanMs).toISOString(),
      endsPlanAt: new Date(endsPlanMs).toISOString(),
      endsAt: new Date(dueAtMs(endsPlanMs)).toISOString(),
      decisions: [],
      alerts: [],
      summaries: [],
      reads: 0,
      runs: 1,
    };
    setPhase('watching');
    const watchInput = firstWatchInput(ctx, { startPlanMs, endsPlanMs });
    if (ctx.linkedWatchMessages) {
      flags.watchLink = uuid4();
      watchInput.link = flags.watchLink;
    }
    if (flags.watchOutlivesRun) watchInput.reportsFinish = true;
    const watch = await startWatchChild(watchInput, {
      workflowId,
      parentClosePolicy: flags.watchOutlivesRun ? ParentClosePolicy.ABANDON : ParentClosePolicy.TERMINATE,
      // Rendered as Markdown by the UI; metadata is not part of what a replay compares.
      staticSummary: `${markdownInline(plan.programme)}: post-launch watch until ${formatOffset(endsPlanMs - goLiveMs)}`,
    });
    await notify(
      'monitoring-room',
      `${plan.programme}: rolled forward; the post-launch watch runs until ${formatOffset(endsPlanMs - goLiveMs)} with alerts on webhook failures, low balances, ErrRateLimited spikes and decline-rate shifts`,
      undefined,
      plan.notifications.monitoringRoom,
    );
    return { signal: (decision) => watch.signal(watchControlSignal, decision), result: () => watch.result() };
  }

  async function watchAfterRollForward(workflowId: string, resumedWatch: boolean): Promise<void> {
    let watchSignals: { signal: (decision: WatchDecision & Linked) => Promise<void>; result?: () => Promise<WatchResult> };
    if (resumedWatch) {
      const external = getExternalWorkflowHandle(workflowId);
      watchSignals = { signal: (decision) => external.signal(watchControlSignal, decision) };
    } else {
      watchSignals = await startWatch(workflowId);
    }

    let watchOver = status.watch?.finishedAt !== undefined;
    const forwardControls = async () => {
      for (;;) {
        await condition(() => watchControls.length > 0 || watchOver);
        const next = watchControls.shift();
        if (!next) return;
        flags.forwardingControl = true;
        try {
          await watchSignals.signal({ ...next, link: flags.watchLink });
        } catch (err) {
          // Accepted just as the watch ended by itself: there is nothing left to end or extend.
          log.warn('watch decision arrived after the watch ended', { decision: next.kind, error: String(err) });
        } finally {
          flags.forwardingControl = false;
        }
      }
    };
    const awaitWatch = async () => {
      const endedBefore = watchOver;
      if (watchSignals.result) {
        const fromChild = watchSignals.result().then((result) => applyWatchResult(ctx, result));
        // A watch that outlives this run also sends its result; whichever comes first counts.
        await (flags.watchOutlivesRun ? Promise.race([fromChild, condition(() => status.watch?.finishedAt !== undefined)]) : fromChild);
      } else {
        await condition(() => status.watch?.finishedAt !== undefined);
      }
      watchOver = true;
      // A run continued after the watch ended has nothing new to picture or announce.
      if (!endedBefore) {
        await recordDashboardShots(ctx, 'watch-end');
        publish();
        await watchEndedMilestone(ctx);
      }
    };
    const reconcile = async () => {
      for (const id of POST_LAUNCH_STAGE_IDS) {
        const planned = plan.stages.find((s) => s.id === id);
        if (planned) await runStage(planned);
      }
      const stage = stageState('fee-reconciliation');
      const item = checklistItem(FEE_RECONCILIATION_ITEM_ID);
      if (item && !settled(item)) {
        const accepted = currentApprovals(stage);
        Object.assign(item, {
          status: 'done',
          at: nowIso(),
          completedBy: accepted.length ? accepted.map((a) => a.by).join(', ') : 'fee-reconciliation stage',
          evidence: stage.evidence.feeReconciliation,
        });
      }
      publish();
    };
    let postLaunchOver = false;
    const postLaunchItems = status.checklist.filter((item) => item.postLaunch && item.kind === 'attested');
    const remind = async (item: ChecklistItemState) => {
      const dueMs = Date.parse(item.postLaunch?.dueAt ?? status.goLive);
      const owners = plan.approvers[item.owner] ?? [];
      const done = () => settled(item) || postLaunchOver;
      // An earlier run of this cutover may have sent the reminder, or the overdue notice too: not twice.
      if (item.postLaunch?.overdueAt !== undefined) return;
      if (item.postLaunch?.remindedAt === undefined) {
        const remindInMs = dueAtMs(dueMs - plan.postLaunch.remindBeforeMs) - Date.now();
        if (remindInMs > 0) await condition(done, remindInMs, { summary: `until the ${item.id} reminder` });
        if (done()) return;
        status.reminders.push({ item: item.id, kind: 'reminder', at: nowIso(), to: owners });
        if (item.postLaunch) item.postLaunch.remindedAt = nowIso();
        publish();
        await notify(
          'reminder',
          `${plan.programme}: reminder — ${item.title} (${item.id}) is due at ${formatOffset(dueMs - goLiveMs)}; ` +
            `complete it with \`cutover complete ${ctx.workflowId} ${item.id} --evidence TEXT --as NAME\``,
          owners,
        );
      }
      const overdueInMs = dueAtMs(dueMs) - Date.now();
      if (overdueInMs > 0) await condition(done, overdueInMs, { summary: `until ${item.id} is due` });
      if (done()) return;
      const to = [...new Set([...owners, ...(plan.approvers.lead ?? [])])];
      status.reminders.push({ item: item.id, kind: 'overdue', at: nowIso(), to });
      if (item.postLaunch) item.postLaunch.overdueAt = nowIso();
      publish();
      await notify('escalation', `${plan.programme}: ${item.title} (${item.id}) is overdue (due at ${formatOffset(dueMs - goLiveMs)})`, to);
    };

    /** While the watch, the fee reconciliation or post-launch items wait, a full history is shed here too. */
    const shedWhileWaiting = async () => {
      if (!flags.watchOutlivesRun) return;
      await condition(() => postLaunchOver || readyToShed());
      if (!postLaunchOver) await shedHistory();
    };

    const forwarding = forwardControls();
    const reminders = postLaunchItems.map((item) => remind(item));
    const shedding = shedWhileWaiting();
    const work = (async () => {
      await Promise.all([awaitWatch(), reconcile()]);
      await condition(() => postLaunchItems.every((item) => item.optional || settled(item)));
    })();
    // Shedding settles first only by continuing as new.
    await (flags.watchOutlivesRun ? Promise.race([shedding, work]) : work);
    postLaunchOver = true;
    await Promise.all([forwarding, shedding, ...reminders]);
  }
}
