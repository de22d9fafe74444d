/**
 * The live window: unless the plan says `postLaunch.watch.from: roll-forward`, the post-launch watch starts
 * as soon as the go-live smoke tests pass instead of at roll-forward, so production is watched from T and the debrief
 * has figures. It is the same watch workflow with the same rules, alerts and summaries, running to T plus
 * the plan's window. Roll-forward keeps it (post-launch.ts finds it by id, as in a run that continued as
 * new); roll-back or abort ends it, and its record stays in status.
 *
 * The watch outlives each run of the cutover (parent-close ABANDON) and sends its result as a message, so
 * the cutover may continue as new during the window exactly as it does after roll-forward.
 */
import { condition, getExternalWorkflowHandle, log, ParentClosePolicy, patched, uuid4 } from '@temporalio/workflow';
import { formatOffset } from '../plan/duration.js';
import type { CutoverContext } from './cutover-context.js';
import type { CutoverPhase } from './cutover-state.js';
import { markdownInline } from './markdown-text.js';
import { firstWatchInput } from './watch-input.js';
import { startWatchChild } from './watch-start.js';
import { addWatchDecision } from './state-bounds.js';
import { watchControlSignal, watchWorkflowId, type WatchDecision, type WatchInput, type WatchResult } from './watch-protocol.js';
import { applyWatchResult } from './post-launch.js';

export const WATCH_FROM_GO_LIVE_PATCH = 'watch-from-go-live';
/** Watching from T became the default for plans that do not say; cutovers started before keep watching from roll-forward. */
export const WATCH_FROM_GO_LIVE_BY_DEFAULT_PATCH = 'watch-from-go-live-by-default';

export interface LiveWindow {
  /** Settles once the timeline is over: the watch keeps running, and post-launch takes over its controls. */
  running: Promise<void>;
  /** On roll-back or abort: ends the watch and waits for its record. */
  end(endsAs: CutoverPhase): Promise<void>;
}

/**
 * Whether this cutover watches from T: the plan asks for it or leaves it to the default, and the run has the
 * behaviour. The default is decided once, in the first run, and written into the plan that later runs get
 * when the cutover continues as new; a later run whose plan does not say continued from a run that predates
 * the default, so it keeps the old one.
 */
export function watchesFromGoLive(ctx: CutoverContext): boolean {
  const { watch } = ctx.plan.postLaunch;
  watch.fromGoLive ??= !ctx.resumed && patched(WATCH_FROM_GO_LIVE_BY_DEFAULT_PATCH);
  return watch.fromGoLive && patched(WATCH_FROM_GO_LIVE_PATCH);
}

export function openLiveWindow(ctx: CutoverContext): LiveWindow {
  const { plan, status, flags, watchControls, goLiveMs, nowIso, notify, stageState, abortRequested } = ctx;
  const workflowId = watchWorkflowId(ctx.workflowId);
  let result: (() => Promise<WatchResult>) | undefined;
  if (status.watch) flags.watchOutlivesRun = true;

  const smokeTestsPassed = () => {
    const goLive = stageState('go-live');
    return (
      goLive.problems.length === 0 &&
      goLive.evidence.smokeTests !== undefined &&
      (goLive.status === 'holding' || goLive.status === 'passed')
    );
  };

  async function start(): Promise<void> {
    const { postLaunch } = plan;
    const startPlanMs = ctx.clock.planNowMs();
    const endsPlanMs = Math.max(goLiveMs + postLaunch.watch.windowMs, startPlanMs + postLaunch.watch.intervalMs);
    flags.watchLink = uuid4();
    status.watch = {
      workflowId,
      fromGoLive: true,
      status: 'watching',
      startedAt: nowIso(),
      startedPlanAt: new Date(startPlanMs).toISOString(),
      endsPlanAt: new Date(endsPlanMs).toISOString(),
      endsAt: new Date(ctx.clock.dueAtMs(endsPlanMs)).toISOString(),
      decisions: [],
      alerts: [],
      summaries: [],
      reads: 0,
      runs: 1,
    };
    ctx.publish();
    const watchInput: WatchInput = { ...firstWatchInput(ctx, { startPlanMs, endsPlanMs }), link: flags.watchLink, reportsFinish: true };
    const child = await startWatchChild(watchInput, {
      workflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `${markdownInline(plan.programme)}: watch from go-live until ${formatOffset(endsPlanMs - goLiveMs)}`,
    });
    result = () => child.result();
    // Only a started watch may be left to a later run: until then this run may not continue as new.
    flags.watchOutlivesRun = true;
    await notify(
      'monitoring-room',
      `${plan.programme}: the go-live smoke tests passed; the watch runs from now until ${formatOffset(endsPlanMs - goLiveMs)} ` +
        'with alerts on webhook failures, low balances, ErrRateLimited spikes and decline-rate shifts, and feeds the debrief',
      undefined,
      plan.notifications.monitoringRoom,
    );
  }

  /** The lead's end and extend decisions during the window; post-launch forwards them after the timeline. */
  async function forwardControls(): Promise<void> {
    const watch = getExternalWorkflowHandle(workflowId);
    for (;;) {
      await condition(() => watchControls.length > 0 || flags.timelineOver);
      if (flags.timelineOver) return;
      const next = watchControls.shift();
      if (!next) continue;
      flags.forwardingControl = true;
      try {
        await watch.signal(watchControlSignal, { ...next, link: flags.watchLink });
      } catch (err) {
        log.warn('watch decision arrived after the watch ended', { decision: next.kind, error: String(err) });
      } finally {
        flags.forwardingControl = false;
      }
    }
  }

  const running = (async () => {
    if (!status.watch) {
      // A run that continued while a roll-back step held has no window left to watch.
      const over = () =>
        flags.timelineOver || abortRequested() || status.decision !== undefined || ctx.carried?.compensatingAs !== undefined;
      await condition(() => smokeTestsPassed() || over());
      if (over()) return;
      await start();
    }
    await forwardControls();
  })();

  async function end(endsAs: CutoverPhase): Promise<void> {
    const watch = status.watch;
    if (!watch || watch.finishedAt !== undefined) return;
    const why = endsAs === 'aborted' ? status.abort : status.decision;
    const decision: WatchDecision = {
      kind: 'end',
      by: why?.by ?? 'cutover',
      reason: `the cutover ${endsAs}${why?.reason ? `: ${why.reason}` : ''}`.slice(0, 500),
      at: nowIso(),
    };
    addWatchDecision(status, watch.decisions, decision, ctx.boundedState);
    try {
      await getExternalWorkflowHandle(workflowId).signal(watchControlSignal, { ...decision, link: flags.watchLink });
    } catch (err) {
      log.warn('the watch had already ended', { error: String(err) });
    }
    // The result comes from the child in the run that started it, or by message in a later run.
    const fromChild = result?.().then((r) => applyWatchResult(ctx, r));
    await Promise.race([...(fromChild ? [fromChild] : []), condition(() => watch.finishedAt !== undefined)]);
    ctx.publish();
  }

  return { running, end };
}
