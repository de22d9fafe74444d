/**
 * The plan's tasks in `cutover status`: the go/no-go forecast against T and the critical path, then one row
 * per task with its stream, status, expected finish, slack, and what it waits for or why it stopped.
 */
import { formatDuration } from '../../plan/duration.js';
import type { CutoverStatus } from '../../workflows/cutover-state.js';
import { renderTable } from './table.js';
import { shortTime } from './time.js';

const signed = (ms: number) => (ms === 0 ? '0s' : `${ms > 0 ? '+' : '-'}${formatDuration(Math.abs(ms))}`);

export function taskLines(status: CutoverStatus): string[] {
  if (!status.tasks?.length) return [];
  const f = status.forecast;
  const byId = new Map((f?.tasks ?? []).map((t) => [t.id, t]));
  const lines: string[] = [];
  if (f) {
    lines.push(
      `go/no-go forecast ${shortTime(f.goNoGoAt)} (plan time), ${f.varianceMs > 0 ? `${formatDuration(f.varianceMs)} after T` : 'on time'}; critical path ${f.criticalPath.join(' → ')}` +
        (f.late.length ? `; late: ${f.late.join(', ')}` : ''),
    );
  }
  const rows = status.tasks.map((task) => {
    const forecast = byId.get(task.id);
    const notes = task.hold
      ? `awaiting ${task.hold.awaiting.join(', ')}: ${task.hold.reason}`
      : task.status === 'done'
        ? `${task.completedBy ? `${task.completedBy}: ` : ''}${task.evidence ?? ''}`
        : (task.reason ?? task.problems.join('; '));
    return [
      task.stream,
      task.id,
      `${task.status}${forecast?.late ? ' (late)' : ''}`,
      task.owner,
      forecast ? shortTime(forecast.expectedFinish) : '',
      forecast?.slackMs === undefined ? '' : signed(forecast.slackMs),
      notes,
    ];
  });
  return [...lines, ...renderTable(['stream', 'task', 'status', 'owner', 'expected finish', 'slack', 'notes'], rows).split('\n')];
}
