/**
 * The launch report as one HTML file people read: outcome first, then pictures before tables. Everything is
 * inline (style, SVG charts, screenshots as data URIs), so the file opens offline and prints to PDF as is.
 * Rendered from the same model as the Markdown and JSON, so the three tell the same story.
 */
import { authenticationText } from '../authentication.js';
import { bySection, closedBy, evidenceOrReason, itemTitle, roleTitle } from '../checklist.js';
import { plannedHeading, plannedTime, shortTime } from '../time.js';
import { periodText } from '../watch.js';
import { evidenceFields } from './evidence-fields.js';
import { incidentPicture, timelinePicture, watchCharts } from './html-charts.js';
import type { LaunchReport } from './model.js';
import { delayText } from './markdown.js';
import { signed } from './post-launch.js';
import { escapeHtml as h } from '../../../net/html.js';
import { slackText } from './tasks.js';

/** Screenshot images by their recorded path, as data URIs; a shot whose file is missing is named instead. */
export type ScreenshotImages = Record<string, string>;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232b;margin:0 auto;max-width:1040px;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d7dbe0;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}.meta{color:#56606b}
.outcome{border-left:6px solid #8a8f98;background:#f5f6f8;padding:10px 14px;margin:16px 0}
.outcome.completed{border-color:#2e7d32}.outcome.rolled-back,.outcome.aborted{border-color:#c62828}.outcome.running{border-color:#1565c0}
.outcome p{margin:4px 0;font-size:16px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}th,td{border:1px solid #d7dbe0;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f0f2f5}dl{margin:0;display:grid;grid-template-columns:max-content 1fr;column-gap:8px}dt{color:#56606b}dd{margin:0;word-break:break-word}
figure{margin:8px 0 16px}figcaption{font-size:12px;color:#56606b}svg{width:100%;height:auto;background:#fff}
svg .grid{stroke:#e3e6ea}svg .tick{font-size:10px;fill:#56606b}.chart svg .tick{font-size:14px}svg .lane{font-size:11px;fill:#1d232b}svg .lane.critical{font-weight:700;fill:#c62828}
svg .series{fill:none;stroke-width:2}svg .threshold{stroke-dasharray:5 4;stroke-width:1.5}
.key{margin-left:10px}.key i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:8px}.shot img{max-width:100%;border:1px solid #d7dbe0}
.failed{color:#c62828}code{font-size:12px;background:#f0f2f5;padding:0 3px;border-radius:3px}
@media print{body{max-width:none;padding:0}section{break-inside:avoid-page}}
`;

function table(headers: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  const head = headers.map((x) => `<th>${h(x)}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function section(id: string, title: string, body: string, empty: string): string {
  return `<section id="${id}"><h2>${h(title)}</h2>${body || `<p>${h(empty)}</p>`}</section>`;
}

const code = (text: string) => `<code>${h(text)}</code>`;
const time = (iso: string | null | undefined) => h(shortTime(iso ?? undefined));

/** Evidence as a definition list: a label per field, no JSON. */
export function evidenceHtml(evidence: unknown): string {
  const fields = evidenceFields(evidence);
  if (fields.length === 0) return '-';
  if (fields.length === 1 && !fields[0]?.label) return h(fields[0]?.value ?? '');
  return `<dl>${fields.map((f) => `<dt>${h(f.label)}</dt><dd>${h(f.value)}</dd>`).join('')}</dl>`;
}

function outcomeHtml(report: LaunchReport): string {
  const final = report.finalOutcome;
  return (
    `<section id="outcome" class="outcome ${h(final.state)}"><h2>Outcome</h2><p><strong>${h(final.summary)}</strong></p>` +
    (report.outcome.summary !== final.summary ? `<p>${h(report.outcome.summary)}</p>` : '') +
    (final.postLaunch.length ? `<ul>${final.postLaunch.map((line) => `<li>${h(line)}</li>`).join('')}</ul>` : '') +
    `</section>`
  );
}

function timelineHtml(report: LaunchReport): string {
  if (report.timeline.length === 0) return '';
  const scale =
    report.timeScale === 1
      ? ''
      : `<p>Time scale ${report.timeScale}: the picture and the due, started and finished times are wall-clock; planned times are on the plan's clock.</p>`;
  const rows = report.timeline.map((t) => [
    `${h(t.title)}<br>${code(t.stage)}`,
    h(t.offset),
    h(roleTitle(t.owner)),
    h(plannedTime(t.planned, report.timeZone)),
    time(t.started),
    time(t.finished),
    h(delayText(t.delayMs)),
    h(t.status),
    t.problems.length ? h(t.problems.join('; ')) : '-',
  ]);
  return `${scale}${timelinePicture(report)}${table(['stage', 'at', 'owner', plannedHeading(report.timeZone), 'started', 'finished', 'delay', 'status', 'problems'], rows)}${tasksHtml(report)}`;
}

function tasksHtml(report: LaunchReport): string {
  const rows = (report.tasks?.entries ?? []).map((t) => [
    `${h(t.title)}<br>${code(t.id)}`,
    h(t.stream),
    h(roleTitle(t.owner)),
    t.after.length ? t.after.map(code).join(', ') : '-',
    h(plannedTime(t.planned, report.timeZone)),
    time(t.started),
    time(t.finished),
    h(t.late ? `${t.status} (late)` : t.status),
    h(slackText(t.slackMs)),
    t.critical ? 'yes' : '-',
  ]);
  if (rows.length === 0) return '';
  return table(
    ['task', 'stream', 'owner', 'after', plannedHeading(report.timeZone), 'started', 'finished', 'status', 'slack', 'critical'],
    rows,
  );
}

function approvalsHtml(report: LaunchReport): string {
  const rows = report.approvals.map((a) => [
    code(a.stage),
    String(a.attempt),
    h(a.decision),
    `${h(a.by)} (${h(roleTitle(a.role))})`,
    time(a.at),
    a.note ? h(a.note) : '-',
    a.authorizationId ? code(a.authorizationId) : '-',
    h(authenticationText(a.authenticated)),
  ]);
  const decision = report.decision
    ? `<p><strong>Decision:</strong> ${h(report.decision.decision)} by ${h(report.decision.by)} at ${time(report.decision.at)}: ${h(report.decision.reason)}</p>`
    : '';
  const abort = report.abort
    ? `<p><strong>Abort:</strong> by ${h(report.abort.by)} at ${time(report.abort.at)}: ${h(report.abort.reason)}</p>`
    : '';
  return table(['stage', 'attempt', 'decision', 'by', 'at', 'note', 'authorization id', 'how authenticated'], rows) + decision + abort;
}

function debriefHtml(report: LaunchReport): string {
  const pack = report.debriefPack;
  if (!pack) return '';
  const f = pack.figures;
  const recovered = pack.alerts.filter((a) => a.recoveredAt !== undefined).length;
  const rules = pack.rules.length
    ? table(
        ['rule', 'critical', 'judged', 'finding'],
        pack.rules.map((r) => [
          code(r.rule),
          r.critical ? 'yes' : 'no',
          r.outcome === 'Failed' ? `<strong class="failed">${h(r.outcome)}</strong>` : h(r.outcome),
          h(r.finding),
        ]),
      )
    : '<p>The plan sets no debrief rules.</p>';
  const figures = f
    ? `<p>From T (${h(pack.fromPlan)} to ${h(pack.toPlan)} on the plan's clock): authorizations ${f.authorizations.approved} approved, ${f.authorizations.declined} declined; webhooks ${f.webhooks.succeeded} delivered, ${f.webhooks.failed} failed; ${f.rateLimited} answered ErrRateLimited.</p>`
    : `<p>Figures from T: not read (${h(pack.figuresProblem ?? 'no reason recorded')}).</p>`;
  return (
    `<p>Recommendation at ${time(pack.at)}: <strong>${h(pack.recommendation.decision)}</strong> (${h(pack.recommendation.reason)}).</p>` +
    (pack.autoRollBack
      ? `<p class="failed">Rolled back by the workflow: critical rule(s) failed: ${pack.autoRollBack.rules.map(code).join(', ')}.</p>`
      : '') +
    rules +
    figures +
    `<p>Alerts since T: ${pack.alerts.length} opened, ${recovered} recovered. Incidents reported since T: ${pack.incidents.length}.</p>`
  );
}

function smokeHtml(report: LaunchReport): string {
  return table(
    ['step', 'PayCA request id', 'what it showed'],
    report.smokeTests.map((s) => [code(s.step), s.requestId ? code(s.requestId) : '-', h(s.detail)]),
  );
}

function checklistHtml(report: LaunchReport): string {
  return bySection(report.checklist)
    .map(
      ({ section: name, items }) =>
        `<h3>${h(name)}</h3>` +
        table(
          ['item', 'owner', 'status', 'by', 'when', 'evidence or reason'],
          items.map((item) => [
            `${h(itemTitle(item))}<br>${code(item.id)}`,
            h(roleTitle(item.owner)),
            h(item.status),
            h(closedBy(item) ?? '-'),
            time(item.at),
            item.status === 'waived' ? h(evidenceOrReason(item) ?? '-') : evidenceHtml(item.evidence),
          ]),
        ),
    )
    .join('');
}

function incidentsHtml(report: LaunchReport): string {
  const picture = incidentPicture(report) ?? '';
  const alerts = table(
    ['alert', 'severity', 'opened', 'what was seen', 'recovered'],
    report.alerts.map((a) => [
      code(a.id),
      h(a.severity),
      time(a.openedAt),
      h(a.opened),
      a.recoveredAt ? `${time(a.recoveredAt)}: ${h(a.recovered ?? '')}` : '<strong>still open</strong>',
    ]),
  );
  const log = table(
    ['time', 'kind', 'who', 'what'],
    report.incidentLog.map((i) => [time(i.at), h(i.kind), h(i.who ?? '-'), h(i.what)]),
  );
  return picture + alerts + log;
}

function watchHtml(report: LaunchReport): string {
  const charts = watchCharts(report);
  const intro = `<p>${h(report.watch.summary)}</p>`;
  if (charts.length === 0) return intro;
  const rows = report.summaries.map((s) => [
    String(s.period),
    h(periodText(report.goLive, s)),
    String(s.totals.authorizations.approved),
    String(s.totals.authorizations.declined),
    String(s.totals.webhooks.succeeded),
    String(s.totals.webhooks.failed),
    String(s.totals.rateLimited),
  ]);
  return `${intro}<div class="charts">${charts.join('')}</div>${table(['period', 'plan time', 'approved', 'declined', 'webhooks ok', 'webhooks failed', '429s'], rows)}`;
}

function feesHtml(report: LaunchReport): string {
  const f = report.feeReconciliation;
  const r = f.result;
  const rows = (r?.currencies ?? []).map((row) => [
    h(String(row.currency ?? '-')),
    h(String(row.statementFees ?? '-')),
    h(String(row.metricsFees ?? '-')),
    h(typeof row.difference === 'number' ? signed(row.difference) : '-'),
    row.matches ? 'yes' : '<strong>no</strong>',
    row.statementByType ? evidenceHtml(row.statementByType) : '-',
  ]);
  const accepted = f.acceptedBy.map((a) => `<p>Accepted by ${h(a.by)} at ${time(a.at)}${a.note ? `: ${h(a.note)}` : ''}</p>`).join('');
  return `<p>${h(f.summary)}</p>${table(['currency', 'statement fees', 'metrics fees', 'difference', 'reconciles', 'statement lines'], rows)}${accepted}`;
}

function dashboardsHtml(report: LaunchReport, images: ScreenshotImages): string {
  const links = report.dashboards.length
    ? `<ul>${report.dashboards.map((d) => `<li><a href="${h(d.url)}">${h(d.title)}</a></li>`).join('')}</ul>`
    : '<p>None listed in the plan (<code>postLaunch.dashboards</code>).</p>';
  const shots = report.dashboardShots.map((shot) => {
    const caption = `${h(shot.title)}, ${shot.moment === 'debrief' ? 'at the debrief' : "at the watch's end"}, ${time(shot.at)}`;
    const image = shot.path ? images[shot.path] : undefined;
    if (image)
      return `<figure class="shot"><img alt="${h(`${shot.title} at ${shot.moment}`)}" src="${image}"><figcaption>${caption}, sha256 ${code(shot.sha256?.slice(0, 12) ?? '-')}</figcaption></figure>`;
    const why = shot.failed ?? `the image ${shot.path ?? ''} is not in the artifacts directory`;
    return `<p class="failed shot-failed">${caption}: no screenshot: ${h(why)}</p>`;
  });
  return links + shots.join('');
}

/** The HTML document, from the model and the screenshots' images. */
export function launchReportHtml(report: LaunchReport, images: ScreenshotImages = {}): string {
  const body = [
    `<h1>Launch report: ${h(report.programme)}</h1>`,
    `<p class="meta">Go-live ${time(report.goLive)}. Cutover ${code(report.workflowId)}, started by ${h(report.startedBy)} at ${time(report.startedAt)}, time scale ${report.timeScale}. Generated ${time(report.generatedAt)}.</p>`,
    outcomeHtml(report),
    section('timeline', 'Timeline', timelineHtml(report), 'No stages.'),
    section('approvals', 'Approvals and how each was authenticated', approvalsHtml(report), 'No approvals, rejections or decisions yet.'),
    section('smoke-tests', 'Smoke-test evidence', smokeHtml(report), 'The go-live smoke tests have not run yet.'),
    ...(report.debriefPack ? [section('debrief', 'Debrief data pack', debriefHtml(report), '')] : []),
    section('watch', 'The post-launch watch', watchHtml(report), ''),
    section('incidents', 'Alerts and incidents', incidentsHtml(report), 'No alerts or incidents.'),
    section('fees', 'Day-1 fee reconciliation per currency', feesHtml(report), ''),
    section('dashboards', 'Dashboards', dashboardsHtml(report, images), ''),
    section('checklist', 'Launch checklist', checklistHtml(report), 'No items.'),
  ];
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">` +
    `<title>${h(`Launch report: ${report.programme}`)}</title><style>${STYLE}</style></head><body>${body.join('\n')}</body></html>\n`
  );
}
