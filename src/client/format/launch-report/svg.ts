/**
 * Charts drawn as inline SVG when the report is written, so the HTML file needs no script, no font and no
 * request to open: it reads the same in a browser, a mail attachment or the PDF printed from it.
 */
import { escapeHtml } from '../../../net/html.js';

export interface ChartSeries {
  name: string;
  colour: string;
  points: { x: number; y: number }[];
}

export interface ChartThreshold {
  label: string;
  y: number;
  colour: string;
}

export interface LineChart {
  /** Used as the figure's accessible name and its caption. */
  title: string;
  /** Said in the caption after the title; empty when the title says it. */
  yUnit: string;
  xLabel: (x: number) => string;
  series: ChartSeries[];
  thresholds?: ChartThreshold[];
}

export const WIDTH = 720;
const HEIGHT = 220;
const LEFT = 64;
const RIGHT = 16;
const TOP = 16;
const BOTTOM = 36;

const round = (n: number) => Math.round(n * 10) / 10;

/** The axis's first label starts at its tick and the last ends at it, so neither runs off the picture. */
const anchorAt = (index: number, count: number) =>
  count > 1 && index === 0 ? 'start' : count > 1 && index === count - 1 ? 'end' : 'middle';

/** Axis ticks at round numbers: 1, 2 or 5 times a power of ten. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

export function numberText(n: number): string {
  if (Math.abs(n) >= 1_000_000) return `${round(n / 1_000_000)}M`;
  if (Math.abs(n) >= 10_000) return `${round(n / 1_000)}k`;
  return String(round(n));
}

/** A line chart with a dot per reading and dashed threshold lines; empty series draw an empty frame. */
export function lineChartSvg(chart: LineChart): string {
  const xs = chart.series.flatMap((s) => s.points.map((p) => p.x));
  const ys = [...chart.series.flatMap((s) => s.points.map((p) => p.y)), ...(chart.thresholds ?? []).map((t) => t.y)];
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const ticks = niceTicks(Math.max(0, ...ys));
  const yMax = ticks[ticks.length - 1] ?? 1;
  const px = (x: number) => round(LEFT + ((x - xMin) / (xMax - xMin || 1)) * (WIDTH - LEFT - RIGHT));
  const py = (y: number) => round(HEIGHT - BOTTOM - (y / (yMax || 1)) * (HEIGHT - TOP - BOTTOM));
  const parts: string[] = [];
  for (const t of ticks) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${py(t)}" y2="${py(t)}"/>`);
    parts.push(`<text class="tick" x="${LEFT - 6}" y="${py(t) + 4}" text-anchor="end">${escapeHtml(numberText(t))}</text>`);
  }
  const xTicks = xs.length ? [...new Set([xMin, xMin + (xMax - xMin) / 2, xMax])] : [];
  xTicks.forEach((x, i) =>
    parts.push(
      `<text class="tick" x="${px(x)}" y="${HEIGHT - BOTTOM + 16}" text-anchor="${anchorAt(i, xTicks.length)}">${escapeHtml(chart.xLabel(x))}</text>`,
    ),
  );
  for (const t of chart.thresholds ?? []) {
    parts.push(
      `<line class="threshold" data-threshold="${escapeHtml(t.label)}" x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${py(t.y)}" y2="${py(t.y)}" stroke="${t.colour}"/>`,
      `<text class="tick" x="${WIDTH - RIGHT}" y="${py(t.y) - 4}" text-anchor="end" fill="${t.colour}">${escapeHtml(t.label)}</text>`,
    );
  }
  for (const s of chart.series) {
    const points = s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(' ');
    parts.push(`<polyline class="series" data-series="${escapeHtml(s.name)}" points="${points}" stroke="${s.colour}"/>`);
    for (const p of s.points)
      parts.push(
        `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="2.5" fill="${s.colour}"><title>${escapeHtml(`${s.name} ${chart.xLabel(p.x)}: ${numberText(p.y)}`)}</title></circle>`,
      );
  }
  const legend = chart.series.map((s) => `<span class="key"><i style="background:${s.colour}"></i>${escapeHtml(s.name)}</span>`).join('');
  return (
    `<figure class="chart"><svg viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(chart.title)}">${parts.join('')}</svg>` +
    `<figcaption>${escapeHtml(chart.yUnit ? `${chart.title} (${chart.yUnit})` : chart.title)} ${legend}</figcaption></figure>`
  );
}

export interface Lane {
  label: string;
  /** Marks drawn in the lane: a span (start to end) or a point (end absent). */
  marks: { start: number; end?: number; colour: string; title: string; kind: string }[];
  /** A lane on the critical path is drawn with a heavier label. */
  critical?: boolean;
}

/** Lanes over one time axis (milliseconds), for the timeline and for alerts and incidents together. */
export function lanesSvg(title: string, lanes: Lane[], axisLabel: (ms: number) => string): string {
  const times = lanes.flatMap((l) => l.marks.flatMap((m) => (m.end === undefined ? [m.start] : [m.start, m.end])));
  const tMin = times.length ? Math.min(...times) : 0;
  const tMax = times.length ? Math.max(...times) : 1;
  const laneHeight = 22;
  const labelWidth = 190;
  const height = TOP + lanes.length * laneHeight + BOTTOM;
  const px = (t: number) => round(labelWidth + ((t - tMin) / (tMax - tMin || 1)) * (WIDTH - labelWidth - RIGHT));
  const parts: string[] = [];
  lanes.forEach((lane, index) => {
    const y = TOP + index * laneHeight;
    parts.push(
      `<text class="lane${lane.critical ? ' critical' : ''}" x="4" y="${y + 15}">${escapeHtml(lane.label)}</text>`,
      `<line class="grid" x1="${labelWidth}" x2="${WIDTH - RIGHT}" y1="${y + laneHeight}" y2="${y + laneHeight}"/>`,
    );
    for (const m of lane.marks) {
      const tip = `<title>${escapeHtml(m.title)}</title>`;
      if (m.end === undefined) {
        const x = px(m.start);
        parts.push(
          `<path class="mark" data-kind="${escapeHtml(m.kind)}" d="M${x} ${y + 4} l6 7 l-6 7 l-6 -7 z" fill="${m.colour}">${tip}</path>`,
        );
      } else {
        const x = px(m.start);
        const w = Math.max(2, round(px(m.end) - x));
        parts.push(
          `<rect class="mark" data-kind="${escapeHtml(m.kind)}" x="${x}" y="${y + 5}" width="${w}" height="12" rx="2" fill="${m.colour}">${tip}</rect>`,
        );
      }
    }
  });
  if (times.length) {
    const ticks = [...new Set([tMin, tMin + (tMax - tMin) / 2, tMax])];
    ticks.forEach((t, i) => {
      parts.push(
        `<text class="tick" x="${px(t)}" y="${height - BOTTOM + 16}" text-anchor="${anchorAt(i, ticks.length)}">${escapeHtml(axisLabel(t))}</text>`,
      );
    });
  }
  return `<figure class="lanes"><svg viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}">${parts.join('')}</svg><figcaption>${escapeHtml(title)}</figcaption></figure>`;
}
