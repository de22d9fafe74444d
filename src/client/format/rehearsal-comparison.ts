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
/** With plan tasks, each row names its stream too, the lane a task ran in. */
const TASK_HEADERS = ['stage or task', 'stream', ...HEADERS.slice(1)];

const withTasks = (comparison: RehearsalComparison) => comparison.rows.some((row) => row.kind === 'task');
const headersOf = (comparison: RehearsalComparison) => (withTasks(comparison) ? TASK_HEADERS : HEADERS);
const rowsOf = (comparison: RehearsalComparison) =>
  comparison.rows.map((row) => (withTasks(comparison) ? [row.id, row.stream, ...cells(row).slice(1)] : cells(row)));

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
    `Durations are wall time from start to pass; variance is live minus rehearsal. Over the ${total.entries} ${withTasks(comparison) ? 'stage(s) and task(s)' : 'stage(s)'} that passed in both: rehearsal ${durationText(total.rehearsalMs)}, live ${durationText(total.liveMs)}, variance ${signed(total.varianceMs)}.`,
  ];
}

export function renderComparison(comparison: RehearsalComparison): string {
  const { rehearsal, live } = comparison;
  return [
    `${live.programme}: live ${live.workflowId} (${live.phase}) against rehearsal ${rehearsal.workflowId} (${rehearsal.phase})`,
    '',
    renderTable(headersOf(comparison), rowsOf(comparison)),
    '',
    ...notes(comparison),
  ].join('\n');
}

export function comparisonMarkdown(comparison: RehearsalComparison): string[] {
  return [
    `Against rehearsal ${code(comparison.rehearsal.workflowId)} (${comparison.rehearsal.phase}).`,
    '',
    ...markdownTable(
      headersOf(comparison),
      rowsOf(comparison).map((row) => row.map(markdownCell)),
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
