/**
 * The room's picture of the plan's tasks on the T axis: a lane per stream, each task's planned slot and
 * the bar where it ran (plan time, so a rehearsal reads like the live run), an arrow per dependency
 * between tasks, and the forecast's critical path outlined. Styled by the room's stylesheet through classes.
 */
import { formatOffset } from '../plan/duration.js';
import { timelineEntries } from '../operations/timeline-entries.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import { html, type Html } from './html.js';

const WIDTH = 900;
const LABEL = 140;
const ROW = 30;
const TOP = 12;

export function taskLanesPicture(status: CutoverStatus): Html {
  const T = Date.parse(status.goLive);
  const tasks = status.tasks ?? [];
  const entries = timelineEntries(status).filter((e) => e.kind === 'task');
  const streams = [...new Set(entries.map((e) => e.stream))];
  const now = status.forecast ? Date.parse(status.forecast.at) : T;
  const spans = entries.map((e) => {
    const task = tasks.find((t) => t.id === e.id)!;
    const start = task.startedPlanAt ? Date.parse(task.startedPlanAt) : undefined;
    const end = task.finishedPlanAt ? Date.parse(task.finishedPlanAt) : start !== undefined ? now : undefined;
    const plannedStart = Date.parse(e.plannedStart);
    return { e, lane: streams.indexOf(e.stream), plannedStart, plannedEnd: Date.parse(e.plannedEnd ?? e.plannedStart), start, end };
  });
  const times = spans.flatMap((s) => [s.plannedStart, s.plannedEnd, s.start, s.end].filter((t): t is number => t !== undefined));
  const from = Math.min(...times, T);
  const to = Math.max(...times, T);
  const x = (ms: number) => Math.round((LABEL + ((ms - from) / (to - from || 1)) * (WIDTH - LABEL - 20)) * 10) / 10;
  const y = (lane: number) => TOP + lane * ROW;
  const byId = new Map(spans.map((s) => [s.e.id, s]));
  const arrows = spans.flatMap((s) =>
    s.e.after.flatMap((from) => {
      const dep = byId.get(from);
      if (!dep) return [];
      return [
        html`<line
          class="dependency"
          data-from="${from}"
          data-to="${s.e.id}"
          x1="${x(dep.end ?? dep.plannedEnd)}"
          y1="${y(dep.lane) + 15}"
          x2="${x(s.start ?? s.plannedStart)}"
          y2="${y(s.lane) + 15}"
          marker-end="url(#task-arrow)"
        />`,
      ];
    }),
  );
  const height = TOP + streams.length * ROW + 24;
  return html`<svg
    class="timeline tasks"
    viewBox="0 0 ${WIDTH} ${height}"
    role="img"
    aria-label="Tasks by stream on the T axis: planned slots, actual bars, an arrow per dependency, the critical path outlined"
  >
    <defs>
      <marker id="task-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto">
        <path d="M0 0 L8 4 L0 8 z" class="arrow-head" />
      </marker>
    </defs>
    ${streams.map(
      (stream, lane) =>
        html`<text x="8" y="${y(lane) + 19}" class="stage-label" data-stream="${stream}">${stream}</text
          ><line x1="${LABEL}" x2="${WIDTH - 20}" y1="${y(lane) + 15}" y2="${y(lane) + 15}" class="lane" />`,
    )}
    <line x1="${x(T)}" x2="${x(T)}" y1="${TOP - 6}" y2="${height - 16}" class="tick" />
    <text x="${x(T)}" y="${height - 4}" class="tick-label" text-anchor="middle">T</text>
    ${spans.map(
      (s) =>
        html`<g class="task task-${s.e.status}${s.e.critical ? ' critical' : ''}" data-task="${s.e.id}"
          ><title>${s.e.id} (${s.e.stream}): planned ${formatOffset(s.plannedStart - T)}, ${s.e.status}</title>
          <rect
            x="${x(s.plannedStart)}"
            y="${y(s.lane) + 5}"
            width="${Math.max(3, x(s.plannedEnd) - x(s.plannedStart))}"
            height="6"
            class="planned"
          />
          ${
            s.start !== undefined && s.end !== undefined
              ? html`<rect
                  x="${x(s.start)}"
                  y="${y(s.lane) + 13}"
                  width="${Math.max(3, x(s.end) - x(s.start))}"
                  height="12"
                  rx="3"
                  class="actual"
                />`
              : ''
          }</g
        >`,
    )}
    ${arrows}
  </svg>`;
}
