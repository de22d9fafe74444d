/**
 * The production cutover: the runbook's launch timeline from T-24h to the T+2h debrief as one durable
 * workflow. Each stage waits for its time, runs its check, keeps the evidence, then passes or holds for
 * the people who own it. Roll-back and abort undo what this run changed, newest first.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  isCancellation,
  patched,
  allHandlersFinished,
  condition,
  ContinueAsNew,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { NotificationChannel } from '../activities/notify.js';
import { formatOffset } from '../plan/duration.js';
import type { StagePlan } from '../plan/schema.js';
import type { AuthorizationVerdict } from '../activities/index.js';
import { DEFAULT_AUTHORIZATION_LIMITS } from '../plan/authorization-limits.js';
import { activityProblem, paycaActivities } from './activity-proxies.js';
import { createNotices, recordNoticeFailure } from './notices.js';
import { runCompensations, type Compensation, type CompensationAnswer } from './compensations.js';
import { renderCurrentDetails } from './current-details.js';
import { markdownInline } from './markdown-text.js';
import {
  MESSAGES,
  planQuery,
  refusalReportSignal,
  statusQuery,
  type RefusalReport,
  type AbortArgs,
  type ApprovalRecord,
  type CompensationDoneArgs,
  type RetryCompensationArgs,
  type ApprovalSignature,
  type RoomStatement,
  type ApproveArgs,
  type ChecklistItemState,
  type CompleteItemArgs,
  type ItemAnswerKind,
  type ItemAnswerRecord,
  type RetryItemArgs,
  type ReportIncidentArgs,
  type WaiveItemArgs,
  type ContinuedAsNew,
  type CutoverCarriedState,
  type CutoverInput,
  type CutoverPhase,
  type CutoverStatus,
  type DecideArgs,
  type EndWatchArgs,
  type ExtendWatchArgs,
  type MessageKind,
  type MessageReceipt,
  type RejectArgs,
  type RetryArgs,
  type StageState,
  type WatchDecision,
  type WatchEvent,
  type WatchInput,
  type WatchResult,
  type IncidentRecord,
  type Linked,
  MAX_FORGED_MESSAGES_RECORDED,
  watchControlSignal,
  watchEventSignal,
  watchWorkflowId,
} from './definitions.js';
import { checkCompleteItem, checkRetryItem, checkWaiveItem, describeBlockers, initialChecklist, settled } from './checklist-rules.js';
import { createReadinessChecks } from './readiness-checks.js';
import type { AutomatedCheck } from '../runbook/readiness-items.js';
import {
  checkAbort,
  checkApprove,
  checkCompensationAnswer,
  checkDecide,
  checkEndWatch,
  checkExtendWatch,
  checkReject,
  checkReportIncident,
  checkRetry,
  currentApprovals,
  roleToSatisfy,
  publicKeyOf,
} from './message-rules.js';
import { authenticationOf, checkIdentity, roomItemAnswer, roomRecord } from './identity-rules.js';
import { checkRefusalReportBounds, STRICT_MESSAGES_PATCH, withBounds } from './message-bounds.js';
import { boundedRefusal, clip, isMessageKind, MAX_REFUSAL_REASON_LENGTH, recordRefusal } from './refusal-log.js';
import { addEscalation, addIncident, addWatchDecision } from './state-bounds.js';
import { CutoverGoLiveKey, CutoverPhaseKey, CutoverStageKey } from './search-attributes.js';
import { createStageChecks, type CheckOutcome } from './stage-checks.js';
import { POST_LAUNCH_STAGE_IDS, ROLE_TITLES, TIMELINE_STAGE_IDS, type StageId } from '../runbook/stages.js';
import { postLaunchWatchWorkflow } from './post-launch-watch.js';
import { FEE_RECONCILIATION_ITEM_ID, WATCH_ITEM_ID } from '../runbook/readiness-items.js';

const MIN_ESCALATION_INTERVAL_MS = 15_000;
/** Go-live approvals naming the manual authorization count only once PayCA shows it. */
export const VERIFY_AUTHORIZATION_PATCH = 'go-live-verifies-authorization';
/** Every message is checked against its strict schema and length limits first; runs started before keep the looser shape check. */
/** An approver waits on this read, so it gets less time than a stage's PayCA calls. */
const AUTHORIZATION_READ_BUDGET_MS = 60_000;
/**
 * Cutovers continue as new before Temporal's history limits (it terminates a run past them, with no
 * compensation), carrying their whole state; runs started before keep one history, so they replay.
 */
export const SHED_HISTORY_PATCH = 'cutover-continues-as-new';
/** Incidents, escalations and watch decisions keep the latest in full and count the rest; runs started before keep every entry. */
export const BOUNDED_STATE_PATCH = 'bounded-incident-log';
/**
 * The watch is started with parent-close policy ABANDON, so the cutover may continue as new while it runs:
 * the next run reaches it by workflow id and learns its result by message. Runs started before keep a
 * watch that ends with its parent and do not continue as new after roll-forward.
 */
export const WATCH_OUTLIVES_RUN_PATCH = 'watch-outlives-cutover-run';
/** A safety net below the server's default limits (51,200 events, 50 MB), for servers that do not suggest. */
export const DEFAULT_CONTINUE_AS_NEW_AT_EVENTS = 10_000;
export const DEFAULT_CONTINUE_AS_NEW_AT_BYTES = 10 * 1024 * 1024;
/**
 * A run continues only once it has written this many events, or as many bytes as it started with: a large
 * carried state alone must not make every new run continue again at once.
 */
const MIN_EVENTS_PER_RUN = 500;
/** The latest continue-as-new records kept in status; `history.runs` counts them all. */
const CONTINUED_AS_NEW_KEPT = 5;

const positiveOr = (value: number | undefined, fallback: number) => (value !== undefined && value > 0 ? value : fallback);

/** The fields the workflow reads from any message before it knows the message is well formed. */
type MessageFields = { by?: unknown; stage?: unknown; item?: unknown };

/** Raised inside a stage when the lead aborts; unwinds to the compensations. */
class AbortRequested extends Error {}

export async function cutoverWorkflow(input: CutoverInput): Promise<CutoverStatus> {
  const { plan, timeScale } = input;
  const info = workflowInfo();
  const carried: CutoverCarriedState | undefined = input.carried;
  /** Set in a run that continues an earlier one: stages and checks already done are not done again. */
  const resumed = carried !== undefined;
  const startedAtMs = carried?.startedAtMs ?? Date.now();
  const goLiveMs = Date.parse(input.goLive);
  if (!Number.isFinite(goLiveMs)) {
    throw ApplicationFailure.nonRetryable(`go-live "${input.goLive}" is not a time`, 'InvalidInput');
  }
  if (!(timeScale >= 1)) {
    throw ApplicationFailure.nonRetryable(`time scale ${timeScale} must be 1 or more`, 'InvalidInput');
  }

  /** Wall-clock time a plan time falls due: the plan runs `timeScale` times faster than the clock. */
  const dueAtMs = (plannedMs: number) => startedAtMs + Math.max(0, plannedMs - startedAtMs) / timeScale;
  const planNowMs = () => startedAtMs + (Date.now() - startedAtMs) * timeScale;
  const planNow = () => new Date(planNowMs()).toISOString();
  const nowIso = () => new Date().toISOString();

  const status: CutoverStatus = carried?.status ?? {
    workflowId: info.workflowId,
    programme: plan.programme,
    phase: 'waiting',
    goLive: new Date(goLiveMs).toISOString(),
    timeScale,
    startedBy: input.startedBy,
    startedAt: new Date(startedAtMs).toISOString(),
    stages: plan.stages.map((s) => ({
      id: s.id,
      title: s.title,
      owner: s.owner,
      offset: formatOffset(s.offsetMs),
      status: 'pending',
      plannedAt: new Date(goLiveMs + s.offsetMs).toISOString(),
      dueAt: new Date(dueAtMs(goLiveMs + s.offsetMs)).toISOString(),
      attempts: 0,
      problems: [],
      approvals: [],
      evidence: {},
    })),
    checklist: initialChecklist(plan, goLiveMs),
    refusals: [],
    escalations: [],
    incidents: [],
    compensations: [],
    notices: { failed: [], total: 0 },
    reminders: [],
    dashboards: plan.postLaunch.dashboards,
  };
  const compensations: Compensation[] = status.owedCompensations ?? [];
  status.owedCompensations = compensations;
  const compensationAnswer: { current?: CompensationAnswer } = {};
  const retryRequested = new Set<StageId>(carried?.retryRequested);
  const retryItemRequested = new Set<string>(carried?.retryItemRequested);
  const shedsHistory = patched(SHED_HISTORY_PATCH);
  const boundedState = patched(BOUNDED_STATE_PATCH);
  const logIncident = (incident: IncidentRecord) => addIncident(status, incident, boundedState);
  if (shedsHistory) status.history = { runs: (status.history?.runs ?? 0) + 1, continuedAsNew: status.history?.continuedAsNew ?? [] };
  const historyLimits = {
    onServerSuggestion: input.history?.onServerSuggestion ?? true,
    events: positiveOr(input.history?.continueAsNewAtEvents, DEFAULT_CONTINUE_AS_NEW_AT_EVENTS),
    bytes: positiveOr(input.history?.continueAsNewAtBytes, DEFAULT_CONTINUE_AS_NEW_AT_BYTES),
  };
  /** This run's history when it began: the carried state's size, which a run must outgrow before it continues. */
  const runStart = { events: info.historyLength, bytes: info.historySize };

  /** Set once the timeline has ended, so the readiness loops stop waiting for re-runs. */
  let timelineOver = false;

  const stageState = (id: StageId) => status.stages.find((s) => s.id === id) as StageState;

  let indexed = '';
  /** Shows the state in the UI. Current details cost no history; search attributes are upserted only on change. */
  function publish(): void {
    const phaseAndStage = `${status.phase} ${status.currentStage ?? 'none'}`;
    if (phaseAndStage !== indexed) {
      upsertSearchAttributes([
        { key: CutoverPhaseKey, value: status.phase },
        { key: CutoverStageKey, value: status.currentStage ?? 'none' },
        { key: CutoverGoLiveKey, value: new Date(goLiveMs) },
      ]);
      indexed = phaseAndStage;
    }
    setCurrentDetails(renderCurrentDetails(status));
  }

  function setPhase(phase: CutoverPhase, stage?: StageId): void {
    // Once live, the cutover stays "watching" while a post-launch stage waits, runs or holds: the stage says which.
    const live = status.watch !== undefined && (phase === 'waiting' || phase === 'running' || phase === 'holding');
    status.phase = live ? 'watching' : phase;
    if (stage) status.currentStage = stage;
    publish();
  }

  const notices = createNotices({
    ...plan.notifications,
    from: 'cutover',
    nowIso,
    onFailure: (failure) => {
      recordNoticeFailure(status, failure, logIncident);
      publish();
    },
  });
  const notify = (channel: NotificationChannel, text: string, to?: string[], audience?: string) => notices.send(channel, text, { to, audience });

  // ---------- messages ----------

  function refuse(kind: MessageKind, via: 'update' | 'signal', reason: string, args: MessageFields) {
    recordRefusal(plan, status, boundedRefusal({ kind, via, reason, at: nowIso(), by: args?.by, stage: args?.stage, item: args?.item }));
    log.warn('message refused', { kind, via, reason: clip(reason, MAX_REFUSAL_REASON_LENGTH) });
    publish();
  }

  /**
   * A sender's account of an update the workflow refused. It is only ever a refusal record, marked as the
   * sender's: nothing in it can approve, complete or decide anything, whoever it names.
   */
  function onRefusalReport(report: unknown): void {
    const fields = (report !== null && typeof report === 'object' ? report : {}) as Partial<Record<keyof RefusalReport, unknown>>;
    const malformed = strictMessages ? checkRefusalReportBounds(report) : undefined;
    if (!isMessageKind(fields.kind) || typeof fields.reason !== 'string' || malformed) {
      log.warn('malformed refusal report ignored', { kind: clip(String(fields.kind), 40), problem: clip(malformed ?? 'no known kind or no reason', 200) });
      return;
    }
    recordRefusal(
      plan,
      status,
      boundedRefusal({
        kind: fields.kind,
        via: 'update',
        reason: fields.reason,
        at: nowIso(),
        by: fields.by,
        stage: fields.stage,
        item: fields.item,
        reportedBySender: true,
      }),
    );
    publish();
  }

  /** A signed answer keeps its signature and the plan's key for the signer (or the room's statement and key), so the report can be verified offline. */
  function signed(args: { by: string; signature?: ApprovalSignature; roomStatement?: RoomStatement }): Pick<ApprovalRecord, 'signature' | 'room'> {
    const publicKey = publicKeyOf(plan, args.by);
    return { ...(args.signature && publicKey ? { signature: { ...args.signature, publicKey } } : {}), ...roomRecord(plan, args) };
  }

  function applyApprove(args: ApproveArgs): MessageReceipt {
    const stage = stageState(args.stage);
    const role = roleToSatisfy(plan, stage, args.by);
    if (!role || !stage.hold) throw new Error('approve applied without validation');
    stage.approvals.push({
      by: args.by,
      role,
      attempt: stage.attempts,
      decision: 'approved',
      at: nowIso(),
      note: args.note,
      authorizationId: args.authorizationId,
      ...signed(args),
    });
    if (args.authorizationId) {
      stage.evidence.manualAuthorization = { authorizationId: args.authorizationId, confirmedBy: args.by, at: nowIso() };
    }
    stage.hold.awaiting = stage.hold.awaiting.filter((r) => r !== role);
    publish();
    const outcome = stage.hold.awaiting.length
      ? `${stage.id} still awaits ${stage.hold.awaiting.map((r) => ROLE_TITLES[r]).join(', ')}`
      : `${stage.id} is approved; the cutover moves on`;
    return { accepted: true, kind: 'approve', stage: stage.id, outcome };
  }

  /**
   * A validator cannot call PayCA, so a go-live approval naming the manual authorization is applied only
   * after an activity has read the authorization there. Until then it does not count; if PayCA's record
   * does not qualify, or the stage changed while it was read, the approval is refused with the reason.
   */
  async function approveAfterReadingAuthorization(args: ApproveArgs, via: 'update' | 'signal'): Promise<MessageReceipt> {
    if (args.stage !== 'go-live' || !args.authorizationId || !patched(VERIFY_AUTHORIZATION_PATCH)) return applyApprove(args);
    const goLive = stageState('go-live');
    const limits = plan.smokeTest.authorization ?? DEFAULT_AUTHORIZATION_LIMITS;
    const windowOpenedAt = goLive.evidence.changeWindowOpenedAtPayca;
    let verdict: AuthorizationVerdict;
    try {
      verdict = await paycaActivities(
        Math.min(plan.paycaRetryBudgetMs, AUTHORIZATION_READ_BUDGET_MS),
        'go-live gate: read the low-risk authorization at PayCA',
      ).verifyManualAuthorization({
        baseUrl: plan.payca.production.baseUrl,
        authorizationId: args.authorizationId,
        maxAmount: limits.maxAmount,
        maxAgeMs: limits.maxAgeMs,
        ...(typeof windowOpenedAt === 'string' && { windowOpenedAt }),
      });
    } catch (err) {
      const problem = activityProblem(err);
      verdict = {
        ok: false,
        reason: `authorization ${args.authorizationId} could not be read at PayCA (${problem.type}: ${problem.message}${problem.requestId ? `, request ${problem.requestId}` : ''}); approve again once PayCA answers`,
      };
    }
    const reason = verdict.ok ? (checkApprove(plan, status, args) ?? checkGoLiveReadiness(args) ?? checkIdentity(plan, status, 'approve', args)) : verdict.reason;
    if (reason) {
      refuse('approve', via, reason, args);
      throw ApplicationFailure.create({ type: 'MessageRefused', message: reason, nonRetryable: true });
    }
    const receipt = applyApprove(args);
    if (verdict.ok) {
      goLive.evidence.manualAuthorization = { ...(goLive.evidence.manualAuthorization as object), verified: verdict.authorization };
      publish();
    }
    return { ...receipt, outcome: `authorization ${args.authorizationId} checked at PayCA; ${receipt.outcome}` };
  }

  function applyReject(args: RejectArgs): MessageReceipt {
    const stage = stageState(args.stage);
    const role = roleToSatisfy(plan, stage, args.by) ?? 'lead';
    stage.approvals.push({
      by: args.by,
      role,
      attempt: stage.attempts,
      decision: 'rejected',
      at: nowIso(),
      note: args.reason,
      ...signed(args),
    });
    stage.status = 'rejected';
    publish();
    return {
      accepted: true,
      kind: 'reject',
      stage: stage.id,
      outcome: `${stage.id} is rejected; it stays held until someone retries it or the programme lead aborts`,
    };
  }

  function applyDecide(args: DecideArgs): MessageReceipt {
    status.decision = { decision: args.decision, by: args.by, reason: args.reason, at: nowIso() };
    const debrief = stageState('debrief');
    debrief.approvals.push({
      by: args.by,
      role: 'lead',
      attempt: debrief.attempts,
      decision: args.decision,
      at: nowIso(),
      note: args.reason,
      ...signed(args),
    });
    publish();
    return {
      accepted: true,
      kind: 'decide',
      stage: 'debrief',
      outcome: args.decision === 'roll-forward' ? 'rolling forward: the cutover completes' : 'rolling back: compensations run now',
    };
  }

  function applyRetry(args: RetryArgs): MessageReceipt {
    retryRequested.add(args.stage);
    publish();
    return { accepted: true, kind: 'retry', stage: args.stage, outcome: `${args.stage} re-runs its check now` };
  }

  function applyAbort(args: AbortArgs): MessageReceipt {
    status.abort = { by: args.by, reason: args.reason, at: nowIso() };
    publish();
    return { accepted: true, kind: 'abort', outcome: 'aborting: compensations run as soon as the current step ends' };
  }

  function applyRetryCompensation(args: RetryCompensationArgs): MessageReceipt {
    compensationAnswer.current = { kind: 'retry', args };
    return { accepted: true, kind: 'retry-compensation', outcome: `${args.step} is tried again now` };
  }

  function applyCompensationDone(args: CompensationDoneArgs): MessageReceipt {
    compensationAnswer.current = { kind: 'done-by-hand', args, at: nowIso() };
    return { accepted: true, kind: 'compensation-done', outcome: `${args.step} is recorded as done by hand by ${args.by}; the roll-back goes on` };
  }

  const checklistItem = (id: string) => status.checklist.find((i) => i.id === id) as ChecklistItemState;

  /** A signed checklist answer is kept with the plan's key for the signer, so the report can be verified offline. */
  function keepSignedItemAnswer(item: ChecklistItemState, kind: ItemAnswerKind, args: { by: string; signature?: ApprovalSignature; roomStatement?: RoomStatement }, note?: string) {
    const publicKey = publicKeyOf(plan, args.by);
    const viaRoom = roomItemAnswer(plan, kind, args.by, item.attempts, nowIso(), args);
    if (viaRoom) item.roomAnswers = [...(item.roomAnswers ?? []), viaRoom];
    if (kind !== 'retry-item') item.answeredVia = authenticationOf({ ...viaRoom, ...(args.signature && publicKey && { signature: { publicKey } }) });
    if (!args.signature || !publicKey) return;
    const answer: ItemAnswerRecord = { kind, by: args.by, attempt: item.attempts, at: nowIso(), signature: { ...args.signature, publicKey } };
    if (note !== undefined) answer.note = note;
    item.signedAnswers = [...(item.signedAnswers ?? []), answer];
  }

  function applyCompleteItem(args: CompleteItemArgs): MessageReceipt {
    const item = checklistItem(args.item);
    keepSignedItemAnswer(item, 'complete-item', args, args.evidence);
    Object.assign(item, { status: 'done', completedBy: args.by, evidence: args.evidence, at: nowIso(), problems: [] });
    publish();
    return { accepted: true, kind: 'complete-item', item: item.id, outcome: afterChecklistChange(`${item.id} is done`) };
  }

  function applyWaiveItem(args: WaiveItemArgs): MessageReceipt {
    const item = checklistItem(args.item);
    keepSignedItemAnswer(item, 'waive-item', args, args.reason);
    Object.assign(item, { status: 'waived', waivedBy: args.by, reason: args.reason, at: nowIso() });
    publish();
    return { accepted: true, kind: 'waive-item', item: item.id, outcome: afterChecklistChange(`${item.id} is waived`) };
  }

  function applyRetryItem(args: RetryItemArgs): MessageReceipt {
    keepSignedItemAnswer(checklistItem(args.item), 'retry-item', args);
    retryItemRequested.add(args.item);
    publish();
    return { accepted: true, kind: 'retry-item', item: args.item, outcome: `${args.item} is checked again now` };
  }

  function applyReportIncident(args: ReportIncidentArgs): MessageReceipt {
    logIncident({ at: nowIso(), severity: args.severity, summary: args.summary.trim(), by: args.by, source: 'person' });
    publish();
    return { accepted: true, kind: 'report-incident', outcome: `${args.severity} logged in the incident log` };
  }

  /** The lead's decisions about the watch, waiting to be forwarded to it in order. */
  const watchControls: WatchDecision[] = [];

  function applyEndWatch(args: EndWatchArgs): MessageReceipt {
    const decision: WatchDecision = { kind: 'end', by: args.by, reason: args.reason.trim(), at: nowIso() };
    if (status.watch) addWatchDecision(status, status.watch.decisions, decision, boundedState);
    watchControls.push(decision);
    publish();
    return { accepted: true, kind: 'end-watch', outcome: 'the post-launch watch ends now, with a last summary' };
  }

  function applyExtendWatch(args: ExtendWatchArgs): MessageReceipt {
    const watch = status.watch;
    if (!watch) throw new Error('extend-watch applied without validation');
    const decision: WatchDecision = { kind: 'extend', by: args.by, reason: args.reason.trim(), extendByMs: args.extendByMs, at: nowIso() };
    addWatchDecision(status, watch.decisions, decision, boundedState);
    watch.endsPlanAt = new Date(Date.parse(watch.endsPlanAt) + args.extendByMs).toISOString();
    watch.endsAt = new Date(dueAtMs(Date.parse(watch.endsPlanAt))).toISOString();
    watchControls.push(decision);
    publish();
    return { accepted: true, kind: 'extend-watch', outcome: `the post-launch watch now ends at ${watch.endsPlanAt} (plan time)` };
  }

  /** The watch's reports: alerts join the incident log as they open and recover; summaries and progress are mirrored. */
  /**
   * Set when the watch starts: the link its messages must carry. Cutovers whose watch started before
   * links existed have none and take the watch's messages as before.
   */
  let watchLink: string | undefined = carried?.watchLink;
  /** Set once post-launch begins under WATCH_OUTLIVES_RUN_PATCH: the run may continue as new while the watch runs. */
  let watchOutlivesRun = false;
  /** True while a decision is on its way to the watch: it would be lost if the run continued as new now. */
  let forwardingControl = false;
  const linkedWatchMessages = patched('linked-watch-messages');
  const strictMessages = patched(STRICT_MESSAGES_PATCH);

  /** A message that claims to be internal but is not from the linked run: counted, the first few kept as incidents. */
  function recordForgedMessage(what: string, claimedBy: string | undefined, at: string): void {
    status.forgedMessages = (status.forgedMessages ?? 0) + 1;
    log.warn('internal message refused: not from the linked run', { what, claimedBy: clip(String(claimedBy ?? ''), 80) });
    if (status.forgedMessages <= MAX_FORGED_MESSAGES_RECORDED) {
      logIncident({
        at,
        severity: 'sev2',
        summary: `refused a ${what} signal that did not come from this cutover's own watch${claimedBy ? ` (it claimed to be ${clip(claimedBy, 80)})` : ''}`,
        by: 'cutover',
        source: 'forged-message',
      });
    }
  }

  function onWatchEvent(signalled: WatchEvent & Linked): void {
    if (linkedWatchMessages && (watchLink === undefined || signalled?.link !== watchLink)) {
      const claimed = typeof signalled?.kind === 'string' ? clip(signalled.kind, 40) : 'unknown';
      recordForgedMessage(`watch-event (${claimed})`, 'post-launch watch', nowIso());
      publish();
      return;
    }
    const { link: _link, ...event } = signalled;
    const watch = status.watch;
    if (!watch) return;
    if (event.kind === 'control-refused') {
      recordForgedMessage('watch-control', event.claimedBy, event.at);
    } else if (event.kind === 'finished') {
      applyWatchResult(event.result);
    } else if (event.kind === 'alert') {
      const { alert } = event;
      const known = watch.alerts.findIndex((a) => a.id === alert.id && a.openedAt === alert.openedAt);
      const changed = known < 0 || (alert.recoveredAt !== undefined && watch.alerts[known]?.recoveredAt === undefined);
      if (known >= 0) watch.alerts[known] = alert;
      else watch.alerts.push(alert);
      if (changed) logIncident(
        alert.recoveredAt
          ? { at: alert.recoveredAt, severity: alert.severity, summary: `recovered: ${alert.recovered ?? alert.rule}`, by: 'post-launch watch', source: 'alert' }
          : { at: alert.openedAt, severity: alert.severity, summary: `alert ${alert.rule}: ${alert.opened}`, by: 'post-launch watch', source: 'alert' },
      );
    } else if (event.kind === 'summary') {
      watch.summaries.push(event.summary);
    } else if (event.kind === 'notice-failed') {
      recordNoticeFailure(status, event.failure, logIncident);
    } else {
      Object.assign(watch, { reads: event.reads, runs: event.runs });
    }
    publish();
  }

  function afterChecklistChange(what: string): string {
    const blockers = describeBlockers(status);
    return blockers ? `${what}; ${blockers}` : `${what}; every required readiness item is closed`;
  }

  /** Go/no-go waits for the checklist: no go-live approval while a required item is open. */
  function checkGoLiveReadiness(args: ApproveArgs): string | undefined {
    if (args?.stage !== 'go-live') return undefined;
    const blockers = describeBlockers(status);
    return blockers ? `go/no-go is refused while ${blockers}; see \`cutover checklist ${info.workflowId}\`` : undefined;
  }

  /**
   * A full history is shed where nothing is in flight, so while it waits for that moment, messages that would
   * start a check are refused: a stream of them could otherwise keep the run from ever continuing as new.
   */
  function checkWhileShedding(kind: MessageKind, args: MessageFields & { authorizationId?: unknown }): string | undefined {
    const startsWork = kind === 'retry' || kind === 'retry-item' || (kind === 'approve' && args?.authorizationId !== undefined);
    if (!startsWork || !shedsHistory || (status.watch !== undefined && !watchOutlivesRun) || historyFull() === undefined) return undefined;
    return "the cutover is continuing as new to keep its history under Temporal's limits; send this again in a few seconds";
  }

  /**
   * One message, two ways in: as an update (refused with the reason) and as a signal (refusal kept in
   * state, since a signal cannot answer). Both go through the same check, so they refuse alike.
   */
  function handleMessage<A extends MessageFields>(
    { update, signal }: { update: UpdateDefinition<MessageReceipt, [A]>; signal: SignalDefinition<[A]> },
    description: string,
    rules: (args: A) => string | undefined,
    apply: (args: A, via: 'update' | 'signal') => MessageReceipt | Promise<MessageReceipt>,
  ): void {
    const kind = update.name as MessageKind;
    const check = withBounds(kind, strictMessages, (args: A) => rules(args) ?? checkIdentity(plan, status, kind, args));
    const checkNow = (args: A) => checkWhileShedding(kind, args) ?? check(args);
    setHandler(update, (args: A) => apply(args, 'update'), {
      description,
      validator: (args: A) => {
        const reason = checkNow(args);
        if (reason) throw ApplicationFailure.create({ type: 'MessageRefused', message: reason, nonRetryable: true });
      },
    });
    setHandler(signal, async (args: A) => {
      const reason = checkNow(args);
      if (reason) {
        refuse(kind, 'signal', reason, args ?? {});
        return;
      }
      try {
        await apply(args, 'signal');
      } catch (err) {
        // Refused after the check (the approval's authorization did not qualify): already kept in state.
        if (!(err instanceof ApplicationFailure && err.type === 'MessageRefused')) throw err;
      }
    });
  }

  handleMessage(MESSAGES.approve, 'Approve a held stage', (a) => checkApprove(plan, status, a) ?? checkGoLiveReadiness(a), approveAfterReadingAuthorization);
  handleMessage(MESSAGES.reject, 'Reject a held stage, with a reason', (a) => checkReject(plan, status, a), applyReject);
  handleMessage(MESSAGES.decide, 'Debrief decision: roll-forward or roll-back', (a) => checkDecide(plan, status, a), applyDecide);
  handleMessage(MESSAGES.retry, "Re-run a held stage's check", (a) => checkRetry(plan, status, a), applyRetry);
  handleMessage(MESSAGES.abort, 'Abort the cutover and roll back', (a) => checkAbort(plan, status, a), applyAbort);
  handleMessage(MESSAGES['complete-item'], 'Mark an attested readiness item done, with evidence', (a) => checkCompleteItem(plan, status, a), applyCompleteItem);
  handleMessage(MESSAGES['waive-item'], 'Waive a readiness item, with a reason (programme lead)', (a) => checkWaiveItem(plan, status, a), applyWaiveItem);
  handleMessage(MESSAGES['retry-item'], "Re-run an automated readiness item's check", (a) => checkRetryItem(plan, status, a), applyRetryItem);
  handleMessage(MESSAGES['report-incident'], 'Add an entry to the incident log', (a) => checkReportIncident(plan, status, a), applyReportIncident);
  handleMessage(MESSAGES['end-watch'], 'End the post-launch watch early, with a reason (programme lead)', (a) => checkEndWatch(plan, status, a), applyEndWatch);
  handleMessage(MESSAGES['extend-watch'], 'Extend the post-launch watch, with a reason (programme lead)', (a) => checkExtendWatch(plan, status, a), applyExtendWatch);
  handleMessage(MESSAGES['retry-compensation'], 'Retry a compensation that holds for Engineering', (a) => checkCompensationAnswer(plan, status.compensations, 'retry-compensation', a), applyRetryCompensation);
  handleMessage(MESSAGES['compensation-done'], 'Mark a held compensation done by hand, with evidence', (a) => checkCompensationAnswer(plan, status.compensations, 'compensation-done', a), applyCompensationDone);
  setHandler(watchEventSignal, onWatchEvent);
  setHandler(refusalReportSignal, onRefusalReport);
  setHandler(planQuery, () => plan, { description: 'The plan this cutover runs' });
  setHandler(statusQuery, () => status, { description: 'The cutover: stages, approvals, evidence, refusals' });

  const checks = createStageChecks({
    plan,
    workflowId: info.workflowId,
    status,
    compensations,
    stageState,
    notify,
    planNow,
    nowIso,
  });

  // ---------- stage runner ----------

  const abortRequested = () => status.abort !== undefined;

  // ---------- shedding history ----------

  /** Why this run's history should be shed now, or undefined while it may grow. */
  function historyFull(): string | undefined {
    const { historyLength, historySize, continueAsNewSuggested } = workflowInfo();
    const grown = historyLength >= runStart.events + MIN_EVENTS_PER_RUN || historySize >= 2 * runStart.bytes;
    if (!grown) return undefined;
    if (historyLimits.onServerSuggestion && continueAsNewSuggested) return 'the server suggested it';
    if (historyLength >= historyLimits.events) return `${historyLength} events reached the limit of ${historyLimits.events}`;
    if (historySize >= historyLimits.bytes) return `${historySize} bytes reached the limit of ${historyLimits.bytes}`;
    return undefined;
  }

  /**
   * Nothing would be lost or done twice if the run continued as new now: no check, notice or message
   * handler in flight, no retry waiting to start, and either no watch or one that outlives this run with
   * no decision on its way to it.
   */
  const atSafePoint = () =>
    allHandlersFinished() &&
    notices.idle() &&
    retryItemRequested.size === 0 &&
    status.checklist.every((item) => item.status !== 'checking') &&
    (status.watch === undefined || (watchOutlivesRun && watchControls.length === 0 && !forwardingControl)) &&
    !abortRequested();

  const readyToShed = () => shedsHistory && atSafePoint() && historyFull() !== undefined;

  /** Continues as new with the whole state; the next run resumes the stage that waits or holds. */
  async function shedHistory(compensatingAs?: CutoverPhase): Promise<never> {
    const { historyLength, historySize } = workflowInfo();
    const record: ContinuedAsNew = { at: nowIso(), events: historyLength, bytes: historySize, why: historyFull() ?? 'history full' };
    const history = status.history ?? { runs: 1, continuedAsNew: [] };
    history.continuedAsNew = [...history.continuedAsNew, record].slice(-CONTINUED_AS_NEW_KEPT);
    status.history = history;
    log.info('continuing as new to shed history', { ...record, runs: history.runs });
    return continueAsNew<typeof cutoverWorkflow>({
      ...input,
      carried: {
        status,
        startedAtMs,
        retryRequested: [...retryRequested],
        retryItemRequested: [...retryItemRequested],
        ...(compensatingAs && { compensatingAs }),
        ...(watchOutlivesRun && watchLink !== undefined && { watchLink }),
      },
    });
  }

  /** When a hold escalates next: a timeout after it began or after its latest escalation. */
  function nextEscalationMs(stage: StageState, timeoutMs: number): number {
    const since = Date.parse(stage.hold?.since ?? nowIso());
    const escalated = status.escalations.filter((e) => e.stage === stage.id).map((e) => Date.parse(e.at));
    return Math.max(since, ...escalated) + timeoutMs;
  }

  /**
   * Waits on a durable timer until the stage is due; an abort cuts the wait short. A wait is a safe point:
   * the run continues as new here when its history is full, and the next run waits for the same due time.
   */
  async function waitUntilDue(stage: StageState, planned: StagePlan): Promise<void> {
    stage.status = 'waiting';
    setPhase('waiting', stage.id);
    for (;;) {
      const waitMs = Date.parse(stage.dueAt) - Date.now();
      if (waitMs <= 0) break;
      const woken = await condition(() => abortRequested() || readyToShed(), waitMs, {
        summary: `until ${stage.offset} ${stage.id} (${ROLE_TITLES[planned.owner]})`,
      });
      if (!woken || abortRequested()) break;
      await shedHistory();
    }
    if (abortRequested()) throw new AbortRequested();
  }

  /** Holds until the awaited roles approve, someone rejects or retries, or the lead aborts. Escalates on each timeout. */
  async function holdForPeople(stage: StageState, planned: StagePlan, resumedHold = false): Promise<'approved' | 'retry'> {
    const settled = () =>
      abortRequested() ||
      retryRequested.has(stage.id) ||
      (stage.status === 'holding' && (stage.hold?.awaiting.length ?? 0) === 0) ||
      (stage.id === 'debrief' && status.decision !== undefined);
    // A floor keeps a fast rehearsal from escalating every second to people who cannot answer that fast.
    const timeoutMs = Math.max(MIN_ESCALATION_INTERVAL_MS, planned.approvalTimeoutMs / timeScale);
    // A hold carried over from the previous run escalates when it would have there, not a full interval later.
    let waitMs = resumedHold ? Math.max(1_000, nextEscalationMs(stage, timeoutMs) - Date.now()) : timeoutMs;
    for (;;) {
      const waitingFor = stage.hold?.awaiting ?? [];
      const done = await condition(() => settled() || readyToShed(), waitMs, {
        summary: `${stage.id} holds for ${waitingFor.map((r) => ROLE_TITLES[r]).join(', ') || 'a retry'}`,
      });
      if (done && settled()) break;
      if (done) {
        await shedHistory();
        continue;
      }
      waitMs = timeoutMs;
      const people = waitingFor.flatMap((r) => plan.approvers[r] ?? []);
      addEscalation(status, { stage: stage.id, at: nowIso(), to: [...planned.escalateTo, ...people], waitingFor }, boundedState);
      publish();
      await notify(
        'escalation',
        `${plan.programme}: ${stage.offset} ${stage.id} has waited ${Math.round(planned.approvalTimeoutMs / 60_000)} min (plan time) for ${waitingFor.map((r) => ROLE_TITLES[r]).join(', ') || 'a retry'}: ${stage.hold?.reason ?? ''}`,
        [...planned.escalateTo, ...people],
      );
    }
    if (abortRequested()) throw new AbortRequested();
    if (retryRequested.has(stage.id)) {
      retryRequested.delete(stage.id);
      return 'retry';
    }
    return 'approved';
  }

  async function runStage(planned: StagePlan): Promise<void> {
    const stage = stageState(planned.id);
    if (resumed && stage.status === 'passed') return;
    // The previous run continued as new while this stage held: hold again, without re-running its check.
    const resumedHold = resumed && stage.hold !== undefined && (stage.status === 'holding' || stage.status === 'rejected');
    if (!resumedHold) {
      await waitUntilDue(stage, planned);
      stage.startedAt = nowIso();
    }
    for (let first = true; ; first = false) {
      if (first && resumedHold) {
        setPhase('holding', stage.id);
        const next = await holdForPeople(stage, planned, true);
        if (next === 'retry') continue;
        break;
      }
      stage.attempts += 1;
      stage.status = 'running';
      stage.problems = [];
      stage.error = undefined;
      stage.hold = undefined;
      setPhase('running', stage.id);
      let outcome: CheckOutcome;
      try {
        outcome = await checks[stage.id](stage);
      } catch (err) {
        if (err instanceof AbortRequested) throw err;
        const problem = activityProblem(err);
        stage.error = problem;
        outcome = {
          problems: [`${problem.type}: ${problem.message}${problem.requestId ? ` (request ${problem.requestId})` : ''}`],
          evidence: {},
        };
      }
      Object.assign(stage.evidence, outcome.evidence, { lastCheckAt: nowIso(), lastCheckPlanTime: planNow() });
      stage.problems = outcome.problems;
      if (abortRequested()) throw new AbortRequested();

      const awaiting = new Set(planned.gate);
      if (outcome.problems.length > 0 || stage.id === 'debrief') awaiting.add(planned.owner);
      if (awaiting.size === 0) break;

      stage.status = 'holding';
      stage.hold = {
        reason:
          stage.id === 'debrief'
            ? 'the programme lead decides: roll-forward or roll-back'
            : outcome.problems.length > 0
              ? outcome.problems.join('; ')
              : `${stage.id} is gated: ${[...awaiting].map((r) => ROLE_TITLES[r]).join(' and ')} must approve`,
        awaiting: stage.id === 'debrief' ? ['lead'] : [...awaiting],
        since: nowIso(),
      };
      setPhase('holding', stage.id);
      const awaited = stage.hold.awaiting.map((r) => `${ROLE_TITLES[r]} (${(plan.approvers[r] ?? []).join(', ')})`).join(' and ');
      await notify('approvers', `${plan.programme}: ${stage.offset} ${stage.id} holds for ${awaited}: ${stage.hold.reason}`, undefined, awaited);
      const next = await holdForPeople(stage, planned);
      if (next === 'retry') continue;
      break;
    }
    stage.hold = undefined;
    stage.status = 'passed';
    stage.finishedAt = nowIso();
    publish();
  }

  async function compensate(endsAs: CutoverPhase): Promise<void> {
    setPhase('compensating');
    await runCompensations({
      // A step held for Engineering can wait for hours: the run may continue as new there too.
      shedding: {
        ready: () => shedsHistory && allHandlersFinished() && notices.idle() && historyFull() !== undefined,
        shed: () => shedHistory(endsAs),
      },
      ...(carried?.compensatingAs && { resumeHeld: { onStillHeld: () => setPhase('holding') } }),
      plan,
      pending: compensations,
      records: status.compensations,
      answer: compensationAnswer,
      onHold: async (record) => {
        setPhase('holding');
        await notify(
          'approvers',
          `${plan.programme}: roll-back step ${record.step} holds for Engineering (${(plan.approvers.engineering ?? []).join(', ')}): ${record.reason ?? ''}. ` +
            `Retry it with \`cutover compensation retry ${info.workflowId} ${record.step} --as NAME\` or, once done by hand, ` +
            `\`cutover compensation done ${info.workflowId} ${record.step} --evidence TEXT --as NAME\``,
          [...(plan.approvers.engineering ?? [])],
        );
      },
      onResume: () => setPhase('compensating'),
    });
  }

  // ---------- readiness ----------

  const readinessChecks = createReadinessChecks({ plan, compensations, item: (id) => status.checklist.find((i) => i.id === id) });

  /** Runs one automated item's check now and again on each `retry-item`, until the timeline ends. */
  async function runReadinessItem(item: ChecklistItemState, check: AutomatedCheck): Promise<void> {
    // A run that continues an earlier one only waits for re-runs of the checks the earlier run made.
    let checkNow = !(resumed && item.attempts > 0);
    for (;;) {
      if (checkNow) await checkReadinessItem(item, check);
      checkNow = true;
      await condition(() => retryItemRequested.has(item.id) || timelineOver);
      if (timelineOver) return;
      retryItemRequested.delete(item.id);
    }
  }

  async function checkReadinessItem(item: ChecklistItemState, check: AutomatedCheck): Promise<void> {
    item.status = 'checking';
    item.attempts += 1;
    item.problems = [];
    item.progress = undefined;
    publish();
    try {
      const outcome = await readinessChecks[check]();
      item.problems = outcome.problems;
      item.evidence = outcome.evidence;
    } catch (err) {
      const problem = activityProblem(err);
      item.problems = cancelledByAbort(err)
        ? ['not finished: the cutover was aborted while this check ran']
        : [`${problem.type}: ${problem.message}${problem.requestId ? ` (request ${problem.requestId})` : ''}`];
    }
    // A waiver given while the check ran stands; the check's findings stay on record beside it.
    if ((item.status as ChecklistItemState['status']) !== 'waived') {
      item.status = item.problems.length > 0 ? 'failed' : 'done';
      item.at = nowIso();
    }
    publish();
  }

  /**
   * Checks in flight, readiness and the running stage alike, run in one scope that an abort cancels, so
   * undoing starts within seconds instead of after every check has spent its retry budget.
   */
  const inFlight = new CancellationScope();
  const cancelledByAbort = (err: unknown) => abortRequested() && isCancellation(err);
  void condition(abortRequested).then(() => {
    if (patched('abort-cancels-checks-in-flight')) inFlight.cancel();
  });

  const readinessRuns = inFlight
    .run(() =>
      Promise.all(
        plan.readiness.items
          .filter((planned) => planned.kind === 'automated' && planned.check)
          .map((planned) => runReadinessItem(checklistItem(planned.id), planned.check as AutomatedCheck)),
      ),
    )
    .catch((err: unknown) => {
      if (!cancelledByAbort(err)) throw err;
    });

  // ---------- after go-live ----------

  /** The watch's result, taken once: from the child's completion in the run that started it, or from its message. */
  function applyWatchResult(result: WatchResult): void {
    const watch = status.watch;
    if (!watch || watch.finishedAt !== undefined) return;
    Object.assign(watch, {
      status: result.status,
      endsPlanAt: result.endsPlanAt,
      endsAt: new Date(dueAtMs(Date.parse(result.endsPlanAt))).toISOString(),
      alerts: result.alerts,
      summaries: result.summaries,
      reads: result.reads,
      runs: result.runs,
      finishedAt: nowIso(),
    });
    const item = checklistItem(WATCH_ITEM_ID);
    if (item && !settled(item)) {
      Object.assign(item, {
        status: 'done',
        at: nowIso(),
        completedBy: 'post-launch watch',
        evidence: {
          watch: result.status,
          reads: result.reads,
          summaries: result.summaries.length,
          alerts: result.alerts.length,
          stillOpen: result.alerts.filter((a) => !a.recoveredAt).map((a) => a.id),
          endedEarly: result.endedEarly,
        },
      });
    }
    publish();
  }

  /**
   * Starts the watch (or, in a run that continued while it ran, finds it by id), runs the day-1 fee
   * reconciliation and waits for the post-launch items to settle.
   */
  async function runPostLaunch(): Promise<void> {
    const workflowId = watchWorkflowId(info.workflowId);
    // A run that continued while the watch ran carries the watch in its state: the watch is not started again.
    const resumedWatch = status.watch !== undefined;
    watchOutlivesRun = resumedWatch || (shedsHistory && patched(WATCH_OUTLIVES_RUN_PATCH));
    try {
      await watchAfterRollForward(workflowId, resumedWatch);
    } catch (err) {
      // A cutover that ends for any other reason than continuing as new takes its watch with it.
      if (watchOutlivesRun && !(err instanceof ContinueAsNew) && status.watch?.finishedAt === undefined) {
        await getExternalWorkflowHandle(workflowId).cancel();
      }
      throw err;
    }
  }

  /** Starts the watch as this run's child: one that outlives the run under WATCH_OUTLIVES_RUN_PATCH. */
  async function startWatch(workflowId: string): Promise<{ signal: (decision: WatchDecision & Linked) => Promise<void>; result: () => Promise<WatchResult> }> {
    const { postLaunch } = plan;
    const startPlanMs = planNowMs();
    const endsPlanMs = Math.max(goLiveMs + postLaunch.watch.windowMs, startPlanMs + postLaunch.watch.intervalMs);
    status.watch = {
      workflowId,
      status: 'watching',
      startedAt: nowIso(),
      startedPlanAt: new Date(startPlanMs).toISOString(),
      endsPlanAt: new Date(endsPlanMs).toISOString(),
      endsAt: new Date(dueAtMs(endsPlanMs)).toISOString(),
      decisions: [],
      alerts: [],
      summaries: [],
      reads: 0,
      runs: 1,
    };
    setPhase('watching');
    const watchInput: WatchInput = {
      cutoverWorkflowId: info.workflowId,
      programme: plan.programme,
      postLaunch,
      paycaBaseUrl: plan.payca.production.baseUrl,
      paycaRetryBudgetMs: plan.paycaRetryBudgetMs,
      notifyWebhookUrl: plan.notifications.webhookUrl,
      notifyRetryBudgetMs: plan.notifications.retryBudgetMs,
      notifyAttemptTimeoutMs: plan.notifications.attemptTimeoutMs,
      analysts: plan.approvers.analytics ?? [],
      timeScale,
      anchorMs: startedAtMs,
      startPlanMs,
      goLive: status.goLive,
      endsPlanMs,
    };
    if (linkedWatchMessages) {
      watchLink = uuid4();
      watchInput.link = watchLink;
    }
    if (watchOutlivesRun) watchInput.reportsFinish = true;
    const watch = await startChild(postLaunchWatchWorkflow, {
      workflowId,
      args: [watchInput],
      parentClosePolicy: watchOutlivesRun ? ParentClosePolicy.ABANDON : ParentClosePolicy.TERMINATE,
      // Rendered as Markdown by the UI; metadata is not part of what a replay compares.
      staticSummary: `${markdownInline(plan.programme)}: post-launch watch until ${formatOffset(endsPlanMs - goLiveMs)}`,
    });
    await notify(
      'monitoring-room',
      `${plan.programme}: rolled forward; the post-launch watch runs until ${formatOffset(endsPlanMs - goLiveMs)} with alerts on webhook failures, low balances, ErrRateLimited spikes and decline-rate shifts`,
      undefined,
      plan.notifications.monitoringRoom,
    );
    return { signal: (decision) => watch.signal(watchControlSignal, decision), result: () => watch.result() };
  }

  async function watchAfterRollForward(workflowId: string, resumedWatch: boolean): Promise<void> {
    let watchSignals: { signal: (decision: WatchDecision & Linked) => Promise<void>; result?: () => Promise<WatchResult> };
    if (resumedWatch) {
      const external = getExternalWorkflowHandle(workflowId);
      watchSignals = { signal: (decision) => external.signal(watchControlSignal, decision) };
    } else {
      watchSignals = await startWatch(workflowId);
    }

    let watchOver = status.watch?.finishedAt !== undefined;
    const forwardControls = async () => {
      for (;;) {
        await condition(() => watchControls.length > 0 || watchOver);
        const next = watchControls.shift();
        if (!next) return;
        forwardingControl = true;
        try {
          await watchSignals.signal({ ...next, link: watchLink });
        } catch (err) {
          // Accepted just as the watch ended by itself: there is nothing left to end or extend.
          log.warn('watch decision arrived after the watch ended', { decision: next.kind, error: String(err) });
        } finally {
          forwardingControl = false;
        }
      }
    };
    const awaitWatch = async () => {
      if (watchSignals.result) {
        const fromChild = watchSignals.result().then(applyWatchResult);
        // A watch that outlives this run also sends its result; whichever comes first counts.
        await (watchOutlivesRun ? Promise.race([fromChild, condition(() => status.watch?.finishedAt !== undefined)]) : fromChild);
      } else {
        await condition(() => status.watch?.finishedAt !== undefined);
      }
      watchOver = true;
    };
    const reconcile = async () => {
      for (const id of POST_LAUNCH_STAGE_IDS) {
        const planned = plan.stages.find((s) => s.id === id);
        if (planned) await runStage(planned);
      }
      const stage = stageState('fee-reconciliation');
      const item = checklistItem(FEE_RECONCILIATION_ITEM_ID);
      if (item && !settled(item)) {
        const accepted = currentApprovals(stage);
        Object.assign(item, {
          status: 'done',
          at: nowIso(),
          completedBy: accepted.length ? accepted.map((a) => a.by).join(', ') : 'fee-reconciliation stage',
          evidence: stage.evidence.feeReconciliation,
        });
      }
      publish();
    };
    let postLaunchOver = false;
    const postLaunchItems = status.checklist.filter((item) => item.postLaunch && item.kind === 'attested');
    const remind = async (item: ChecklistItemState) => {
      const dueMs = Date.parse(item.postLaunch?.dueAt ?? status.goLive);
      const owners = plan.approvers[item.owner] ?? [];
      const done = () => settled(item) || postLaunchOver;
      // An earlier run of this cutover may have sent the reminder, or the overdue notice too: not twice.
      if (item.postLaunch?.overdueAt !== undefined) return;
      if (item.postLaunch?.remindedAt === undefined) {
        const remindInMs = dueAtMs(dueMs - plan.postLaunch.remindBeforeMs) - Date.now();
        if (remindInMs > 0) await condition(done, remindInMs, { summary: `until the ${item.id} reminder` });
        if (done()) return;
        status.reminders.push({ item: item.id, kind: 'reminder', at: nowIso(), to: owners });
        if (item.postLaunch) item.postLaunch.remindedAt = nowIso();
        publish();
        await notify(
          'reminder',
          `${plan.programme}: reminder — ${item.title} (${item.id}) is due at ${formatOffset(dueMs - goLiveMs)}; ` +
            `complete it with \`cutover complete ${info.workflowId} ${item.id} --evidence TEXT --as NAME\``,
          owners,
        );
      }
      const overdueInMs = dueAtMs(dueMs) - Date.now();
      if (overdueInMs > 0) await condition(done, overdueInMs, { summary: `until ${item.id} is due` });
      if (done()) return;
      const to = [...new Set([...owners, ...(plan.approvers.lead ?? [])])];
      status.reminders.push({ item: item.id, kind: 'overdue', at: nowIso(), to });
      if (item.postLaunch) item.postLaunch.overdueAt = nowIso();
      publish();
      await notify('escalation', `${plan.programme}: ${item.title} (${item.id}) is overdue (due at ${formatOffset(dueMs - goLiveMs)})`, to);
    };

    /** While the watch, the fee reconciliation or post-launch items wait, a full history is shed here too. */
    const shedWhileWaiting = async () => {
      if (!watchOutlivesRun) return;
      await condition(() => postLaunchOver || readyToShed());
      if (!postLaunchOver) await shedHistory();
    };

    const forwarding = forwardControls();
    const reminders = postLaunchItems.map((item) => remind(item));
    const shedding = shedWhileWaiting();
    const work = (async () => {
      await Promise.all([awaitWatch(), reconcile()]);
      await condition(() => postLaunchItems.every((item) => item.optional || settled(item)));
    })();
    // Shedding settles first only by continuing as new.
    await (watchOutlivesRun ? Promise.race([shedding, work]) : work);
    postLaunchOver = true;
    await Promise.all([forwarding, shedding, ...reminders]);
  }

  // ---------- the timeline ----------

  publish();
  let finalPhase: CutoverPhase = carried?.compensatingAs ?? 'completed';
  try {
    // A run that continued while a roll-back step held goes straight back to the roll-back.
    if (!carried?.compensatingAs) {
      await inFlight.run(async () => {
        for (const id of TIMELINE_STAGE_IDS) {
          const planned = plan.stages.find((s) => s.id === id);
          if (planned) await runStage(planned);
        }
      });
    }
    if (status.decision?.decision === 'roll-back') finalPhase = 'rolled-back';
  } catch (err) {
    if (!(err instanceof AbortRequested) && !cancelledByAbort(err)) throw err;
    const current = status.currentStage ? stageState(status.currentStage) : undefined;
    if (current && current.status !== 'passed') {
      current.status = 'failed';
      current.hold = undefined;
      current.finishedAt = nowIso();
    }
    finalPhase = 'aborted';
  }
  // Checks still running finish first, so the compensations know everything they changed.
  timelineOver = true;
  await readinessRuns;
  if (finalPhase === 'completed') {
    await runPostLaunch();
  } else {
    for (const stage of status.stages) if (stage.status === 'pending') stage.status = 'skipped';
    for (const item of status.checklist) {
      if (item.postLaunch && !settled(item)) {
        Object.assign(item, { status: 'waived', waivedBy: 'cutover', reason: `not needed: the cutover ${finalPhase}`, at: nowIso() });
      }
    }
    await compensate(finalPhase);
  }
  status.finishedAt = nowIso();
  setPhase(finalPhase);
  await notify(
    'outcome',
    `${plan.programme}: cutover ${finalPhase}` +
      (status.decision ? ` — ${status.decision.decision} by ${status.decision.by}: ${status.decision.reason}` : '') +
      (status.abort ? ` — aborted by ${status.abort.by}: ${status.abort.reason}` : '') +
      (status.watch ? ` — watch ${status.watch.status}, ${status.watch.alerts.length} alert(s), ${status.watch.summaries.length} summaries` : ''),
  );
  await notices.settle();
  await condition(allHandlersFinished);
  return status;
}
