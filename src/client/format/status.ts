/**
 * `cutover status` for people: a header with the checklist in one line, the stage table, then approvals,
 * refusals, escalations, incidents, and the post-launch watch once the cutover has rolled forward.
 */
import { evidenceDigest, shortHex } from '../../signing/approval-statement.js';
import type {
  Compensation,
  CompensationRecord,
  CutoverStatus,
  RefusalRecord,
  RefusalSummary,
  StageState,
} from '../../workflows/cutover-state.js';
import type { Role } from '../../runbook/stages.js';
import type { CutoverReading } from '../../operations/read-status.js';
import { omittedLines } from './omitted.js';
import { packLines } from '../../workflows/debrief-rules.js';
import { authenticationText } from './authentication.js';
import { authenticationOf } from '../../workflows/identity-rules.js';
import { checklistOf, checklistSummaryLine, isClosed, roleTitle } from './checklist.js';
import { renderTable } from './table.js';
import { seedingProgressLines } from '../../workflows/seeding-progress.js';
import { plannedTime, shortTime } from './time.js';
import { timeZoneOf } from '../../operations/timeline-entries.js';
import { taskLines } from './tasks.js';
import { dueText, openAlerts, periodText, planTimeText, postLaunchItems, summaryTotalsText, watchDecisionText } from './watch.js';

export function awaitingText(stage: StageState, approvers: Partial<Record<Role, string[]>>): string {
  if (!stage.hold || stage.hold.awaiting.length === 0) return '-';
  return stage.hold.awaiting
    .map((role) => {
      const people = approvers[role];
      return people?.length ? `${role} (${people.join('|')})` : role;
    })
    .join(', ');
}

export function renderStageTable(status: CutoverStatus, approvers: Partial<Record<Role, string[]>> = {}): string {
  const zone = timeZoneOf(status);
  return renderTable(
    ['stage', 'at', 'status', zone === 'UTC' ? 'planned' : `planned (${zone})`, 'started', 'finished', 'awaiting', 'problems'],
    status.stages.map((stage) => [
      stage.id,
      stage.offset,
      stage.attempts > 1 ? `${stage.status} (attempt ${stage.attempts})` : stage.status,
      plannedTime(stage.plannedAt, zone),
      shortTime(stage.startedAt),
      shortTime(stage.finishedAt),
      awaitingText(stage, approvers),
      stage.problems.length ? stage.problems.join('; ') : '-',
    ]),
  );
}

/** One compensation's outcome in words: undone, held for Engineering, done by hand (by whom, with what), kept. */
export function compensationOutcome(record: CompensationRecord): string {
  const afterHolds = record.holds
    ? ` after holding ${record.holds === 1 ? 'once' : `${record.holds} times`} (${record.reason ?? 'failed'})`
    : '';
  switch (record.status) {
    case 'done':
      return `undone${afterHolds}${record.detail ? `: ${record.detail}` : ''}`;
    case 'held':
      return `failed past its retry budget, held for Engineering: ${record.reason ?? ''}`;
    case 'done-by-hand':
      return `done by hand by ${record.doneByHand?.by ?? '?'}, evidence: ${record.doneByHand?.evidence ?? ''}${afterHolds}`;
    case 'kept':
      return `kept${record.detail ? `: ${record.detail}` : ''}`;
    case 'running':
      return `undoing${afterHolds}`;
    case 'failed':
      return `failed${record.detail ? `: ${record.detail}` : ''}`;
  }
}

export function describeCompensation(record: CompensationRecord): string {
  return `${shortTime(record.at)} ${record.step}: ${compensationOutcome(record)}`;
}

/** What an owed compensation would undo, in a few words. */
export function describeOwed(step: Compensation): string {
  switch (step.step) {
    case 'restore-sandbox-jobs':
      return `restore-sandbox-jobs: ${
        step.priorStates
          .filter((j) => j.wasActive)
          .map((j) => j.name)
          .join(', ') || 'none were running'
      }`;
    case 'remove-webhook-subscription':
      return `remove-webhook-subscription: ${step.subscriptionId}`;
    case 'close-test-card':
      return `close-test-card: ${step.cardId}`;
    case 'close-seeded-cards':
      return `close-seeded-cards: ${step.cardIds.length + (step.records?.upTo ?? 0)} card(s)`;
  }
}

function section(title: string, lines: string[]): string[] {
  return lines.length ? ['', `${title}:`, ...lines.map((line) => `  ${line}`)] : [];
}

/** The post-launch watch in a few lines: where it stands, what is open, what was decided, what is due. */
function watchLines(status: CutoverStatus): string[] {
  const watch = status.watch;
  if (!watch) return [];
  const latest = watch.summaries.at(-1);
  const alerts = openAlerts(watch.alerts);
  const reminders = (status.reminders ?? []).map(
    (r) => `${shortTime(r.at)} ${r.kind} ${r.item} to ${r.to.join(', ') || '(nobody listed)'}`,
  );
  const openItems = postLaunchItems(status).filter((item) => !isClosed(item));
  return [
    `${watch.status}, ${watch.status === 'ended-early' ? 'was to end' : 'ends'} ${planTimeText(status.goLive, watch.endsPlanAt)} plan time (${shortTime(watch.endsAt)} wall clock), ${watch.reads} reads, ${watch.runs} run(s)${watch.finishedAt ? `, finished ${shortTime(watch.finishedAt)}` : ''}`,
    alerts.length
      ? `open alerts: ${alerts.map((a) => `${a.id} (${a.severity}) since ${planTimeText(status.goLive, a.openedPlanAt)}: ${a.opened}`).join('; ')}`
      : `open alerts: none (${watch.alerts.length} opened in all)`,
    latest
      ? `summaries: ${watch.summaries.length}, latest #${latest.period} ${periodText(status.goLive, latest)}: ${summaryTotalsText(latest)}`
      : 'summaries: none yet',
    ...watch.decisions.map((d) => `decision: ${watchDecisionText(d)}`),
    ...reminders.map((r) => `sent: ${r}`),
    ...openItems.map((item) => `open: ${item.id} (${roleTitle(item.owner)}) ${dueText(status.goLive, item)}`),
  ];
}

/** One refusal in words: what was sent, by whom, how, and why it was refused. */
export function refusalText(r: RefusalRecord): string {
  const how = r.reportedBySender ? `via ${r.via} (reported by the sender)` : `via ${r.via}`;
  return `${r.kind}${r.stage ? ` ${r.stage}` : ''}${r.item ? ` ${r.item}` : ''}${r.task ? ` ${r.task}` : ''}${r.by ? ` by ${r.by}` : ''} ${how}: ${r.reason}`;
}

/** What the bounded refusal log counted instead of keeping: older refusals, and attempts by names the plan does not list. */
export function refusalSummaryLines(summary: RefusalSummary | undefined): string[] {
  if (!summary) return [];
  const lines: string[] = [];
  if (summary.omitted > 0) {
    lines.push(
      `${summary.omitted} older refusal${summary.omitted === 1 ? '' : 's'} not kept in full: ${summary.omittedBy.map((o) => `${o.by} ${o.count}`).join(', ')}`,
    );
  }
  const { strangers } = summary;
  if (strangers.attempts > 0) {
    const names = `${strangers.names.join(', ')}${strangers.attempts > strangers.names.length ? ', …' : ''}`;
    const latest = strangers.latest ? `; latest ${shortTime(strangers.latest.at)} ${refusalText(strangers.latest)}` : '';
    lines.push(`${strangers.attempts} attempt${strangers.attempts === 1 ? '' : 's'} by names not in the plan (${names})${latest}`);
  }
  return lines;
}

/** Shown once the cutover has continued as new: how many runs, and the latest. */
function historyLine(status: CutoverStatus): string[] {
  const history = status.history;
  const last = history?.continuedAsNew[history.continuedAsNew.length - 1];
  if (!history || !last) return [];
  return [
    `history: run ${history.runs}; continued as new at ${shortTime(last.at)} after ${last.events} events, ${Math.round(last.bytes / 1024)} KiB (${last.why})`,
  ];
}

export function renderStatus(reading: CutoverReading): string {
  const { status, approvers, executionStatus } = reading;
  const checklist = checklistSummaryLine(checklistOf(status));
  const header = [
    `${status.workflowId}: ${status.programme}`,
    `phase ${status.phase}${status.currentStage ? ` at ${status.currentStage}` : ''} (Temporal: ${executionStatus})`,
    `go-live ${shortTime(status.goLive)}${timeZoneOf(status) === 'UTC' ? '' : ` (${plannedTime(status.goLive, timeZoneOf(status))} ${timeZoneOf(status)})`}, time scale ${status.timeScale}, started by ${status.startedBy} at ${shortTime(status.startedAt)}${status.finishedAt ? `, finished ${shortTime(status.finishedAt)}` : ''}`,
    ...(checklist ? [checklist] : []),
    ...seedingProgressLines(status.checklist).map((p) => `${p.id}: ${p.text}`),
    ...historyLine(status),
  ];
  const holds = status.stages.flatMap((stage) =>
    stage.hold
      ? [`${stage.id}: ${stage.hold.reason} (since ${shortTime(stage.hold.since)}; evidence digest ${shortHex(evidenceDigest(stage))})`]
      : [],
  );
  const approvals = status.stages.flatMap((stage) =>
    stage.approvals.map(
      (a) =>
        `${stage.id}: ${a.decision} by ${a.by} (${a.role}) at ${shortTime(a.at)}${a.authorizationId ? `, authorization ${a.authorizationId}` : ''}${a.note ? ` — ${a.note}` : ''} [${authenticationText(authenticationOf(a))}]`,
    ),
  );
  const errors = status.stages.flatMap((stage) =>
    stage.error
      ? [`${stage.id}: ${stage.error.type}: ${stage.error.message}${stage.error.requestId ? ` (request ${stage.error.requestId})` : ''}`]
      : [],
  );
  const refusals = [...status.refusals.map((r) => `${shortTime(r.at)} ${refusalText(r)}`), ...refusalSummaryLines(status.refusalSummary)];
  const escalations = [
    ...status.escalations.map(
      (e) => `${shortTime(e.at)} ${e.stage} escalated to ${e.to.join(', ') || '(nobody listed)'}, waiting for ${e.waitingFor.join(', ')}`,
    ),
    ...omittedLines(status.omitted, ['escalations']),
  ];
  // Cutovers started before the incident log existed answer without one.
  const incidents = [
    ...(status.incidents ?? []).map(
      (i) => `${shortTime(i.at)} ${i.severity}${i.source === 'alert' ? ' alert' : ''} by ${i.by}: ${i.summary}`,
    ),
    ...omittedLines(status.omitted, ['incidents', 'watchDecisions']),
  ];
  // Cutovers started before notices were best effort answer without the record.
  const notices = status.notices;
  const failedNotices = notices?.total
    ? [
        ...(notices.total > notices.failed.length ? [`${notices.total} in all; the latest ${notices.failed.length}:`] : []),
        ...notices.failed.map((n) => `${shortTime(n.at)} notification (${n.channel}) to ${n.target} failed: ${n.reason}`),
      ]
    : [];
  const compensations = status.compensations.map(describeCompensation);
  const heldStep = status.compensations.find((c) => c.status === 'held');
  if (heldStep) {
    holds.push(
      `roll-back step ${heldStep.step}: ${heldStep.reason ?? ''} (since ${shortTime(heldStep.at)}; awaiting engineering (${(approvers.engineering ?? []).join('|')}): ` +
        `\`cutover compensation retry|done ${status.workflowId} ${heldStep.step}\`)`,
    );
  }
  // A cutover ended from outside (terminated, reset) still owes these; `cutover undo` runs them.
  const owed = executionStatus !== 'RUNNING' && executionStatus !== 'COMPLETED' ? (status.owedCompensations ?? []) : [];
  const owedLines = owed.length
    ? [...[...owed].reverse().map(describeOwed), `run \`cutover undo ${status.workflowId} --as NAME\` to undo them`]
    : [];
  const outcome = [
    ...(status.decision
      ? [`${status.decision.decision} decided by ${status.decision.by} at ${shortTime(status.decision.at)}: ${status.decision.reason}`]
      : []),
    ...(status.abort ? [`aborted by ${status.abort.by} at ${shortTime(status.abort.at)}: ${status.abort.reason}`] : []),
  ];
  return [
    ...header,
    '',
    renderStageTable(status, approvers),
    ...section('Tasks', taskLines(status)),
    ...section('Holding', holds),
    ...section('Approvals', approvals),
    ...section('Errors', errors),
    ...section('Refusals', refusals),
    ...section('Escalations', escalations),
    ...section('Incidents', incidents),
    ...section('Notifications not delivered', failedNotices),
    ...section('Compensations', compensations),
    ...section('Owed, not undone', owedLines),
    ...section('Debrief pack', status.debrief ? packLines(status.debrief) : []),
    ...section('Post-launch watch', watchLines(status)),
    ...section('Outcome', outcome),
  ].join('\n');
}
