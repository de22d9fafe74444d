/** The launch report in Markdown, rendered from the model alone. */
import { formatDuration } from '../../../plan/duration.js';
import { recorded } from '../../../operations/evidence.js';
import { shortHex } from '../../../signing/approval-statement.js';
import { authenticationText } from '../authentication.js';
import { checklistSections, code, markdownCell, markdownTable } from '../checklist-document.js';
import { roleTitle } from '../checklist.js';
import { omittedLines } from '../omitted.js';
import { compensationOutcome, refusalSummaryLines } from '../status.js';
import { goLiveText, plannedHeading, plannedTime, shortTime } from '../time.js';
import { periodText, planOffset, planTimeText } from '../watch.js';
import { rehearsalLines } from '../rehearsal-comparison.js';
import type { LaunchReport } from './model.js';
import { taskLines } from './tasks.js';
import { FINDING_TEXT, signed } from './post-launch.js';

/** "on time" within a second, else "+4m12s late" or "-3s early": starts are compared on the wall clock. */
export function delayText(delayMs: number | null): string {
  if (delayMs === null) return '-';
  const seconds = Math.round(delayMs / 1000);
  if (seconds === 0) return 'on time';
  const amount = formatDuration(Math.abs(seconds) * 1000);
  return seconds > 0 ? `+${amount} late` : `-${amount} early`;
}

const cell = (value: string | null | undefined): string => (value ? markdownCell(value) : '-');

function section(title: string, body: string[], empty: string): string[] {
  return ['', `## ${title}`, '', ...(body.length ? body : [empty])];
}

/** The debrief's data pack: the recommendation, each plan rule judged, and the figures from T it stood on. */
function debriefPackLines(report: LaunchReport): string[] {
  const pack = report.debriefPack;
  if (!pack) return [];
  const f = pack.figures;
  const recovered = pack.alerts.filter((a) => a.recoveredAt !== undefined).length;
  return [
    `Recommendation at ${shortTime(pack.at)}: **${pack.recommendation.decision}** (${markdownCell(pack.recommendation.reason)}).`,
    ...(pack.autoRollBack
      ? ['', `Rolled back by the workflow: critical rule(s) failed: ${pack.autoRollBack.rules.map(code).join(', ')}.`]
      : []),
    '',
    ...(pack.rules.length
      ? markdownTable(
          ['rule', 'critical', 'judged', 'finding'],
          pack.rules.map((r) => [code(r.rule), r.critical ? 'yes' : 'no', r.outcome, markdownCell(r.finding)]),
        )
      : ['The plan sets no debrief rules.']),
    '',
    f
      ? `From T (${pack.fromPlan} to ${pack.toPlan} on the plan's clock): authorizations ${f.authorizations.approved} approved, ${f.authorizations.declined} declined; webhooks ${f.webhooks.succeeded} delivered, ${f.webhooks.failed} failed; ${f.rateLimited} answered ErrRateLimited${pack.figuresRequestId ? ` (PayCA request ${code(pack.figuresRequestId)})` : ''}.`
      : `Figures from T: not read (${markdownCell(pack.figuresProblem ?? 'no reason recorded')}).`,
    `Alerts since T: ${pack.alerts.length} opened, ${recovered} recovered. Incidents reported since T: ${pack.incidents.length}.`,
  ];
}

function timelineLines(report: LaunchReport): string[] {
  if (report.timeline.length === 0) return [];
  const clocks =
    report.timeScale === 1
      ? []
      : [
          `Time scale ${report.timeScale}: planned times are on the plan's clock; due, started and finished are wall-clock, and the delay is started minus due.`,
          '',
        ];
  return [
    ...clocks,
    ...markdownTable(
      ['stage', 'at', 'owner', plannedHeading(report.timeZone), 'due', 'started', 'finished', 'delay', 'status', 'attempts', 'problems'],
      report.timeline.map((t) => [
        `${markdownCell(t.title)}<br>${code(t.stage)}`,
        t.offset,
        markdownCell(roleTitle(t.owner)),
        plannedTime(t.planned, report.timeZone),
        shortTime(t.due),
        shortTime(t.started ?? undefined),
        shortTime(t.finished ?? undefined),
        delayText(t.delayMs),
        t.status,
        String(t.attempts),
        t.problems.length ? markdownCell(t.problems.join('; ')) : '-',
      ]),
    ),
    ...taskLines(report),
  ];
}

function approvalLines(report: LaunchReport): string[] {
  const lines =
    report.approvals.length === 0
      ? []
      : markdownTable(
          ['stage', 'attempt', 'decision', 'by', 'role', 'at', 'note or reason', 'authorization id', 'authenticated'],
          report.approvals.map((a) => [
            code(a.stage),
            String(a.attempt),
            a.decision,
            markdownCell(a.by),
            markdownCell(roleTitle(a.role)),
            shortTime(a.at),
            cell(a.note),
            a.authorizationId ? code(a.authorizationId) : '-',
            markdownCell(authenticationText(a.authenticated)),
          ]),
        );
  const itemAnswers = report.itemAnswers ?? [];
  if (itemAnswers.length) {
    lines.push(
      '',
      'Signed checklist answers:',
      '',
      ...markdownTable(
        ['item', 'check runs', 'answer', 'by', 'at', 'evidence or reason', 'signed'],
        itemAnswers.map((a) => [
          code(a.item),
          String(a.attempt),
          a.decision,
          markdownCell(a.by),
          shortTime(a.at),
          cell(a.note),
          `key ${code(shortHex(a.signature.publicKey))}`,
        ]),
      ),
    );
  }
  if (report.approvals.some((a) => a.signature) || itemAnswers.length) {
    lines.push(
      '',
      'Signed answers carry their Ed25519 signature in the JSON report; `cutover verify REPORT.json` checks each one offline.',
    );
  }
  if (report.decision) {
    const d = report.decision;
    lines.push('', `**Decision:** ${d.decision} by ${markdownCell(d.by)} at ${shortTime(d.at)}: ${markdownCell(d.reason)}`);
  }
  if (report.abort) {
    const a = report.abort;
    lines.push('', `**Abort:** by ${markdownCell(a.by)} at ${shortTime(a.at)}: ${markdownCell(a.reason)}`);
  }
  return lines[0] === '' ? lines.slice(1) : lines;
}

function smokeTestLines(report: LaunchReport): string[] {
  if (report.smokeTests.length === 0) return [];
  return markdownTable(
    ['step', 'PayCA request id', 'detail'],
    report.smokeTests.map((s) => [code(s.step), s.requestId ? code(s.requestId) : '-', markdownCell(s.detail)]),
  );
}

function escalationLines(report: LaunchReport): string[] {
  if (report.escalations.length === 0) return [];
  return markdownTable(
    ['at', 'stage', 'escalated to', 'waiting for'],
    report.escalations.map((e) => [
      shortTime(e.at),
      code(e.stage),
      cell(e.to.join(', ')),
      markdownCell(e.waitingFor.map(roleTitle).join(', ')),
    ]),
  );
}

function refusalLines(report: LaunchReport): string[] {
  const table =
    report.refusals.length === 0
      ? []
      : markdownTable(
          ['at', 'message', 'via', 'by', 'stage or item', 'reason'],
          report.refusals.map((r) => [
            shortTime(r.at),
            r.kind,
            r.reportedBySender ? `${r.via} (reported by the sender)` : r.via,
            cell(r.by),
            r.stage || r.item || r.task ? code(r.stage ?? r.item ?? r.task ?? '') : '-',
            markdownCell(r.reason),
          ]),
        );
  const summary = refusalSummaryLines(report.refusalSummary ?? undefined).map((line) => `- ${markdownCell(line)}`);
  if (report.refusals.some((r) => r.reportedBySender)) {
    summary.push(
      "- A refused update leaves no trace in history: its sender reports it afterwards, so those rows are the sender's account of an attempt, not a checked answer.",
    );
  }
  return table.length && summary.length ? [...table, '', ...summary] : [...table, ...summary];
}

function compensationLines(report: LaunchReport): string[] {
  if (report.compensations.length === 0) return [];
  return markdownTable(
    ['at', 'step', 'status', 'detail'],
    report.compensations.map((c) => [
      shortTime(c.at),
      code(c.step),
      c.status,
      c.status === 'done' && !c.holds
        ? cell(c.detail)
        : markdownCell(c.status === 'failed' || c.status === 'kept' ? (c.detail ?? '') : compensationOutcome(c)),
    ]),
  );
}

function failedNoticeLines(report: LaunchReport): string[] {
  const { failed, total } = report.failedNotices;
  if (total === 0) return [];
  return [
    `${total} notification${total === 1 ? '' : 's'} could not be sent after retrying; the cutover carried on as if ${total === 1 ? 'it' : 'they'} had gone out. The worker's log holds each text in full.`,
    ...(total > failed.length ? ['', `The latest ${failed.length} are listed.`] : []),
    '',
    ...markdownTable(
      ['at', 'from', 'notification', 'reason', 'text'],
      failed.map((n) => [
        shortTime(n.at),
        markdownCell(n.from),
        markdownCell(`${n.channel} to ${n.target}`),
        markdownCell(n.reason),
        markdownCell(n.excerpt),
      ]),
    ),
  ];
}

function incidentLines(report: LaunchReport): string[] {
  const omitted = omittedLines(report.omitted ?? undefined, ['incidents', 'escalations', 'watchDecisions']).map(
    (line) => `- ${markdownCell(line)}`,
  );
  const table =
    report.incidentLog.length === 0
      ? []
      : markdownTable(
          ['time', 'kind', 'who', 'what'],
          report.incidentLog.map((i) => [shortTime(i.at), i.kind, cell(i.who), markdownCell(i.what)]),
        );
  return table.length && omitted.length ? [...omitted, '', ...table] : [...omitted, ...table];
}

/** `2026-12-01 11:20:00Z (T+2h20m)<br>wall 2026-12-01 11:20:03Z`: an instant on both clocks. */
function bothClocks(report: LaunchReport, planTime: string | null | undefined, wallTime: string | null | undefined): string {
  if (!planTime && !wallTime) return '-';
  const plan = planTime ? planTimeText(report.goLive, planTime) : '-';
  return wallTime && wallTime !== planTime ? `${plan}<br>wall ${shortTime(wallTime)}` : plan;
}

function watchLines(report: LaunchReport): string[] {
  const w = report.watch;
  if (w.state === 'not-run' || w.state === 'not-started') return [markdownCell(w.summary)];
  const lines = [
    markdownCell(w.summary),
    '',
    `- Status: ${w.state}`,
    `- Window: ${planOffset(report.goLive, w.startedPlanAt ?? undefined)} to ${planOffset(report.goLive, w.endsPlanAt ?? undefined)} on the plan's clock${w.windowMs === null ? '' : ` (${formatDuration(Math.max(0, w.windowMs), { largestUnit: 'h' })})`}`,
    `- Started: ${bothClocks(report, w.startedPlanAt, w.startedAt).replace('<br>', ', ')}`,
    `- Ends: ${bothClocks(report, w.endsPlanAt, w.endsAt).replace('<br>', ', ')}`,
    `- Finished: ${shortTime(w.finishedAt ?? undefined)}`,
    `- Reads and runs: ${w.reads} metric reads over ${w.runs} workflow run(s)`,
    ...(w.workflowId ? [`- Watch workflow: ${code(w.workflowId)}`] : []),
    '',
  ];
  if (w.decisions.length === 0) return [...lines, 'No decisions: the watch ran its planned window.'];
  return [
    ...lines,
    ...markdownTable(
      ['decision', 'by', 'at', 'extension', 'reason'],
      w.decisions.map((d) => [
        d.kind === 'end' ? 'end early' : 'extend',
        markdownCell(d.by),
        shortTime(d.at),
        d.kind === 'extend' ? formatDuration(d.extendByMs ?? 0) : '-',
        markdownCell(d.reason),
      ]),
    ),
  ];
}

/** Why a watch table is empty: the watch did not run, or ran and had nothing to show. */
function watchEmpty(report: LaunchReport, none: string): string {
  return report.watch.state === 'not-run' || report.watch.state === 'not-started' ? markdownCell(report.watch.summary) : none;
}

function summaryLines(report: LaunchReport): string[] {
  if (report.summaries.length === 0) return [];
  return [
    'Amounts in minor units.',
    '',
    ...markdownTable(
      [
        'period',
        'from–to (plan time)',
        'auths approved',
        'auths declined',
        'settlements',
        'refunds',
        'fees',
        'webhooks ok',
        'webhooks failed',
        'ErrRateLimited',
        'open alerts',
      ],
      report.summaries.map((s) => [
        String(s.period),
        `${shortTime(s.fromPlan)} – ${shortTime(s.toPlan)}<br>${periodText(report.goLive, s)}`,
        String(s.totals.authorizations.approved),
        String(s.totals.authorizations.declined),
        `${s.totals.settlements.count} (${s.totals.settlements.amount})`,
        `${s.totals.refunds.count} (${s.totals.refunds.amount})`,
        `${s.totals.fees.amount} ${s.totals.fees.currency}`,
        String(s.totals.webhooks.succeeded),
        String(s.totals.webhooks.failed),
        String(s.totals.rateLimited),
        s.openAlerts.length ? s.openAlerts.map(code).join(', ') : '-',
      ]),
    ),
  ];
}

function alertLines(report: LaunchReport): string[] {
  if (report.alerts.length === 0) return [];
  return markdownTable(
    ['alert', 'rule', 'severity', 'opened at (plan, wall)', 'what was seen', 'recovered at (plan, wall)', 'on recovery'],
    report.alerts.map((a) => [
      code(a.id),
      markdownCell(a.rule),
      markdownCell(a.severity),
      bothClocks(report, a.openedPlanAt, a.openedAt),
      markdownCell(a.opened),
      a.recoveredAt ? bothClocks(report, a.recoveredPlanAt, a.recoveredAt) : '**still open**',
      cell(a.recovered),
    ]),
  );
}

const requestIdText = (id: string | null) => (id === null ? recorded(undefined) : code(id));

function feeLines(report: LaunchReport): string[] {
  const f = report.feeReconciliation;
  const lines = [markdownCell(f.summary)];
  const r = f.result;
  if (r) {
    lines.push(
      '',
      ...markdownTable(
        ['statement day', 'currency', 'statement fees', 'metrics fees', 'difference', 'tolerance', 'reconciles'],
        r.currencies.map((row) => [
          markdownCell(recorded(r.date ?? undefined)),
          markdownCell(recorded(row.currency)),
          recorded(row.statementFees),
          recorded(row.metricsFees),
          signed(row.difference),
          String(r.tolerance),
          row.matches ? 'yes' : `**no**${row.finding && row.finding !== 'above-tolerance' ? `: ${FINDING_TEXT[row.finding]}` : ''}`,
        ]),
      ),
      '',
      ...markdownTable(
        ['currency', 'statement line', 'amount'],
        r.currencies.flatMap((row) =>
          row.statementByType
            ? Object.entries(row.statementByType).map(([type, amount]) => [
                markdownCell(recorded(row.currency)),
                markdownCell(type),
                recorded(amount),
              ])
            : [[markdownCell(recorded(row.currency)), recorded(undefined), '-']],
        ),
      ),
      '',
      `PayCA request ids: metrics ${requestIdText(r.requestIds.metrics)}, statement ${requestIdText(r.requestIds.statement)}. Amounts in minor units.`,
    );
  }
  if (f.state === 'accepted' && f.acceptedBy.length) {
    lines.push(
      '',
      `**Accepted despite the difference** by ${f.acceptedBy.map((a) => `${markdownCell(a.by)} at ${shortTime(a.at)}${a.note ? `: ${markdownCell(a.note)}` : ''}`).join('; ')}.`,
    );
  }
  return lines;
}

/** The plan's http(s) URL as a link target: characters that would end the destination early are percent-encoded. */
function linkDestination(url: string): string {
  return url.replace(/[\s()<>\\]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function dashboardLines(report: LaunchReport): string[] {
  const links = report.dashboards.map((d) => `- [${markdownCell(d.title)}](${linkDestination(d.url)})`);
  const shots = report.dashboardShots ?? [];
  if (shots.length === 0) return links;
  return [
    ...links,
    '',
    ...markdownTable(
      ['dashboard', 'taken', 'at', 'screenshot (artifacts directory) or why none'],
      shots.map((s) => [
        markdownCell(s.title),
        s.moment === 'debrief' ? 'debrief' : "watch's end",
        shortTime(s.at),
        s.path
          ? `${code(s.path)} sha256 ${code((s.sha256 ?? '').slice(0, 12))}`
          : `not loaded: ${markdownCell(s.failed ?? 'no image recorded')}`,
      ]),
    ),
  ];
}

function reminderLines(report: LaunchReport): string[] {
  if (report.reminders.length === 0) return [];
  return markdownTable(
    ['at', 'kind', 'item', 'sent to'],
    report.reminders.map((r) => [shortTime(r.at), r.kind, code(r.item), cell(r.to.join(', '))]),
  );
}

function finalOutcomeLines(report: LaunchReport): string[] {
  return [markdownCell(report.finalOutcome.summary), '', ...report.finalOutcome.postLaunch.map((line) => `- ${markdownCell(line)}`)];
}

/** The Markdown document, from the model alone. */
export function launchReportMarkdown(report: LaunchReport): string {
  const lines = [
    `# Launch report: ${markdownCell(report.programme)}, go-live ${goLiveText(report.goLive, report.timeZone)}`,
    '',
    `Cutover ${code(report.workflowId)}, started by ${markdownCell(report.startedBy)} at ${shortTime(report.startedAt)}, time scale ${report.timeScale}. Generated ${shortTime(report.generatedAt)}.`,
    '',
    `**Outcome:** ${markdownCell(report.outcome.summary)}`,
    ...section('Timeline', timelineLines(report), 'No stages.'),
    ...section('Approvals and decisions', approvalLines(report), 'No approvals, rejections or decisions yet.'),
    ...section('Smoke-test evidence', smokeTestLines(report), 'The go-live smoke tests have not run yet.'),
    ...(report.debriefPack ? section('Debrief data pack', debriefPackLines(report), '') : []),
    ...section('Launch checklist', checklistSections(report.checklist, 3, report.goLive), ''),
    ...section('Post-launch watch', watchLines(report), ''),
    ...section('Hourly summaries', summaryLines(report), watchEmpty(report, 'No summary yet: the first is posted an hour into the watch.')),
    ...section('Alerts', alertLines(report), watchEmpty(report, 'No alert opened.')),
    ...section('Day-1 fee reconciliation', feeLines(report), ''),
    ...section('Dashboards', dashboardLines(report), 'None listed in the plan (`postLaunch.dashboards`).'),
    ...section('Reminders', reminderLines(report), 'None sent.'),
    ...section('Escalations', escalationLines(report), 'None.'),
    ...section('Notifications not delivered', failedNoticeLines(report), 'None: every notification went out.'),
    ...section('Refused messages', refusalLines(report), 'None.'),
    ...section('Compensations', compensationLines(report), 'None.'),
    ...section('Incident log', incidentLines(report), 'No incidents.'),
    ...section('Final outcome', finalOutcomeLines(report), ''),
    ...(report.rehearsal ? section('Against the rehearsal', rehearsalLines(report.rehearsal), '') : []),
  ];
  return `${lines.join('\n')}\n`;
}
