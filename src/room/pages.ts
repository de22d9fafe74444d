/**
 * The room's pages: the list of cutovers, a cutover's page in live sections, and the small pages around
 * sign-in. Every section is rendered by one function, used both by the page and by the live endpoint the
 * page's script polls, so what updates live is exactly what a reload would show.
 */
import { evidenceDigest, itemEvidenceDigest, shortHex } from '../signing/approval-statement.js';
import { ROLE_TITLES } from '../runbook/stages.js';
import type { ChecklistItemState, StageState } from '../workflows/cutover-state.js';
import { seedingProgressLines, seedingProgressText } from '../workflows/seeding-progress.js';
import type { CutoverView } from './cutovers.js';
import { Html, html } from './html.js';
import { awaitedNames, timelinePicture, watchCharts } from './pictures.js';
import { awaitedCount, isLead, ownsItem } from './viewer.js';
import { debriefSection } from './debrief-section.js';
import { tasksSection } from './tasks-section.js';
import { field, token } from './form-parts.js';
import { goLiveText } from '../plan/zoned-time.js';
import { timeZoneOf } from '../operations/timeline-entries.js';

export { TOKEN_PLACEHOLDER } from './form-parts.js';

export interface PageContext {
  /** Who is signed in, as the provider says; shown in the header. */
  signedInAs?: string;
  /** Where "Sign out" posts to and the form token for it. */
  csrfToken?: string;
  temporalUiUrl?: string;
  namespace?: string;
  hasReport?: boolean;
}

export interface Notice {
  kind: 'accepted' | 'refused';
  text: string;
}

export function layout(title: string, body: Html, context: PageContext, options: { liveUrl?: string } = {}): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · cutover room</title>
<link rel="stylesheet" href="/assets/room.css"><script src="/assets/room.js" defer></script></head>
<body${options.liveUrl ? html` data-live-url="${options.liveUrl}"` : ''}>
<header class="top"><a class="home" href="/">Cutover room</a>
${
  context.signedInAs
    ? html`<span class="who">Signed in as ${context.signedInAs}</span>
<form method="post" action="/sign-out" class="inline"><input type="hidden" name="_csrf" value="${context.csrfToken ?? ''}"><button type="submit">Sign out</button></form>`
    : ''
}</header>
<main id="main">${body}</main></body></html>`.text;
}

export function signInPage(returnTo: string): Html {
  return html`<h1>Sign in</h1>
<p>The cutover room shows each person the cutovers they take part in: the gates awaiting them, their checklist items and what is happening now.</p>
<p><a class="button" href="/login?return=${encodeURIComponent(returnTo)}">Sign in with your organisation's account</a></p>`;
}

export function signedOutPage(): Html {
  return html`<h1>Signed out</h1><p>You are signed out of the cutover room in this browser. <a href="/">Sign in again</a>.</p>`;
}

function noticeBlock(notice: Notice | undefined): Html {
  if (!notice) return html``;
  return notice.kind === 'accepted'
    ? html`<p class="notice accepted" role="status">${notice.text}</p>`
    : html`<p class="notice refused" role="alert">Refused: ${notice.text}</p>`;
}

export function listPage(views: CutoverView[], identity: string, notice?: Notice): Html {
  if (views.length === 0) {
    return html`<h1>Your cutovers</h1>${noticeBlock(notice)}
<p class="empty">No cutover lists you. The plan's <code>people</code> section names each person by the email or subject the identity provider gives (you are signed in as ${identity}); ask the programme lead to add you.</p>`;
  }
  return html`<h1>Your cutovers</h1>${noticeBlock(notice)}
<ul class="cutovers">${views.map((view) => {
    const { status } = view.reading;
    const waiting = awaitedCount(view.awaited);
    return html`<li class="${waiting > 0 ? 'awaits' : ''}"><a href="/cutovers/${encodeURIComponent(view.workflowId)}">${status.programme}</a>
<span class="id">${view.workflowId}</span> <span class="phase phase-${status.phase}">${status.phase}</span>
${waiting > 0 ? html`<strong class="awaiting-you">${waiting} awaiting you (${view.viewer.name})</strong>` : html`<span>nothing awaits you</span>`}</li>`;
  })}</ul>`;
}

/** Evidence as written; a check's structured evidence folded under `foldId` where the page lists many items. */
function evidenceBlock(evidence: unknown, foldId?: string): Html {
  if (evidence === undefined || (typeof evidence === 'object' && evidence !== null && Object.keys(evidence).length === 0))
    return html`<p>No evidence recorded.</p>`;
  if (typeof evidence === 'string') return html`<p class="evidence-text">${evidence}</p>`;
  const shown = html`<pre class="evidence">${JSON.stringify(evidence, null, 2)}</pre>`;
  return foldId ? html`<details id="${foldId}"><summary>What the check saw</summary>${shown}</details>` : shown;
}

function gateCard(view: CutoverView, stage: StageState): Html {
  const { viewer } = view;
  const base = `${stage.id}`;
  const digest = evidenceDigest(stage);
  const decision = stage.id === 'debrief';
  return html`<article class="card gate" id="gate-${base}"><h3>${stage.id}: ${stage.title}</h3>
<p>Holding for ${awaitedNames(stage, view.plan)}: ${stage.hold?.reason ?? ''}</p>
<p class="digest">Evidence digest <code title="${digest}">${shortHex(digest)}</code> <span class="full-digest">${digest}</span></p>
${stage.problems.length ? html`<ul class="problems">${stage.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
${evidenceBlock(stage.evidence)}
${
  decision
    ? isLead(viewer)
      ? html`<form method="post" action="/cutovers/${encodeURIComponent(view.workflowId)}/answers" class="answer">${token()}<input type="hidden" name="action" value="decide">
${field(`decide-reason`, 'Reason', html`<textarea id="decide-reason" name="reason" required maxlength="2000"></textarea>`)}
<button type="submit" name="decision" value="roll-forward">Roll forward</button> <button type="submit" name="decision" value="roll-back" class="danger">Roll back</button></form>`
      : ''
    : html`<form method="post" action="/cutovers/${encodeURIComponent(view.workflowId)}/answers" class="answer">${token()}<input type="hidden" name="action" value="approve"><input type="hidden" name="stage" value="${stage.id}">
${field(`approve-note-${base}`, 'Note (optional)', html`<textarea id="approve-note-${base}" name="note" maxlength="2000"></textarea>`)}
${stage.id === 'go-live' && viewer.roles.includes('lead') ? field(`approve-auth-${base}`, 'Authorization id of the real low-risk authorization', html`<input id="approve-auth-${base}" name="authorizationId" maxlength="200">`) : ''}
<button type="submit">Approve ${stage.id} as ${viewer.name}</button></form>
<form method="post" action="/cutovers/${encodeURIComponent(view.workflowId)}/answers" class="answer">${token()}<input type="hidden" name="action" value="reject"><input type="hidden" name="stage" value="${stage.id}">
${field(`reject-reason-${base}`, 'Reason to reject', html`<textarea id="reject-reason-${base}" name="reason" required maxlength="2000"></textarea>`)}
<button type="submit" class="danger">Reject ${stage.id}</button></form>`
}</article>`;
}

function itemActions(view: CutoverView, item: ChecklistItemState): Html {
  const { viewer } = view;
  const action = `/cutovers/${encodeURIComponent(view.workflowId)}/answers`;
  const id = item.id;
  const open = item.status === 'open' || item.status === 'failed';
  const parts: Html[] = [];
  if (open && ownsItem(item, viewer) && item.kind === 'attested') {
    parts.push(html`<form method="post" action="${action}" class="answer">${token()}<input type="hidden" name="action" value="complete-item"><input type="hidden" name="item" value="${id}">
${field(`evidence-${id}`, 'Evidence (a sentence, a ticket or a link)', html`<textarea id="evidence-${id}" name="evidence" required maxlength="2000"></textarea>`)}
<button type="submit">Complete ${id}</button></form>`);
  }
  if (item.kind === 'automated' && item.status === 'failed' && ownsItem(item, viewer)) {
    parts.push(
      html`<form method="post" action="${action}" class="answer">${token()}<input type="hidden" name="action" value="retry-item"><input type="hidden" name="item" value="${id}"><button type="submit">Re-run the check ${id}</button></form>`,
    );
  }
  if (open && isLead(viewer)) {
    parts.push(html`<form method="post" action="${action}" class="answer">${token()}<input type="hidden" name="action" value="waive-item"><input type="hidden" name="item" value="${id}">
${field(`waive-${id}`, 'Reason to waive', html`<input id="waive-${id}" name="reason" required maxlength="2000">`)}
<button type="submit">Waive ${id}</button></form>`);
  }
  return html`${parts}`;
}

function itemRow(view: CutoverView, item: ChecklistItemState, withActions: boolean): Html {
  const by = item.completedBy ?? item.waivedBy;
  return html`<tr class="item item-${item.status}${ownsItem(item, view.viewer) ? ' mine' : ''}"><th scope="row">${item.title}<br><span class="id">${item.id}</span></th>
<td>${ROLE_TITLES[item.owner]} (${(view.plan.approvers[item.owner] ?? []).join(', ')})</td><td><span class="status">${item.status}</span>${by ? html` by ${by}` : ''}${
    item.status === 'checking' && item.progress ? html`<br><span class="progress">${seedingProgressText(item.progress)}</span>` : ''
  }</td>
<td>${item.evidence !== undefined ? evidenceBlock(item.evidence, withActions ? undefined : `evidence-of-${item.id}`) : ''}${item.reason ? html`<p>${item.reason}</p>` : ''}${item.problems.length ? html`<ul class="problems">${item.problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
${withActions ? html`<p class="digest">Evidence digest <code>${shortHex(itemEvidenceDigest(item))}</code></p>${itemActions(view, item)}` : ''}</td></tr>`;
}

function itemTable(view: CutoverView, items: ChecklistItemState[], caption: string, withActions: boolean): Html {
  return html`<table class="checklist"><caption>${caption}</caption><thead><tr><th scope="col">Item</th><th scope="col">Owner</th><th scope="col">Status</th><th scope="col">Evidence</th></tr></thead>
<tbody>${items.map((item) => itemRow(view, item, withActions))}</tbody></table>`;
}

function summarySection(view: CutoverView, context: PageContext): Html {
  const { status, executionStatus } = view.reading;
  const ui =
    context.temporalUiUrl && context.namespace
      ? `${context.temporalUiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(context.namespace)}/workflows/${encodeURIComponent(view.workflowId)}`
      : undefined;
  return html`<h1>${status.programme}</h1>
<p class="facts"><span class="phase phase-${status.phase}">${status.phase}</span> ${status.currentStage ? html`at <strong>${status.currentStage}</strong>` : ''} · go-live ${goLiveText(status.goLive, timeZoneOf(status))} · ${executionStatus.toLowerCase()} · you are ${view.viewer.name} (${view.viewer.roles.map((r) => ROLE_TITLES[r]).join(', ') || 'no role'})</p>
${seedingProgressLines(status.checklist).map((p) => html`<p class="progress">${p.id}: ${p.text}</p>`)}
<p class="links">${ui ? html`<a href="${ui}">Open in the Temporal UI</a>` : ''}${context.hasReport ? html` · <a href="/cutovers/${encodeURIComponent(view.workflowId)}/report">Launch report</a>` : ''}</p>`;
}

function awaitingSection(view: CutoverView): Html {
  const { stages, items, tasks = [] } = view.awaited;
  if (awaitedCount(view.awaited) === 0) return html`<h2>Awaiting you</h2><p>Nothing awaits you now.</p>`;
  return html`<h2>Awaiting you</h2>${stages.map((stage) => gateCard(view, stage))}
${items.length ? itemTable(view, items, `Your open items (${items.length})`, true) : ''}
${tasks.length ? html`<p class="awaiting-tasks">Tasks awaiting you, answered under Tasks: ${tasks.map((t) => t.id).join(', ')}</p>` : ''}`;
}

function stagesSection(view: CutoverView): Html {
  const { status } = view.reading;
  const action = `/cutovers/${encodeURIComponent(view.workflowId)}/answers`;
  return html`<h2>Timeline</h2>${timelinePicture(status, view.plan, Date.now())}
<table class="stages"><caption>Stages</caption><thead><tr><th scope="col">Stage</th><th scope="col">Planned</th><th scope="col">Status</th><th scope="col">Approvals</th></tr></thead><tbody>
${status.stages.map(
  (
    stage,
  ) => html`<tr class="stage-${stage.status}"><th scope="row">${stage.id}<br><span class="id">${stage.title}</span></th><td>${stage.offset}</td>
<td>${stage.status}${stage.status === 'holding' ? html`: awaiting ${awaitedNames(stage, view.plan)}` : ''}${
    (stage.status === 'holding' || stage.status === 'failed' || stage.status === 'rejected') && stage.id !== 'debrief'
      ? html`<form method="post" action="${action}" class="inline">${token()}<input type="hidden" name="action" value="retry"><input type="hidden" name="stage" value="${stage.id}"><button type="submit">Retry ${stage.id}</button></form>`
      : ''
  }</td>
<td>${stage.approvals.map((a) => html`<span class="approval">${a.decision} by ${a.by} (${ROLE_TITLES[a.role]})${a.note ? html`: ${a.note}` : ''}</span> `)}</td></tr>`,
)}</tbody></table>`;
}

function checklistSection(view: CutoverView): Html {
  const { checklist } = view.reading.status;
  const sections = [...new Set(checklist.map((item) => item.section))];
  const mineFirst = (items: ChecklistItemState[]) => [
    ...items.filter((i) => ownsItem(i, view.viewer)),
    ...items.filter((i) => !ownsItem(i, view.viewer)),
  ];
  const done = checklist.filter((i) => i.status === 'done' || i.status === 'waived').length;
  return html`<h2>Checklist (${done} of ${checklist.length} done)</h2>${sections.map((section) =>
    itemTable(view, mineFirst(checklist.filter((item) => item.section === section)), section, false),
  )}`;
}

function eventsSection(view: CutoverView): Html {
  const { status } = view.reading;
  const alerts = status.watch?.alerts ?? [];
  const action = `/cutovers/${encodeURIComponent(view.workflowId)}/answers`;
  return html`<h2>Alerts</h2>${
    alerts.length
      ? html`<ul>${alerts.map((a) => html`<li class="alert ${a.recoveredAt ? 'recovered' : 'open'}">${a.severity} ${a.rule}: ${a.opened}${a.recoveredAt ? html` · recovered ${a.recovered ?? ''}` : ' · open'}</li>`)}</ul>`
      : html`<p>No alert.</p>`
  }
<h2>Incidents</h2>${
    status.incidents.length
      ? html`<ul>${status.incidents.map((i) => html`<li class="incident">${i.at} ${i.severity} by ${i.by}: ${i.summary}</li>`)}</ul>`
      : html`<p>No incident logged.</p>`
  }
<form method="post" action="${action}" class="answer">${token()}<input type="hidden" name="action" value="report-incident">
${field('incident-severity', 'Severity', html`<select id="incident-severity" name="severity"><option>sev3</option><option>sev2</option><option>sev1</option></select>`)}
${field('incident-summary', 'What happened', html`<textarea id="incident-summary" name="summary" required maxlength="2000"></textarea>`)}
<button type="submit">Log incident</button></form>
<h2>Refused attempts</h2>${
    status.refusals.length
      ? html`<ul>${status.refusals.map((r) => html`<li class="refusal">${r.at} ${r.kind}${r.by ? html` by ${r.by}` : ''}${r.stage ? html` at ${r.stage}` : ''}${r.item ? html` on ${r.item}` : ''}${r.task ? html` on task ${r.task}` : ''}: ${r.reason}</li>`)}</ul>`
      : html`<p>No refused attempt.</p>`
  }`;
}

function watchSection(view: CutoverView): Html {
  const watch = view.reading.status.watch;
  if (!watch)
    return html`<h2>Post-launch watch</h2><p>The watch starts when the go-live smoke tests pass, or at the roll-forward when the plan says so.</p>`;
  const action = `/cutovers/${encodeURIComponent(view.workflowId)}/answers`;
  return html`<h2>Post-launch watch</h2><p>${watch.status}, ends ${watch.endsPlanAt} on the plan's clock; ${watch.reads} reads.</p>
${watchCharts(watch.summaries)}
${
  watch.status === 'watching' && isLead(view.viewer)
    ? html`<form method="post" action="${action}" class="answer">${token()}<input type="hidden" name="action" value="end-watch">
${field('end-reason', 'Reason to end the watch early', html`<input id="end-reason" name="reason" required maxlength="2000">`)}<button type="submit">End the watch</button></form>
<form method="post" action="${action}" class="answer">${token()}<input type="hidden" name="action" value="extend-watch">
${field('extend-by', 'Extend by (e.g. 12h)', html`<input id="extend-by" name="extendBy" required maxlength="20">`)}
${field('extend-reason', 'Reason to extend', html`<input id="extend-reason" name="reason" required maxlength="2000">`)}<button type="submit">Extend the watch</button></form>`
    : ''
}`;
}

/** The live sections of a cutover's page, by element id, with the form token still a placeholder. */
export function cutoverSections(view: CutoverView, context: PageContext): Record<string, Html> {
  return {
    summary: summarySection(view, context),
    awaiting: awaitingSection(view),
    timeline: stagesSection(view),
    ...(view.reading.status.tasks?.length ? { tasks: tasksSection(view) } : {}),
    checklist: checklistSection(view),
    events: eventsSection(view),
    debrief: debriefSection(view),
    watch: watchSection(view),
  };
}

export function cutoverPage(sections: Record<string, { html: string; digest: string }>, notice: Notice | undefined): Html {
  return html`${noticeBlock(notice)}<p class="live-state" aria-live="polite" id="live-state">Live: this page updates itself.</p>
${Object.entries(sections).map(([id, section]) => html`<section id="${id}" data-live data-digest="${section.digest}">${new Html(section.html)}</section>`)}`;
}
