/**
 * The forecast the workflow keeps while a plan's tasks run: from estimates and actual times, when the
 * go-live gate will open against T, each node's slack and the critical path (`src/runbook/task-graph.ts`).
 * It is computed again whenever a stage or task changes, and on a timer only when it would change on its
 * own (a running task reaching its estimate, its overrun margin, or spending the gate's slack). When
 * go/no-go is forecast past T, or a task runs past its estimate by the plan's margin, the lead and the
 * owners concerned are told once, and once again when it recovers.
 */
import { condition, patched } from '@temporalio/workflow';
import { formatDuration } from '../plan/duration.js';
import { ROLE_TITLES, type Role } from '../runbook/stages.js';
import { forecast, GO_LIVE_NODE, nextForecastChange, type Forecast, type ForecastInput } from '../runbook/task-graph.js';
import type { CutoverContext } from './cutover-context.js';
import { forecastStatus, stageForecastNodes } from './forecast-nodes.js';
import type { ForecastAlert, ForecastState } from './task-state.js';

const ALERTS_KEPT = 50;

/** Runs started before stages had a length in the forecast keep the timers they set. */
export const FORECAST_STAGE_ESTIMATES_PATCH = 'forecast-stage-estimates';

export function createForecaster(ctx: CutoverContext, stop: () => boolean): { run(): Promise<void>; update(): void } {
  const { plan, status, clock, goLiveMs, notify, publish } = ctx;
  const margin = plan.forecast?.overrunMargin ?? 0.5;
  const planIso = (ms: number) => new Date(ms).toISOString();
  const planMs = (wallIso?: string) => (wallIso === undefined ? undefined : clock.planAtMs(Date.parse(wallIso)));
  const stageLengths = patched(FORECAST_STAGE_ESTIMATES_PATCH);

  function inputs(): ForecastInput[] {
    const tasks = plan.tasks ?? [];
    const stages = stageForecastNodes(plan, ctx.stageState, goLiveMs, planMs, stageLengths);
    const taskNodes = tasks.map((planned): ForecastInput => {
      const state = status.tasks?.find((t) => t.id === planned.id);
      return {
        id: planned.id,
        after: planned.after,
        ...(planned.notBeforeMs !== undefined && { notBeforeAt: goLiveMs + planned.notBeforeMs }),
        estimateMs: planned.estimateMs,
        status: forecastStatus(state?.status ?? 'pending'),
        startedAt: planMs(state?.startedAt),
        finishedAt: planMs(state?.finishedAt),
      };
    });
    return [...stages, ...taskNodes];
  }

  const people = (roles: Role[]) => [...new Set(roles.flatMap((r) => plan.approvers[r] ?? []))];

  function alert(
    state: ForecastState,
    id: string,
    open: boolean,
    opening: () => Omit<ForecastAlert, 'id' | 'openedAt'>,
    recovery: (a: ForecastAlert) => string,
  ): void {
    const current = state.alerts.find((a) => a.id === id && !a.recoveredAt);
    if (open && !current) {
      const opened = { id, openedAt: state.at, ...opening() };
      state.alerts = [...state.alerts, opened].slice(-ALERTS_KEPT);
      void notify('escalation', opened.text, opened.to);
    } else if (!open && current) {
      current.recoveredAt = state.at;
      void notify('escalation', recovery(current), current.to);
    }
  }

  function evaluate(f: Forecast, nowMs: number): ForecastState {
    const taskIds = new Set((plan.tasks ?? []).map((t) => t.id));
    const late = Object.entries(f.nodes)
      .filter(([id, n]) => taskIds.has(id) && n.late)
      .map(([id]) => id);
    const state: ForecastState = {
      at: planIso(nowMs),
      goNoGoAt: planIso(f.goNoGoAt),
      plannedAt: planIso(f.plannedAt),
      varianceMs: f.goNoGoAt - f.plannedAt,
      crossesT: f.crossesT,
      criticalPath: f.criticalPath,
      tasks: [...taskIds].map((id) => {
        const n = f.nodes[id]!;
        return {
          id,
          expectedFinish: planIso(n.expectedFinish),
          ...(n.slackMs !== undefined && { slackMs: n.slackMs }),
          late: n.late,
          overrunMs: n.overrunMs,
        };
      }),
      late,
      alerts: status.forecast?.alerts ?? [],
    };
    const goLive = ctx.stageState(GO_LIVE_NODE);
    // Once the gate has opened the forecast of its opening is history; an open alert stays until it would recover.
    if (goLive.status === 'pending' || goLive.status === 'waiting' || !f.crossesT) {
      // Held up by the tasks running past their estimate, not by those waiting behind them.
      const driving = f.criticalPath.filter((id) => taskIds.has(id) && f.nodes[id]!.overrunMs > 0);
      const owners = driving.map((id) => plan.tasks!.find((t) => t.id === id)!.owner);
      alert(
        state,
        'go-live',
        f.crossesT,
        () => ({
          kind: 'go-live',
          to: people(['lead', ...owners]),
          text:
            `${plan.programme}: go/no-go is now forecast ${formatDuration(f.goNoGoAt - f.plannedAt)} after T (${planIso(f.goNoGoAt)}, plan time)` +
            (driving.length
              ? `, held up by ${driving.map((id) => `${id} (${ROLE_TITLES[plan.tasks!.find((t) => t.id === id)!.owner]})`).join(', ')}`
              : '') +
            `; critical path ${f.criticalPath.join(' → ')}`,
        }),
        () =>
          `${plan.programme}: go/no-go is forecast on time again (${planIso(f.goNoGoAt)}, plan time); critical path ${f.criticalPath.join(' → ')}`,
      );
    }
    for (const planned of plan.tasks ?? []) {
      const n = f.nodes[planned.id]!;
      const overrun = n.overrunMs > planned.estimateMs * margin;
      const task = status.tasks?.find((t) => t.id === planned.id);
      const running = task?.status === 'running' || task?.status === 'holding';
      alert(
        state,
        `overrun:${planned.id}`,
        overrun && running,
        () => ({
          kind: 'overrun',
          task: planned.id,
          to: people(['lead', planned.owner]),
          text: `${plan.programme}: task ${planned.id} (${ROLE_TITLES[planned.owner]}) has run ${formatDuration(planned.estimateMs + n.overrunMs)} against an estimate of ${formatDuration(planned.estimateMs)}`,
        }),
        () =>
          `${plan.programme}: task ${planned.id} is ${task?.status ?? 'over'} after ${formatDuration(planned.estimateMs + n.overrunMs)} (estimate ${formatDuration(planned.estimateMs)})`,
      );
    }
    return state;
  }

  function update(): void {
    const nowMs = clock.planNowMs();
    status.forecast = evaluate(forecast(inputs(), nowMs), nowMs);
    publish();
  }

  /** What the forecast depends on besides the clock: every stage's and task's status. */
  const signature = () =>
    [...status.stages.map((s) => s.status), ...(status.tasks ?? []).map((t) => `${t.status}${t.completedBy ?? ''}`)].join();

  async function run(): Promise<void> {
    for (;;) {
      update();
      if (stop()) return;
      const nowMs = clock.planNowMs();
      const nodes = inputs();
      const next = nextForecastChange(nodes, forecast(nodes, nowMs), nowMs, margin);
      const seen = signature();
      const changed = () => stop() || signature() !== seen;
      if (next === undefined) await condition(changed);
      else await condition(changed, Math.max(1, Math.ceil(clock.wallAtMs(next) - Date.now())));
    }
  }

  return { run, update };
}
