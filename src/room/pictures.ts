/**
 * The cutover as pictures: the timeline on the T axis (planned against actual, a now line, holds and who
 * is awaited) and the watch's hourly figures as small bar charts. Plain SVG, styled by the room's
 * stylesheet through classes, each with a text alternative for screen readers.
 */
import { formatOffset } from '../plan/duration.js';
import type { CutoverPlan } from '../plan/schema.js';
import { ROLE_TITLES } from '../runbook/stages.js';
import type { WatchSummary } from '../workflows/watch-protocol.js';
import type { CutoverStatus, StageState } from '../workflows/cutover-state.js';
import { html, type Html } from './html.js';

const HOUR = 3_600_000;
const WIDTH = 900;
const LABEL = 230;
const ROW = 34;
const TOP = 30;

/**
 * A wall-clock instant on the plan's clock. The anchor is the latest stage: a stage already due when the
 * cutover started is due at its start, not at its planned time, so only a later one ties the two clocks.
 */
function planClock(stages: StageState[], timeScale: number): (wallMs: number) => number {
  const anchor = stages.reduce<StageState | undefined>(
    (latest, stage) => (!latest || Date.parse(stage.plannedAt) > Date.parse(latest.plannedAt) ? stage : latest),
    undefined,
  );
  if (!anchor) return (wallMs) => wallMs;
  return (wallMs) => Date.parse(anchor.plannedAt) + (wallMs - Date.parse(anchor.dueAt)) * timeScale;
}

export function awaitedNames(stage: StageState, plan: CutoverPlan): string {
  return (stage.hold?.awaiting ?? []).map((role) => `${ROLE_TITLES[role]} (${(plan.approvers[role] ?? []).join(', ')})`).join(' and ');
}

export function timelinePicture(status: CutoverStatus, plan: CutoverPlan, nowMs: number): Html {
  const goLive = Date.parse(status.goLive);
  const stages = status.stages;
  const offsets = stages.map((stage) => Date.parse(stage.plannedAt) - goLive);
  const planTime = planClock(stages, status.timeScale);
  const nowOffset = planTime(nowMs) - goLive;
  const from = Math.min(...offsets, -HOUR) - HOUR;
  const to = Math.max(...offsets, HOUR) + HOUR;
  const x = (offset: number) => LABEL + ((Math.min(Math.max(offset, from), to) - from) / (to - from)) * (WIDTH - LABEL - 20);
  const height = TOP + stages.length * ROW + 20;
  const ticks = [-24, -12, -1, 0, 2, 24].map((h) => h * HOUR).filter((offset) => offset >= from && offset <= to);
  const rows = stages.map((stage, i) => {
    const y = TOP + i * ROW;
    const planned = x(Date.parse(stage.plannedAt) - goLive);
    const startedAt = stage.startedAt ? planTime(Date.parse(stage.startedAt)) - goLive : undefined;
    const endedAt = stage.finishedAt ? planTime(Date.parse(stage.finishedAt)) - goLive : startedAt !== undefined ? nowOffset : undefined;
    const held = stage.status === 'holding' ? `holding for ${awaitedNames(stage, plan)}` : '';
    const words = `${stage.id} planned at ${formatOffset(Date.parse(stage.plannedAt) - goLive)}, ${stage.status}${held ? `, ${held}` : ''}`;
    return html`<g class="stage stage-${stage.status}"><title>${words}</title>
<text x="8" y="${y + 21}" class="stage-label">${stage.id}</text>
<line x1="${LABEL}" x2="${WIDTH - 20}" y1="${y + 17}" y2="${y + 17}" class="lane"/>
${
  startedAt !== undefined && endedAt !== undefined
    ? html`<rect x="${x(startedAt)}" y="${y + 9}" width="${Math.max(4, x(endedAt) - x(startedAt))}" height="16" rx="3" class="actual"/>`
    : ''
}
<circle cx="${planned}" cy="${y + 17}" r="6" class="planned"/>
${held ? html`<text x="${planned - 12}" y="${y + 22}" class="hold-label" text-anchor="end">${held}</text>` : ''}</g>`;
  });
  const description = stages
    .map(
      (stage) =>
        `${stage.id} (${formatOffset(Date.parse(stage.plannedAt) - goLive)}): ${stage.status}${stage.status === 'holding' ? `, awaiting ${awaitedNames(stage, plan)}` : ''}`,
    )
    .join('; ');
  return html`<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="timeline-title timeline-desc">
<title id="timeline-title">Timeline on the T axis: planned (circles) against actual (bars), now line at ${formatOffset(Math.round(nowOffset / 60_000) * 60_000)}</title>
<desc id="timeline-desc">${description}</desc>
${ticks.map((offset) => html`<line x1="${x(offset)}" x2="${x(offset)}" y1="${TOP - 6}" y2="${height - 16}" class="tick"/><text x="${x(offset)}" y="${TOP - 12}" class="tick-label" text-anchor="middle">${formatOffset(offset)}</text>`)}
${rows}
<line x1="${x(nowOffset)}" x2="${x(nowOffset)}" y1="${TOP - 6}" y2="${height - 10}" class="now"/>
<text x="${x(nowOffset)}" y="${height - 2}" class="now-label" text-anchor="middle">now</text>
</svg>`;
}

interface Series {
  title: string;
  value: (summary: WatchSummary) => number;
}

const SERIES: Series[] = [
  { title: 'Authorizations approved', value: (s) => s.totals.authorizations.approved },
  { title: 'Authorizations declined', value: (s) => s.totals.authorizations.declined },
  { title: 'Webhooks failed', value: (s) => s.totals.webhooks.failed },
  { title: 'Rate-limited calls', value: (s) => s.totals.rateLimited },
];

/** One small bar chart per figure, a bar per summary period. */
export function watchCharts(summaries: WatchSummary[]): Html {
  if (summaries.length === 0) return html`<p>No hourly summary yet.</p>`;
  const shown = summaries.slice(-24);
  return html`<div class="charts">${SERIES.map((series) => {
    const values = shown.map(series.value);
    const max = Math.max(1, ...values);
    const barWidth = 200 / values.length;
    const words = shown.map((s, i) => `period ${s.period}: ${values[i]}`).join(', ');
    return html`<figure class="chart"><figcaption>${series.title}</figcaption>
<svg viewBox="0 0 200 60" role="img" aria-label="${series.title} per period: ${words}">${values.map(
      (value, i) =>
        html`<rect x="${i * barWidth + 1}" y="${58 - (value / max) * 54}" width="${Math.max(1, barWidth - 2)}" height="${(value / max) * 54 + 1}" class="bar"><title>period ${shown[i]?.period ?? i + 1}: ${value}</title></rect>`,
    )}</svg></figure>`;
  })}</div>`;
}
