/**
 * The room's answers about the plan's tasks: the owner of a running manual task marks it done with evidence,
 * a person of a role a held task awaits approves it, the owner of a held check asks it again or accepts it as
 * it is. Each form posts the `task-answer` message the CLI sends, signed by the room like every other answer.
 */
import { shortHex } from '../signing/approval-statement.js';
import { taskEvidenceDigest } from '../signing/task-statement.js';
import type { TaskState } from '../workflows/task-state.js';
import { field, token } from './form-parts.js';
import { html, type Html } from './html.js';
import { taskAwaitsViewer, type Viewer } from './viewer.js';

/** The forms the viewer may use on this task, or nothing when it does not wait for them. */
export function taskAnswerForms(workflowId: string, task: TaskState, viewer: Viewer): Html {
  if (!taskAwaitsViewer(task, viewer)) return html``;
  const action = `/cutovers/${encodeURIComponent(workflowId)}/answers`;
  const id = task.id;
  const digest = taskEvidenceDigest(task);
  const hidden = (answer: string) =>
    html`${token()}<input type="hidden" name="action" value="task-answer"><input type="hidden" name="task" value="${id}"><input type="hidden" name="answer" value="${answer}">`;
  const shown = html`<span class="digest">digest <code title="${digest}">${shortHex(digest)}</code></span>`;
  if (task.status === 'running') {
    return html`<form method="post" action="${action}" class="answer task-answer">${hidden('done')}
${field(`task-evidence-${id}`, 'Evidence (a sentence, a ticket or a link)', html`<textarea id="task-evidence-${id}" name="evidence" required maxlength="2000"></textarea>`)}
<button type="submit">Mark ${id} done</button> ${shown}</form>`;
  }
  const failedCheck = task.kind === 'http-check' && task.problems.length > 0 && task.hold!.awaiting.includes(task.owner);
  const approve = html`<form method="post" action="${action}" class="answer task-answer">${hidden('approve')}
${field(`task-note-${id}`, 'Note (optional)', html`<textarea id="task-note-${id}" name="note" maxlength="2000"></textarea>`)}
<button type="submit">${failedCheck ? `Accept ${id} as it is` : `Approve ${id} as ${viewer.name}`}</button> ${shown}</form>`;
  if (!failedCheck || !viewer.roles.includes(task.owner)) return approve;
  return html`${approve}<form method="post" action="${action}" class="answer task-answer">${hidden('retry')}<button type="submit">Ask ${id} again</button></form>`;
}
