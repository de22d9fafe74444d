/**
 * The room's tasks section: the go/no-go forecast against T, then each plan task with its stream, planned
 * slot, expected finish, slack and what is late, so the room sees drift before it reaches go-live. A task that
 * waits for the viewer carries its answer forms (`task-answers.ts`).
 */
import { formatDuration, formatOffset } from '../plan/duration.js';
import { timelineEntries } from '../operations/timeline-entries.js';
import { ROLE_TITLES } from '../runbook/stages.js';
import type { CutoverView } from './cutovers.js';
import { html, type Html } from './html.js';
import { taskAnswerForms } from './task-answers.js';
import { taskLanesPicture } from './task-lanes.js';

/** The room reads to the second: the forecast's milliseconds are noise on a page people glance at. */
const seconds = (ms: number) => Math.round(ms / 1000) * 1000;
const slackText = (ms: number | undefined) =>
  ms === undefined ? '-' : ms < 0 ? `-${formatDuration(seconds(-ms))}` : formatDuration(seconds(ms));

export function tasksSection(view: CutoverView): Html {
  const { status } = view.reading;
  const tasks = status.tasks ?? [];
  const T = Date.parse(status.goLive);
  const offset = (planIso: string | undefined) => (planIso === undefined ? '-' : formatOffset(seconds(Date.parse(planIso) - T)));
  const f = status.forecast;
  const entries = timelineEntries(status).filter((e) => e.kind === 'task');
  const forecast = f
    ? html`<p class="forecast${f.crossesT ? ' late' : ''}">
        Go/no-go forecast at <strong>${offset(f.goNoGoAt)}</strong>
        (${f.varianceMs > 0 ? `${formatDuration(seconds(f.varianceMs))} after T` : 'on time'}) · critical path ${f.criticalPath.join(' → ')}
        ${f.late.length ? html` · <strong>late: ${f.late.join(', ')}</strong>` : ''}
      </p>`
    : html`<p class="forecast">No forecast yet.</p>`;
  return html`<h2>Tasks</h2>
    ${forecast} ${taskLanesPicture(status)}
    <table class="tasks">
      <caption>
        Plan tasks by stream
      </caption>
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Stream</th>
          <th scope="col">Owner</th>
          <th scope="col">Planned</th>
          <th scope="col">Expected finish</th>
          <th scope="col">Slack</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        ${entries.map((e) => {
          const task = tasks.find((t) => t.id === e.id)!;
          return html`<tr class="task-${task.status}${e.late ? ' late' : ''}${e.critical ? ' critical' : ''}" data-task="${task.id}">
            <th scope="row">${task.id}<br /><span class="id">${task.title}</span></th>
            <td>${task.stream}</td>
            <td>${ROLE_TITLES[task.owner]}</td>
            <td>${offset(e.plannedStart)} to ${offset(e.plannedEnd)}</td>
            <td>${offset(e.expectedEnd)}</td>
            <td>${slackText(e.slackMs)}</td>
            <td>
              ${task.status}${e.late ? ' (late)' : ''}${e.critical ? ' · critical path' : ''}
              ${taskAnswerForms(view.workflowId, task, view.viewer)}
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
}
