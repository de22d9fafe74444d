/**
 * The timeline of a plan with tasks: one lane per stream (the built-in stages in the runbook's lane), a
 * grey slot where the plan put each entry and a bar where it ran, an arrow per dependency, and the
 * forecast's critical path outlined in red. Drawn on the wall clock, as the stage-per-lane picture is.
 */
import { RUNBOOK_STREAM } from '../../../operations/timeline-entries.js';
import { shortTime } from '../time.js';
import type { LaunchReport, LaunchTaskEntry, LaunchTimelineEntry } from './model.js';
import { escapeHtml } from '../../../net/html.js';
import { WIDTH } from './svg.js';

const LANE_HEIGHT = 28;
const LABEL_WIDTH = 120;
const TOP = 12;
const BOTTOM = 36;
const RIGHT = 16;
const PLANNED = '#c5c9cf';
const CRITICAL = '#c62828';

interface Box {
  id: string;
  lane: number;
  /** Wall-clock milliseconds. */
  plannedStart: number;
  plannedEnd?: number;
  actualStart?: number;
  actualEnd?: number;
  colour: string;
  critical: boolean;
  title: string;
}

const round = (n: number) => Math.round(n * 10) / 10;
const ms = (iso: string | null) => (iso === null ? undefined : Date.parse(iso));

function statusColour(status: string): string {
  if (status === 'passed' || status === 'done') return '#2e7d32';
  if (status === 'failed' || status === 'rejected') return '#c62828';
  if (status === 'running' || status === 'waiting' || status === 'holding') return '#1565c0';
  return '#f9a825';
}

function stageBox(t: LaunchTimelineEntry, now: number): Box {
  return {
    id: t.stage,
    lane: 0,
    plannedStart: Date.parse(t.due),
    ...(t.started !== null && { actualStart: Date.parse(t.started), actualEnd: ms(t.finished) ?? now }),
    colour: statusColour(t.status),
    critical: t.critical === true,
    title: `stage ${t.stage} ${t.status}: due ${shortTime(t.due)} (${t.offset})${t.started ? `, ran ${shortTime(t.started)} to ${t.finished ? shortTime(t.finished) : 'now'}` : ''}`,
  };
}

function taskBox(t: LaunchTaskEntry, lane: number, now: number): Box {
  return {
    id: t.id,
    lane,
    plannedStart: Date.parse(t.due),
    plannedEnd: Date.parse(t.dueEnd),
    ...(t.started !== null && { actualStart: Date.parse(t.started), actualEnd: ms(t.finished) ?? now }),
    colour: statusColour(t.status),
    critical: t.critical,
    title: `task ${t.id} (${t.stream}) ${t.status}: planned ${shortTime(t.due)} to ${shortTime(t.dueEnd)}${t.started ? `, ran ${shortTime(t.started)} to ${t.finished ? shortTime(t.finished) : 'now'}` : ''}${t.slackMs === null ? '' : `, slack ${Math.round(t.slackMs / 60_000)}m`}`,
  };
}

/** Every dependency: a task on what it names in `after`, and a stage on the tasks due before it. */
function dependencies(tasks: readonly LaunchTaskEntry[]): { from: string; to: string }[] {
  return tasks.flatMap((t) => [...t.after.map((from) => ({ from, to: t.id })), ...t.before.map((to) => ({ from: t.id, to }))]);
}

export function streamsPicture(report: LaunchReport): string {
  const tasks = report.tasks?.entries ?? [];
  const now = Date.parse(report.generatedAt);
  const streams = [RUNBOOK_STREAM, ...new Set(tasks.map((t) => t.stream).filter((s) => s !== RUNBOOK_STREAM))];
  const boxes = [...report.timeline.map((t) => stageBox(t, now)), ...tasks.map((t) => taskBox(t, streams.indexOf(t.stream), now))];
  const byId = new Map(boxes.map((b) => [b.id, b]));
  const times = boxes.flatMap((b) =>
    [b.plannedStart, b.plannedEnd, b.actualStart, b.actualEnd].filter((t): t is number => t !== undefined),
  );
  const tMin = Math.min(...times);
  const tMax = Math.max(...times);
  const height = TOP + streams.length * LANE_HEIGHT + BOTTOM;
  const px = (t: number) => round(LABEL_WIDTH + ((t - tMin) / (tMax - tMin || 1)) * (WIDTH - LABEL_WIDTH - RIGHT));
  const laneY = (lane: number) => TOP + lane * LANE_HEIGHT;
  const parts: string[] = [
    `<defs><marker id="dep-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="#56606b"/></marker>` +
      `<marker id="dep-arrow-critical" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0 L8 4 L0 8 z" fill="${CRITICAL}"/></marker></defs>`,
  ];
  streams.forEach((stream, lane) => {
    const y = laneY(lane);
    const critical = boxes.some((b) => b.lane === lane && b.critical);
    parts.push(
      `<text class="lane${critical ? ' critical' : ''}" data-stream="${escapeHtml(stream)}" x="4" y="${y + 17}">${escapeHtml(stream)}</text>`,
      `<line class="grid" x1="${LABEL_WIDTH}" x2="${WIDTH - RIGHT}" y1="${y + LANE_HEIGHT}" y2="${y + LANE_HEIGHT}"/>`,
    );
  });
  for (const b of boxes) {
    const y = laneY(b.lane);
    const critical = b.critical ? ` data-critical="true" stroke="${CRITICAL}" stroke-width="2"` : '';
    const tip = `<title>${escapeHtml(b.title)}</title>`;
    const data = `data-id="${escapeHtml(b.id)}" data-lane="${b.lane}"`;
    if (b.plannedEnd === undefined) {
      parts.push(
        `<path class="mark" data-kind="planned" ${data} d="M${px(b.plannedStart)} ${y + 3} l5 6 l-5 6 l-5 -6 z" fill="${PLANNED}">${tip}</path>`,
      );
    } else {
      const w = Math.max(2, round(px(b.plannedEnd) - px(b.plannedStart)));
      parts.push(
        `<rect class="mark" data-kind="planned" ${data} x="${px(b.plannedStart)}" y="${y + 3}" width="${w}" height="8" rx="2" fill="${PLANNED}">${tip}</rect>`,
      );
    }
    if (b.actualStart !== undefined && b.actualEnd !== undefined) {
      const w = Math.max(2, round(px(b.actualEnd) - px(b.actualStart)));
      parts.push(
        `<rect class="mark" data-kind="actual" ${data}${critical} x="${px(b.actualStart)}" y="${y + 13}" width="${w}" height="11" rx="2" fill="${b.colour}">${tip}</rect>`,
      );
    } else if (b.critical) {
      parts.push(
        `<rect class="mark" data-kind="expected" ${data}${critical} x="${px(b.plannedStart)}" y="${y + 13}" width="${Math.max(2, round(px(b.plannedEnd ?? b.plannedStart) - px(b.plannedStart)))}" height="11" rx="2" fill="none">${tip}</rect>`,
      );
    }
  }
  const path = report.tasks?.forecast?.criticalPath ?? [];
  for (const { from, to } of dependencies(tasks)) {
    const a = byId.get(from);
    const b = byId.get(to);
    if (!a || !b) continue;
    const x1 = px(a.actualEnd ?? a.plannedEnd ?? a.plannedStart);
    const x2 = px(b.actualStart ?? b.plannedStart);
    const onPath = path.indexOf(to) > 0 && path[path.indexOf(to) - 1] === from;
    parts.push(
      `<line class="dependency${onPath ? ' critical' : ''}" data-from="${escapeHtml(from)}" data-to="${escapeHtml(to)}" x1="${x1}" y1="${laneY(a.lane) + 18}" x2="${x2}" y2="${laneY(b.lane) + 18}" stroke="${onPath ? CRITICAL : '#56606b'}" stroke-width="${onPath ? 1.5 : 1}" marker-end="url(#${onPath ? 'dep-arrow-critical' : 'dep-arrow'})"><title>${escapeHtml(`${to} waits for ${from}`)}</title></line>`,
    );
  }
  const ticks = [...new Set([tMin, tMin + (tMax - tMin) / 2, tMax])];
  ticks.forEach((t, i) => {
    const anchor = ticks.length > 1 && i === 0 ? 'start' : ticks.length > 1 && i === ticks.length - 1 ? 'end' : 'middle';
    parts.push(
      `<text class="tick" x="${px(t)}" y="${height - BOTTOM + 16}" text-anchor="${anchor}">${escapeHtml(shortTime(new Date(t).toISOString()))}</text>`,
    );
  });
  const title =
    'Timeline by stream: planned (grey) and actual (bar) per stage and task, an arrow per dependency, the critical path outlined in red';
  return `<figure class="lanes streams"><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}
