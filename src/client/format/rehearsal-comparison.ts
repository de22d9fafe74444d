/** `cutover compare` and the launch report's rehearsal section: the comparison as a table and as Markdown. */
import { formatDuration } from '../../plan/duration.js';
import type { ComparisonRow, RehearsalComparison } from '../../operations/rehearsal-comparison.js';
import type { LaunchRehearsal } from './launch-report/model.js';
import { code, markdownCell, markdownTable } from './checklist-document.js';
import { renderTable } from './table.js';

/** Durations to a tenth of a second under a minute, where stage checks mostly fall; whole seconds above. */
export function durationText(ms: number | null): string {
  if (ms === null) return '-';
  if (Math.abs(ms) < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return formatDuration(Math.round(ms / 1000) * 1000);
}

const signed = (ms: number | null) => (ms === null ? '-' : `${ms > 0 ? '+' : ms < 0 ? '-' : '±'}${durationText(Math.abs(ms))}`);

export function varianceText(row: Pick<ComparisonRow, 'varianceMs' | 'variancePercent'>): string {
  if (row.varianceMs === null) return '-';
  return row.variancePercent === null
    ? signed(row.varianceMs)
    : `${signed(row.varianceMs)} (${row.variancePercent > 0 ? '+' : ''}${row.variancePercent}%)`;
}

const HEADERS = ['stage', 'estimate', 'rehearsal', 'live', 'variance', 'live vs estimate'];

const cells = (row: ComparisonRow): string[] => [
  row.id,
  durationText(row.estimateMs),
  durationText(row.rehearsalMs),
  durationText(row.liveMs),
  varianceText(row),
  signed(row.overEstimateMs),
];

function notes(comparison: RehearsalComparison): string[] {
  const { rehearsal, live, total } = comparison;
  return [
    ...(comparison.liveNamesRehearsal
      ? []
      : [`Note: ${live.workflowId} does not name ${rehearsal.workflowId} as the rehearsal it follows.`]),
    `Durations are wall time from start to pass; variance is live minus rehearsal. Over the ${total.entries} stage(s) that passed in both: rehearsal ${durationText(total.rehearsalMs)}, live ${durationText(total.liveMs)}, variance ${signed(total.varianceMs)}.`,
  ];
}

export function renderComparison(comparison: RehearsalComparison): string {
  const { rehearsal, live } = comparison;
  return [
    `${live.programme}: live ${live.workflowId} (${live.phase}) against rehearsal ${rehearsal.workflowId} (${rehearsal.phase})`,
    '',
    renderTable(HEADERS, comparison.rows.map(cells)),
    '',
    ...notes(comparison),
  ].join('\n');
}

export function comparisonMarkdown(comparison: RehearsalComparison): string[] {
  return [
    `Against rehearsal ${code(comparison.rehearsal.workflowId)} (${comparison.rehearsal.phase}).`,
    '',
    ...markdownTable(
      HEADERS,
      comparison.rows.map((row) => cells(row).map(markdownCell)),
    ),
    '',
    ...notes(comparison).map(markdownCell),
  ];
}

/** The launch report's section: the comparison, or why the rehearsal could not be read. */
export function rehearsalLines(rehearsal: LaunchRehearsal): string[] {
  if (rehearsal.comparison) return comparisonMarkdown(rehearsal.comparison);
  return [
    `The rehearsal ${code(rehearsal.workflowId)} this cutover follows could not be read: ${markdownCell(rehearsal.unavailable ?? 'unknown')}.`,
  ];
}
