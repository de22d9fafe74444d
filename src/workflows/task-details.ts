/**
 * The plan's tasks and their forecast as Markdown, for the cutover's current details in the Temporal UI
 * and for the CLI's status: go/no-go forecast against T, the critical path, then one row per task.
 */
import { formatDuration } from '../plan/duration.js';
import { ROLE_TITLES } from '../runbook/stages.js';
import type { CutoverStatus } from './cutover-state.js';
import { markdownInline } from './markdown-text.js';

const signed = (ms: number) => (ms === 0 ? '0s' : `${ms > 0 ? '+' : '-'}${formatDuration(Math.abs(ms))}`);

/** The forecast in one line: when go/no-go is expected against T, and what is late. */
export function forecastLine(status: CutoverStatus): string | undefined {
  const f = status.forecast;
  if (!f) return undefined;
  const when = f.varianceMs > 0 ? `${formatDuration(f.varianceMs)} after T` : 'on time';
  return (
    `go/no-go forecast ${f.goNoGoAt} (${when}) · critical path ${f.criticalPath.join(' → ')}` +
    (f.late.length ? ` · late: ${f.late.join(', ')}` : '')
  );
}

export function renderTaskDetails(status: CutoverStatus): string[] {
  if (!status.tasks?.length) return [];
  const byId = new Map((status.forecast?.tasks ?? []).map((t) => [t.id, t]));
  const lines = [
    '',
    `**Tasks** ${markdownInline(forecastLine(status) ?? '')}`,
    '',
    '| Stream | Task | Status | Owner | Expected finish | Slack | Notes |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const task of status.tasks) {
    const f = byId.get(task.id);
    const notes = [
      task.hold ? `awaiting ${task.hold.awaiting.map((r) => ROLE_TITLES[r]).join(', ')}` : '',
      ...task.problems,
      task.reason ?? '',
    ]
      .filter(Boolean)
      .join('; ');
    lines.push(
      `| ${markdownInline(task.stream)} | ${task.id} | ${task.status}${f?.late ? ' (late)' : ''} | ${ROLE_TITLES[task.owner]} | ${f?.expectedFinish ?? ''} | ${f?.slackMs === undefined ? '' : signed(f.slackMs)} | ${markdownInline(notes)} |`,
    );
  }
  return lines;
}
