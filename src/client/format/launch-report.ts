/**
 * The launch report (`cutover report ID`): the runbook's artifacts (checklist, timeline, approvals, smoke-test
 * evidence, incident log) in one document for the cutover's records. Both renderers are pure functions of
 * the status and the time the report is generated, and the Markdown is rendered from the JSON model, so
 * `--format json` and `--format md` always tell the same story.
 */
import { formatDuration } from '../../plan/duration.js';
import type {
  ApprovalRecord,
  ChecklistItemState,
  CompensationRecord,
  CutoverPhase,
  CutoverStatus,
  EscalationRecord,
  IncidentRecord,
  RefusalRecord,
  StageStatus,
} from '../../workflows/definitions.js';
import type { Role } from '../../workflows/stages.js';
import { checklistSections, code, markdownCell, markdownTable } from './checklist-document.js';
import { checklistOf, evidenceText, roleTitle } from './checklist.js';
import { shortTime } from './time.js';

export type LaunchOutcomeState = 'completed' | 'rolled-back' | 'aborted' | 'running';

export interface LaunchReportOutcome {
  state: LaunchOutcomeState;
  /** One sentence: how it ended, or where it is while it runs. */
  summary: string;
  finishedAt: string | null;
}

export interface LaunchTimelineEntry {
  stage: string;
  title: string;
  /** The runbook's name for the moment: T-24h, T, T+2h. */
  offset: string;
  owner: Role;
  /** On the plan's clock (T + offset). */
  planned: string;
  /** On the wall clock; equals planned at time scale 1. */
  due: string;
  started: string | null;
  finished: string | null;
  /** Wall-clock start minus due, in milliseconds; null until the stage starts. */
  delayMs: number | null;
  status: StageStatus;
  attempts: number;
  problems: string[];
}

export interface LaunchApproval {
  stage: string;
  /** The stage's attempt the answer belongs to: a retried stage asks again. */
  attempt: number;
  by: string;
  role: Role;
  decision: ApprovalRecord['decision'];
  at: string;
  note: string | null;
  authorizationId: string | null;
}

export interface LaunchSmokeTest {
  step: string;
  requestId: string | null;
  detail: string;
}

export type LaunchIncidentKind =
  | 'incident'
  | 'escalation'
  | 'refusal'
  | 'rejection'
  | 'decision'
  | 'abort'
  | 'compensation-failed';

export interface LaunchIncident {
  at: string;
  kind: LaunchIncidentKind;
  /** The person who acted; for an escalation, the people it went to; null for the workflow itself. */
  who: string | null;
  what: string;
}

/** The launch report, as `cutover report ID --format json` prints it. */
export interface LaunchReport {
  generatedAt: string;
  workflowId: string;
  programme: string;
  goLive: string;
  timeScale: number;
  startedBy: string;
  startedAt: string;
  phase: CutoverPhase;
  outcome: LaunchReportOutcome;
  timeline: LaunchTimelineEntry[];
  approvals: LaunchApproval[];
  smokeTests: LaunchSmokeTest[];
  checklist: ChecklistItemState[];
  refusals: RefusalRecord[];
  escalations: EscalationRecord[];
  /** Incidents people reported during the cutover (`cutover incident`). */
  incidents: IncidentRecord[];
  compensations: CompensationRecord[];
  decision: CutoverStatus['decision'] | null;
  abort: CutoverStatus['abort'] | null;
  /**
   * The runbook's incident log: reported incidents, escalations, refusals, rejections, decisions, aborts and
   * failed compensations, oldest first.
   */
  incidentLog: LaunchIncident[];
}

/** The go-live smoke tests in the order they run (runbook section 4). */
const SMOKE_STEPS = ['health', 'accounts', 'issueCard', 'topUp', 'ledger', 'topUpWebhook', 'closeCard'] as const;

type Evidence = Record<string, unknown>;

function asRecord(value: unknown): Evidence | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Evidence) : undefined;
}

/** A missing field reads as "-": evidence written by an older or newer worker may lack it. */
function text(value: unknown): string {
  if (value === undefined) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function outcomeOf(status: CutoverStatus): LaunchReportOutcome {
  const finishedAt = status.finishedAt ?? null;
  const decision = status.decision;
  const decided = decision ? `, ${decision.decision} decided by ${decision.by} at ${shortTime(decision.at)}: ${decision.reason}` : '';
  switch (status.phase) {
    case 'completed':
      return { state: 'completed', finishedAt, summary: `completed at ${shortTime(finishedAt ?? undefined)}${decided}` };
    case 'rolled-back':
      return { state: 'rolled-back', finishedAt, summary: `rolled back, finished ${shortTime(finishedAt ?? undefined)}${decided}` };
    case 'aborted': {
      const abort = status.abort;
      const why = abort ? `, aborted by ${abort.by} at ${shortTime(abort.at)}: ${abort.reason}` : '';
      return { state: 'aborted', finishedAt, summary: `aborted, finished ${shortTime(finishedAt ?? undefined)}${why}` };
    }
    default:
      return {
        state: 'running',
        finishedAt,
        summary: `still running at phase ${status.phase}${status.currentStage ? ` (stage ${status.currentStage})` : ''}`,
      };
  }
}

function timelineOf(status: CutoverStatus): LaunchTimelineEntry[] {
  return status.stages.map((stage) => ({
    stage: stage.id,
    title: stage.title,
    offset: stage.offset,
    owner: stage.owner,
    planned: stage.plannedAt,
    due: stage.dueAt,
    started: stage.startedAt ?? null,
    finished: stage.finishedAt ?? null,
    delayMs: stage.startedAt ? Date.parse(stage.startedAt) - Date.parse(stage.dueAt) : null,
    status: stage.status,
    attempts: stage.attempts,
    problems: [...stage.problems],
  }));
}

function approvalsOf(status: CutoverStatus): LaunchApproval[] {
  return status.stages.flatMap((stage) =>
    stage.approvals.map((a) => ({
      stage: stage.id,
      attempt: a.attempt,
      by: a.by,
      role: a.role,
      decision: a.decision,
      at: a.at,
      note: a.note ?? null,
      authorizationId: a.authorizationId ?? null,
    })),
  );
}

/** What each smoke test showed, in a few words; the JSON keeps the whole evidence in the status. */
function smokeDetail(step: string, evidence: Evidence): string {
  switch (step) {
    case 'health':
      return `status ${text(evidence.status)}, environment ${text(evidence.environment)}`;
    case 'accounts': {
      const accounts = Array.isArray(evidence.accounts) ? evidence.accounts.map(asRecord) : [];
      return `${accounts.length} account(s) visible: ${accounts.map((a) => `${text(a?.id)} ${text(a?.currency)} ${text(a?.available)} (${text(a?.status)})`).join(', ')}`;
    }
    case 'issueCard':
      return `test card ${text(evidence.cardId)} (last4 ${text(evidence.last4)}) ${text(evidence.status)}${evidence.replayed === true ? ', replayed by idempotency key' : ''}`;
    case 'topUp':
      return `transaction ${text(evidence.transactionId)}, ledger entry ${text(evidence.ledgerEntryId)}, card balance ${text(evidence.cardBalance)}${evidence.replayed === true ? ', replayed by idempotency key' : ''}`;
    case 'ledger':
      return `ledger entry ${text(evidence.ledgerEntryId)} found among ${text(evidence.entries)} entries`;
    case 'topUpWebhook':
      if (typeof evidence.skipped === 'string') return `skipped: ${evidence.skipped}`;
      return `${text(evidence.eventType ?? 'card.topup')} delivery ${text(evidence.deliveryId)} ${text(evidence.status)}${evidence.responseStatus !== undefined ? `, HTTP ${text(evidence.responseStatus)}` : ''}${evidence.attempts !== undefined ? ` after ${text(evidence.attempts)} attempt(s)` : ''}`;
    case 'closeCard':
      return `test card ${text(evidence.cardId)} ${text(evidence.status)}`;
    default:
      return evidenceText(evidence) ?? '-';
  }
}

function smokeTestsOf(status: CutoverStatus): LaunchSmokeTest[] {
  const goLive = status.stages.find((stage) => stage.id === 'go-live');
  const smoke = asRecord(goLive?.evidence.smokeTests);
  const tests: LaunchSmokeTest[] = [];
  if (smoke) {
    // Known steps in run order, then anything a newer worker added, so nothing it recorded is dropped.
    const steps = [...SMOKE_STEPS.filter((step) => step in smoke), ...Object.keys(smoke).filter((key) => !(SMOKE_STEPS as readonly string[]).includes(key))];
    for (const step of steps) {
      const evidence = asRecord(smoke[step]) ?? { value: smoke[step] };
      tests.push({
        step,
        requestId: typeof evidence.requestId === 'string' ? evidence.requestId : null,
        detail: smokeDetail(step, evidence),
      });
    }
  }
  // The real low-risk authorization is a manual step: its id arrives with the go-live approval.
  const manual = asRecord(goLive?.evidence.manualAuthorization);
  if (manual) {
    tests.push({
      step: 'manualAuthorization',
      requestId: null,
      detail: `real low-risk authorization ${text(manual.authorizationId)} confirmed by ${text(manual.confirmedBy)} at ${shortTime(typeof manual.at === 'string' ? manual.at : undefined)}`,
    });
  }
  return tests;
}

/** Cutovers started before people could report incidents answer without the list. */
function reportedIncidentsOf(status: CutoverStatus): IncidentRecord[] {
  return (status as Partial<CutoverStatus>).incidents ?? [];
}

function incidentLogOf(status: CutoverStatus, approvals: readonly LaunchApproval[]): LaunchIncident[] {
  const incidents: LaunchIncident[] = [
    ...reportedIncidentsOf(status).map((i) => ({ at: i.at, kind: 'incident' as const, who: i.by, what: `${i.severity}: ${i.summary}` })),
    ...status.escalations.map((e) => ({
      at: e.at,
      kind: 'escalation' as const,
      who: e.to.length ? e.to.join(', ') : null,
      what: `${e.stage} escalated, waiting for ${e.waitingFor.map(roleTitle).join(', ')}`,
    })),
    ...status.refusals.map((r) => ({
      at: r.at,
      kind: 'refusal' as const,
      who: r.by ?? null,
      what: `${r.kind}${r.stage ? ` ${r.stage}` : ''}${r.item ? ` ${r.item}` : ''} refused (via ${r.via}): ${r.reason}`,
    })),
    ...approvals
      .filter((a) => a.decision === 'rejected')
      .map((a) => ({
        at: a.at,
        kind: 'rejection' as const,
        who: a.by,
        what: `rejected ${a.stage} (attempt ${a.attempt}) as ${roleTitle(a.role)}: ${a.note ?? 'no reason given'}`,
      })),
    ...(status.decision
      ? [{ at: status.decision.at, kind: 'decision' as const, who: status.decision.by, what: `${status.decision.decision}: ${status.decision.reason}` }]
      : []),
    ...(status.abort ? [{ at: status.abort.at, kind: 'abort' as const, who: status.abort.by, what: `aborted: ${status.abort.reason}` }] : []),
    ...status.compensations
      .filter((c) => c.status === 'failed')
      .map((c) => ({ at: c.at, kind: 'compensation-failed' as const, who: null, what: `${c.step} failed${c.detail ? `: ${c.detail}` : ''}` })),
  ];
  // A stable sort keeps same-instant entries in the order above.
  return incidents.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function buildLaunchReport(status: CutoverStatus, generatedAt: Date): LaunchReport {
  const approvals = approvalsOf(status);
  return {
    generatedAt: generatedAt.toISOString(),
    workflowId: status.workflowId,
    programme: status.programme,
    goLive: status.goLive,
    timeScale: status.timeScale,
    startedBy: status.startedBy,
    startedAt: status.startedAt,
    phase: status.phase,
    outcome: outcomeOf(status),
    timeline: timelineOf(status),
    approvals,
    smokeTests: smokeTestsOf(status),
    checklist: checklistOf(status),
    refusals: [...status.refusals],
    escalations: [...status.escalations],
    incidents: [...reportedIncidentsOf(status)],
    compensations: [...status.compensations],
    decision: status.decision ?? null,
    abort: status.abort ?? null,
    incidentLog: incidentLogOf(status, approvals),
  };
}

export function renderLaunchReportJson(status: CutoverStatus, generatedAt: Date): string {
  return `${JSON.stringify(buildLaunchReport(status, generatedAt), null, 2)}\n`;
}

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
      ['stage', 'at', 'owner', 'planned', 'due', 'started', 'finished', 'delay', 'status', 'attempts', 'problems'],
      report.timeline.map((t) => [
        `${markdownCell(t.title)}<br>${code(t.stage)}`,
        t.offset,
        markdownCell(roleTitle(t.owner)),
        shortTime(t.planned),
        shortTime(t.due),
        shortTime(t.started ?? undefined),
        shortTime(t.finished ?? undefined),
        delayText(t.delayMs),
        t.status,
        String(t.attempts),
        t.problems.length ? markdownCell(t.problems.join('; ')) : '-',
      ]),
    ),
  ];
}

function approvalLines(report: LaunchReport): string[] {
  const lines =
    report.approvals.length === 0
      ? []
      : markdownTable(
          ['stage', 'attempt', 'decision', 'by', 'role', 'at', 'note or reason', 'authorization id'],
          report.approvals.map((a) => [
            code(a.stage),
            String(a.attempt),
            a.decision,
            markdownCell(a.by),
            markdownCell(roleTitle(a.role)),
            shortTime(a.at),
            cell(a.note),
            a.authorizationId ? code(a.authorizationId) : '-',
          ]),
        );
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
  if (report.refusals.length === 0) return [];
  return markdownTable(
    ['at', 'message', 'via', 'by', 'stage or item', 'reason'],
    report.refusals.map((r) => [
      shortTime(r.at),
      r.kind,
      r.via,
      cell(r.by),
      r.stage || r.item ? code(r.stage ?? r.item ?? '') : '-',
      markdownCell(r.reason),
    ]),
  );
}

function compensationLines(report: LaunchReport): string[] {
  if (report.compensations.length === 0) return [];
  return markdownTable(
    ['at', 'step', 'status', 'detail'],
    report.compensations.map((c) => [shortTime(c.at), code(c.step), c.status, cell(c.detail)]),
  );
}

function incidentLines(report: LaunchReport): string[] {
  if (report.incidentLog.length === 0) return [];
  return markdownTable(
    ['time', 'kind', 'who', 'what'],
    report.incidentLog.map((i) => [shortTime(i.at), i.kind, cell(i.who), markdownCell(i.what)]),
  );
}

/** The Markdown document, from the model alone. */
export function launchReportMarkdown(report: LaunchReport): string {
  const lines = [
    `# Launch report: ${report.programme}, go-live ${shortTime(report.goLive)}`,
    '',
    `Cutover ${code(report.workflowId)}, started by ${markdownCell(report.startedBy)} at ${shortTime(report.startedAt)}, time scale ${report.timeScale}. Generated ${shortTime(report.generatedAt)}.`,
    '',
    `**Outcome:** ${markdownCell(report.outcome.summary)}`,
    ...section('Timeline', timelineLines(report), 'No stages.'),
    ...section('Approvals and decisions', approvalLines(report), 'No approvals, rejections or decisions yet.'),
    ...section('Smoke-test evidence', smokeTestLines(report), 'The go-live smoke tests have not run yet.'),
    ...section('Launch checklist', checklistSections(report.checklist, 3), ''),
    ...section('Escalations', escalationLines(report), 'None.'),
    ...section('Refused messages', refusalLines(report), 'None.'),
    ...section('Compensations', compensationLines(report), 'None.'),
    ...section('Incident log', incidentLines(report), 'No incidents.'),
  ];
  return `${lines.join('\n')}\n`;
}

export function renderLaunchReportMarkdown(status: CutoverStatus, generatedAt: Date): string {
  return launchReportMarkdown(buildLaunchReport(status, generatedAt));
}
