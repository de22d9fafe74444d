/**
 * The launch report (`cutover report ID`): the runbook's artifacts (checklist, timeline, approvals, smoke-test
 * evidence, the post-launch watch with its summaries and alerts, the day-1 fee reconciliation, dashboards,
 * reminders, incident log) in one document for the cutover's records. Both renderers are pure functions of
 * the status and the time the report is generated, and the Markdown is rendered from the JSON model, so
 * `--format json` and `--format md` always tell the same story.
 */
import type { FeeReconciliationResult } from '../../activities/post-launch/fee-reconciliation.js';
import { feeRows, type CurrencyFees } from '../../plan/fee-reconciliation.js';
import { shortHex } from '../../signing/approval-statement.js';
import type { RoomStatement } from '../../signing/room-statement.js';
import { authenticationOf } from '../../workflows/identity-rules.js';
import { authenticationText } from './authentication.js';
import { formatDuration } from '../../plan/duration.js';
import type {
  ApprovalRecord,
  Authentication,
  ChecklistItemState,
  CompensationRecord,
  CutoverPhase,
  CutoverStatus,
  EscalationRecord,
  IncidentRecord,
  ItemAnswerKind,
  NoticeFailures,
  OmittedEntries,
  RefusalRecord,
  RefusalSummary,
  StageState,
  StageStatus,
  WatchAlert,
  WatchDecision,
  WatchState,
  WatchSummary,
} from '../../workflows/definitions.js';
import type { Role } from '../../runbook/stages.js';
import { checklistSections, code, markdownCell, markdownTable } from './checklist-document.js';
import { checklistOf, evidenceText, isClosed, roleTitle } from './checklist.js';
import { refusalSummaryLines } from './status.js';
import { omittedLines } from './omitted.js';
import { shortTime } from './time.js';
import { compensationOutcome } from './status.js';
import { dueText, openAlerts, periodText, planOffset, planTimeText, postLaunchItems } from './watch.js';

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
  /** The approver's Ed25519 signature and public key; `cutover verify REPORT` checks it offline. */
  signature: { signedAt: string; evidenceDigest: string; value: string; publicKey: string } | null;
  /** The cutover room's statement for the person, and the room key the plan pins. */
  room: (RoomStatement & { publicKey: string }) | null;
  /** How the workflow knew who answered: the room's statement, the person's key, or the name only. */
  authenticated: Authentication;
}

/** A signed completion, waiver or re-check of a checklist item; `cutover verify REPORT` checks it offline. */
export interface LaunchItemAnswer {
  item: string;
  /** Runs of the item's check when the person answered. */
  attempt: number;
  by: string;
  decision: ItemAnswerKind;
  at: string;
  note: string | null;
  signature: { signedAt: string; evidenceDigest: string; value: string; publicKey: string };
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
  | 'compensation-failed'
  | 'alert'
  | 'watch-decision'
  | 'notice-failed';

export interface LaunchIncident {
  at: string;
  kind: LaunchIncidentKind;
  /** The person who acted; for an escalation, the people it went to; null for the workflow itself. */
  who: string | null;
  what: string;
}

export type LaunchWatchState = WatchState['status'] | 'not-started' | 'not-run';

/** The post-launch watch (runbook sections 5 and 9): the child workflow that read PayCA's metrics after roll-forward. */
export interface LaunchWatch {
  state: LaunchWatchState;
  /** One sentence: how the watch went, or why it did not run. */
  summary: string;
  workflowId: string | null;
  /** From start to end on the plan's clock, extensions included, in milliseconds. */
  windowMs: number | null;
  startedAt: string | null;
  startedPlanAt: string | null;
  /** Wall clock and plan clock; they move with each extension. */
  endsAt: string | null;
  endsPlanAt: string | null;
  finishedAt: string | null;
  /** Metric reads, and workflow runs (each continue-as-new starts another). */
  reads: number;
  runs: number;
  /** The programme lead's end and extend decisions, with who, when and why. */
  decisions: WatchDecision[];
}

export type LaunchFeeReconciliationState = 'matched' | 'accepted' | 'holding' | 'rejected' | 'failed' | 'running' | 'pending' | 'not-run';

/** The day-1 fee reconciliation (T+24h, Finance): the statement against PayCA's metrics. */
export interface LaunchFeeReconciliation {
  state: LaunchFeeReconciliationState;
  /** One sentence: what it found and who accepted it, or why it did not run. */
  summary: string;
  /** When the stage is due on the plan's clock. */
  planned: string | null;
  /** The stage's evidence, per currency: statement and metrics fees, the difference, lines by type; tolerance, request ids. */
  result: LaunchFeeResult | null;
  /** Who approved the stage's last attempt: Finance accepting a difference above the tolerance. */
  acceptedBy: { by: string; at: string; note: string | null }[];
  problems: string[];
}

export interface LaunchReminder {
  item: string;
  kind: 'reminder' | 'overdue';
  at: string;
  to: string[];
}

/** The report's closing lines: how the cutover ended and how its post-launch work stands. */
export interface LaunchFinalOutcome {
  state: LaunchOutcomeState;
  summary: string;
  postLaunch: string[];
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
  /** Signed checklist answers (complete, waive, retry-item), oldest first. */
  itemAnswers: LaunchItemAnswer[];
  smokeTests: LaunchSmokeTest[];
  checklist: ChecklistItemState[];
  refusals: RefusalRecord[];
  /** What the bounded refusal log counted instead of keeping: older refusals, attempts by names not in the plan. */
  refusalSummary: RefusalSummary | null;
  escalations: EscalationRecord[];
  /** The incident entries as recorded: people's (`cutover incident`) and the watch's alerts (`source: 'alert'`). */
  incidents: IncidentRecord[];
  /** What the bounded incident log, escalations and watch decisions left out, counted; null when nothing was. */
  omitted: OmittedEntries | null;
  compensations: CompensationRecord[];
  decision: CutoverStatus['decision'] | null;
  abort: CutoverStatus['abort'] | null;
  watch: LaunchWatch;
  /** One row per period the watch summarised for Analytics, oldest first. */
  summaries: WatchSummary[];
  /** Every alert the watch opened, with its recovery if it recovered. */
  alerts: WatchAlert[];
  feeReconciliation: LaunchFeeReconciliation;
  /** The launch's dashboards as the plan lists them. */
  dashboards: { title: string; url: string }[];
  /** Reminders and overdue notices sent for post-launch items. */
  reminders: LaunchReminder[];
  /** Notices that could not be sent (the latest, in full) and how many in all; the cutover carried on without them. */
  failedNotices: NoticeFailures;
  /**
   * The runbook's incident log: reported incidents, alerts, escalations (overdue post-launch items among
   * them), refusals, rejections, decisions (the watch's too), aborts and failed compensations, oldest first.
   */
  incidentLog: LaunchIncident[];
  finalOutcome: LaunchFinalOutcome;
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
      signature: a.signature ?? null,
      room: a.room ?? null,
      authenticated: authenticationOf(a),
    })),
  );
}

function itemAnswersOf(status: CutoverStatus): LaunchItemAnswer[] {
  return status.checklist
    .flatMap((item) =>
      (item.signedAnswers ?? []).map((a) => ({
        item: item.id,
        attempt: a.attempt,
        by: a.by,
        decision: a.kind,
        at: a.at,
        note: a.note ?? null,
        signature: a.signature,
      })),
    )
    .sort((a, b) => a.at.localeCompare(b.at));
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
  // The real low-risk authorization is a manual step: its id arrives with the go-live approval, and the
  // gate keeps what PayCA showed for it (cutovers started before the gate read it have only the id).
  const manual = asRecord(goLive?.evidence.manualAuthorization);
  if (manual) {
    const verified = asRecord(manual.verified);
    const requestIds = asRecord(verified?.requestIds);
    const shown = verified
      ? `; PayCA shows it approved: ${text(verified.amount)} ${text(verified.currency)} minor units on card ${text(verified.cardId)} (…${text(verified.last4)}) of ${text(verified.accountId)}` +
        `${typeof verified.merchant === 'string' ? ` at ${verified.merchant}` : ''}, made ${shortTime(typeof verified.createdAt === 'string' ? verified.createdAt : undefined)}`
      : '';
    tests.push({
      step: 'manualAuthorization',
      requestId: typeof requestIds?.authorization === 'string' ? requestIds.authorization : null,
      detail: `real low-risk authorization ${text(manual.authorizationId)} confirmed by ${text(manual.confirmedBy)} at ${shortTime(typeof manual.at === 'string' ? manual.at : undefined)}${shown}`,
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
    ...reportedIncidentsOf(status).map((i) => ({
      at: i.at,
      kind: i.source === 'alert' ? ('alert' as const) : i.source === 'notification' ? ('notice-failed' as const) : ('incident' as const),
      who: i.by,
      what: `${i.severity}: ${i.summary}`,
    })),
    ...status.escalations.map((e) => ({
      at: e.at,
      kind: 'escalation' as const,
      who: e.to.length ? e.to.join(', ') : null,
      what: `${e.stage} escalated, waiting for ${e.waitingFor.map(roleTitle).join(', ')}`,
    })),
    ...remindersOf(status)
      .filter((r) => r.kind === 'overdue')
      .map((r) => ({
        at: r.at,
        kind: 'escalation' as const,
        who: r.to.length ? r.to.join(', ') : null,
        what: `post-launch item ${r.item} is overdue`,
      })),
    ...status.refusals.map((r) => ({
      at: r.at,
      kind: 'refusal' as const,
      who: r.by ?? null,
      what: `${r.kind}${r.stage ? ` ${r.stage}` : ''}${r.item ? ` ${r.item}` : ''} refused (via ${r.via}${r.reportedBySender ? ', reported by the sender' : ''}): ${r.reason}`,
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
    ...(status.watch?.decisions ?? []).map((d) => ({
      at: d.at,
      kind: 'watch-decision' as const,
      who: d.by,
      what: `post-launch watch ${d.kind === 'end' ? 'ended early' : `extended by ${formatDuration(d.extendByMs ?? 0)}`}: ${d.reason}`,
    })),
    ...(status.abort ? [{ at: status.abort.at, kind: 'abort' as const, who: status.abort.by, what: `aborted: ${status.abort.reason}` }] : []),
    ...status.compensations
      .filter((c) => c.status === 'failed' || c.status === 'held' || c.holds !== undefined)
      .map((c) => ({
        at: c.at,
        kind: 'compensation-failed' as const,
        who: c.doneByHand?.by ?? null,
        what: c.status === 'failed' ? `${c.step} failed${c.detail ? `: ${c.detail}` : ''}` : `${c.step} ${compensationOutcome(c)}`,
      })),
  ];
  // A stable sort keeps same-instant entries in the order above.
  return incidents.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Cutovers started before notices were best effort answer without the record. */
function failedNoticesOf(status: CutoverStatus): NoticeFailures {
  const notices = (status as Partial<CutoverStatus>).notices;
  return { failed: (notices?.failed ?? []).map((n) => ({ ...n })), total: notices?.total ?? 0 };
}

/** Cutovers started before post-launch reminders and dashboards existed answer without them. */
function remindersOf(status: CutoverStatus): LaunchReminder[] {
  return ((status as Partial<CutoverStatus>).reminders ?? []).map((r) => ({ ...r, to: [...r.to] }));
}

function dashboardsOf(status: CutoverStatus): { title: string; url: string }[] {
  return ((status as Partial<CutoverStatus>).dashboards ?? []).map((d) => ({ title: d.title, url: d.url }));
}

/** Why post-launch work did not run, or undefined when it may still run or did. */
function notRunReason(status: CutoverStatus): string | undefined {
  const decided = status.decision ? ` (${status.decision.decision} decided by ${status.decision.by} at ${shortTime(status.decision.at)}: ${status.decision.reason})` : '';
  if (status.phase === 'rolled-back' || status.decision?.decision === 'roll-back') return `the cutover rolled back at the debrief${decided}`;
  if (status.phase === 'aborted' || status.abort) {
    const abort = status.abort;
    return `the cutover was aborted${abort ? ` by ${abort.by} at ${shortTime(abort.at)}: ${abort.reason}` : ''}`;
  }
  return undefined;
}

function watchOf(status: CutoverStatus): LaunchWatch {
  const watch = status.watch;
  const empty = {
    workflowId: null,
    windowMs: null,
    startedAt: null,
    startedPlanAt: null,
    endsAt: null,
    endsPlanAt: null,
    finishedAt: null,
    reads: 0,
    runs: 0,
    decisions: [],
  };
  if (!watch) {
    const why = notRunReason(status);
    if (why) return { ...empty, state: 'not-run', summary: `The post-launch watch did not run because ${why}.` };
    if (status.phase === 'completed') {
      return { ...empty, state: 'not-run', summary: 'The post-launch watch did not run: this cutover finished before the watch existed.' };
    }
    return { ...empty, state: 'not-started', summary: 'The post-launch watch has not started: it starts when the programme lead rolls forward at the debrief.' };
  }
  const windowMs = Date.parse(watch.endsPlanAt) - Date.parse(watch.startedPlanAt);
  const span = `from ${planOffset(status.goLive, watch.startedPlanAt)} to ${planOffset(status.goLive, watch.endsPlanAt)} (${formatDuration(Math.max(0, windowMs), { largestUnit: 'h' })} of plan time)`;
  const open = openAlerts(watch.alerts).length;
  const tally = `${watch.reads} metric reads, ${watch.summaries.length} summaries, ${watch.alerts.length} alert(s)${open ? `, ${open} still open` : ''}`;
  const ended = watch.decisions.find((d) => d.kind === 'end');
  const summary =
    watch.status === 'watching'
      ? `The post-launch watch is running ${span}: ${tally} so far.`
      : watch.status === 'ended-early'
        ? `The post-launch watch ended early${ended ? ` (decided by ${ended.by} at ${shortTime(ended.at)}: ${ended.reason})` : ''}; it was to run ${span}: ${tally}.`
        : `The post-launch watch completed its window ${span}: ${tally}.`;
  return {
    state: watch.status,
    summary,
    workflowId: watch.workflowId,
    windowMs: Number.isFinite(windowMs) ? windowMs : null,
    startedAt: watch.startedAt,
    startedPlanAt: watch.startedPlanAt,
    endsAt: watch.endsAt,
    endsPlanAt: watch.endsPlanAt,
    finishedAt: watch.finishedAt ?? null,
    reads: watch.reads,
    runs: watch.runs,
    decisions: watch.decisions.map((d) => ({ ...d })),
  };
}

export interface LaunchFeeResult {
  date: string;
  tolerance: number;
  matches: boolean;
  /** Every currency reconciled, with the statement's lines in it. */
  currencies: CurrencyFees[];
  requestIds: FeeReconciliationResult['requestIds'];
}

/** The stage's evidence, per currency, whether recorded per currency or (by older runs) for one currency only. */
function feeResultOf(stage: StageState | undefined): LaunchFeeResult | null {
  const result = asRecord(stage?.evidence.feeReconciliation);
  const currencies = feeRows(result);
  if (!result || !currencies) return null;
  const requestIds = asRecord(result.requestIds);
  return {
    date: String(result.date ?? ''),
    tolerance: typeof result.tolerance === 'number' ? result.tolerance : 0,
    matches: result.matches === true,
    currencies,
    requestIds: { metrics: String(requestIds?.metrics ?? ''), statement: String(requestIds?.statement ?? '') },
  };
}

const FINDING_TEXT: Record<NonNullable<CurrencyFees['finding']>, string> = {
  'missing-from-statement': 'no line on the statement',
  'unexpected-currency': 'a currency the plan does not use',
  'above-tolerance': 'above the tolerance',
};

/** "the 2026-12-01 statement bills 1350 GBP, PayCA's metrics count 1200: difference +150; …": one clause per currency. */
function feeFound(result: LaunchFeeResult): string {
  const clauses = result.currencies.map(
    (row) =>
      `${row.statementFees} ${row.currency}, PayCA's metrics count ${row.metricsFees}: difference ${signed(row.difference)}` +
      (row.finding && row.finding !== 'above-tolerance' ? ` (${FINDING_TEXT[row.finding]})` : ''),
  );
  return `the ${result.date} statement bills ${clauses.join('; ')} against a tolerance of ${result.tolerance}`;
}

function feeReconciliationOf(status: CutoverStatus): LaunchFeeReconciliation {
  const stage = status.stages.find((s) => s.id === 'fee-reconciliation');
  const result = feeResultOf(stage);
  const base = {
    planned: stage?.plannedAt ?? null,
    result,
    acceptedBy: [] as LaunchFeeReconciliation['acceptedBy'],
    problems: [...(stage?.problems ?? [])],
  };
  const why = notRunReason(status);
  if (!stage || (why && !stage.startedAt) || stage.status === 'skipped') {
    return {
      ...base,
      state: 'not-run',
      summary: why
        ? `The day-1 fee reconciliation did not run because ${why}.`
        : 'The day-1 fee reconciliation did not run: this cutover has no fee-reconciliation stage.',
    };
  }
  const found = result ? feeFound(result) : 'no reconciliation evidence was recorded';
  switch (stage.status) {
    case 'pending':
    case 'waiting':
      return { ...base, state: 'pending', summary: `The day-1 fee reconciliation is due at ${planTimeText(status.goLive, stage.plannedAt)} (Finance).` };
    case 'running':
      return { ...base, state: 'running', summary: 'The day-1 fee reconciliation is running now.' };
    case 'holding':
      return { ...base, state: 'holding', summary: `The day-1 fee reconciliation holds for Finance: ${stage.problems.join('; ') || found}.` };
    case 'rejected':
      return { ...base, state: 'rejected', summary: `The day-1 fee reconciliation was rejected: ${found}.` };
    case 'failed':
      return {
        ...base,
        state: 'failed',
        summary: `The day-1 fee reconciliation did not finish${why ? ` because ${why}` : ''}: ${stage.problems.join('; ') || found}.`,
      };
    default: {
      const acceptedBy = stage.approvals
        .filter((a) => a.attempt === stage.attempts && a.decision === 'approved')
        .map((a) => ({ by: a.by, at: a.at, note: a.note ?? null }));
      if (result?.matches && stage.problems.length === 0) {
        return { ...base, state: 'matched', summary: `Day-1 fees reconcile: ${found}.` };
      }
      const who = acceptedBy.map((a) => `${a.by} at ${shortTime(a.at)}${a.note ? ` (${a.note})` : ''}`).join(', ');
      return {
        ...base,
        acceptedBy,
        state: 'accepted',
        summary: `Day-1 fees did not reconcile (${found}) and were accepted${who ? ` by ${who}` : ''}.`,
      };
    }
  }
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

function finalOutcomeOf(status: CutoverStatus, outcome: LaunchReportOutcome, watch: LaunchWatch, fees: LaunchFeeReconciliation): LaunchFinalOutcome {
  const why = notRunReason(status);
  if (why && !status.watch) {
    return { state: outcome.state, summary: outcome.summary, postLaunch: [`No post-launch work ran because ${why}.`] };
  }
  const items = postLaunchItems(status);
  const open = items.filter((item) => !isClosed(item));
  const alerts = openAlerts(status.watch?.alerts ?? []);
  return {
    state: outcome.state,
    summary: outcome.summary,
    postLaunch: [
      watch.summary,
      ...(alerts.length ? [`Alerts still open: ${alerts.map((a) => a.id).join(', ')}.`] : []),
      fees.summary,
      items.length === 0
        ? 'No post-launch items in the checklist.'
        : open.length === 0
          ? `All ${items.length} post-launch items are done or waived.`
          : `Post-launch items open: ${open.map((item) => `${item.id} (${roleTitle(item.owner)}, ${dueText(status.goLive, item)})`).join('; ')}.`,
    ],
  };
}

export function buildLaunchReport(status: CutoverStatus, generatedAt: Date): LaunchReport {
  const approvals = approvalsOf(status);
  const outcome = outcomeOf(status);
  const watch = watchOf(status);
  const feeReconciliation = feeReconciliationOf(status);
  return {
    generatedAt: generatedAt.toISOString(),
    workflowId: status.workflowId,
    programme: status.programme,
    goLive: status.goLive,
    timeScale: status.timeScale,
    startedBy: status.startedBy,
    startedAt: status.startedAt,
    phase: status.phase,
    outcome,
    timeline: timelineOf(status),
    approvals,
    itemAnswers: itemAnswersOf(status),
    smokeTests: smokeTestsOf(status),
    checklist: checklistOf(status),
    refusals: [...status.refusals],
    refusalSummary: status.refusalSummary ?? null,
    escalations: [...status.escalations],
    incidents: [...reportedIncidentsOf(status)],
    omitted: status.omitted ?? null,
    compensations: [...status.compensations],
    decision: status.decision ?? null,
    abort: status.abort ?? null,
    watch,
    summaries: (status.watch?.summaries ?? []).map((summary) => ({ ...summary })),
    alerts: (status.watch?.alerts ?? []).map((alert) => ({ ...alert })),
    feeReconciliation,
    dashboards: dashboardsOf(status),
    reminders: remindersOf(status),
    failedNotices: failedNoticesOf(status),
    incidentLog: incidentLogOf(status, approvals),
    finalOutcome: finalOutcomeOf(status, outcome, watch, feeReconciliation),
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
    lines.push('', 'Signed answers carry their Ed25519 signature in the JSON report; `cutover verify REPORT.json` checks each one offline.');
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
            r.stage || r.item ? code(r.stage ?? r.item ?? '') : '-',
            markdownCell(r.reason),
          ]),
        );
  const summary = refusalSummaryLines(report.refusalSummary ?? undefined).map((line) => `- ${markdownCell(line)}`);
  if (report.refusals.some((r) => r.reportedBySender)) {
    summary.push('- A refused update leaves no trace in history: its sender reports it afterwards, so those rows are the sender\'s account of an attempt, not a checked answer.');
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
      c.status === 'done' && !c.holds ? cell(c.detail) : markdownCell(c.status === 'failed' || c.status === 'kept' ? (c.detail ?? '') : compensationOutcome(c)),
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
      failed.map((n) => [shortTime(n.at), markdownCell(n.from), markdownCell(`${n.channel} to ${n.target}`), markdownCell(n.reason), markdownCell(n.excerpt)]),
    ),
  ];
}

function incidentLines(report: LaunchReport): string[] {
  const omitted = omittedLines(report.omitted ?? undefined, ['incidents', 'escalations', 'watchDecisions']).map((line) => `- ${markdownCell(line)}`);
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
      ['period', 'from–to (plan time)', 'auths approved', 'auths declined', 'settlements', 'refunds', 'fees', 'webhooks ok', 'webhooks failed', 'ErrRateLimited', 'open alerts'],
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
          markdownCell(r.date),
          markdownCell(row.currency),
          String(row.statementFees),
          String(row.metricsFees),
          signed(row.difference),
          String(r.tolerance),
          row.matches ? 'yes' : `**no**${row.finding && row.finding !== 'above-tolerance' ? `: ${FINDING_TEXT[row.finding]}` : ''}`,
        ]),
      ),
      '',
      ...markdownTable(
        ['currency', 'statement line', 'amount'],
        r.currencies.flatMap((row) =>
          Object.entries(row.statementByType).map(([type, amount]) => [markdownCell(row.currency), markdownCell(type), String(amount)]),
        ),
      ),
      '',
      `PayCA request ids: metrics ${code(r.requestIds.metrics)}, statement ${code(r.requestIds.statement)}. Amounts in minor units.`,
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
  return report.dashboards.map((d) => `- [${markdownCell(d.title)}](${linkDestination(d.url)})`);
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
    `# Launch report: ${markdownCell(report.programme)}, go-live ${shortTime(report.goLive)}`,
    '',
    `Cutover ${code(report.workflowId)}, started by ${markdownCell(report.startedBy)} at ${shortTime(report.startedAt)}, time scale ${report.timeScale}. Generated ${shortTime(report.generatedAt)}.`,
    '',
    `**Outcome:** ${markdownCell(report.outcome.summary)}`,
    ...section('Timeline', timelineLines(report), 'No stages.'),
    ...section('Approvals and decisions', approvalLines(report), 'No approvals, rejections or decisions yet.'),
    ...section('Smoke-test evidence', smokeTestLines(report), 'The go-live smoke tests have not run yet.'),
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
  ];
  return `${lines.join('\n')}\n`;
}

export function renderLaunchReportMarkdown(status: CutoverStatus, generatedAt: Date): string {
  return launchReportMarkdown(buildLaunchReport(status, generatedAt));
}
