/**
 * The cutover's message handlers: every command people send, as an update and as a signal under the same
 * rules, the sender's reports of refused updates, and the watch's reports. The rules themselves live in
 * message-rules.ts, checklist-rules.ts and message-bounds.ts; this file applies what they accept to the
 * run's state.
 */
import { ApplicationFailure, log, patched, setHandler } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { AuthorizationVerdict } from '../activities/index.js';
import { FAILURE_TYPES } from '../errors.js';
import { DEFAULT_AUTHORIZATION_LIMITS } from '../plan/authorization-limits.js';
import { ROLE_TITLES } from '../runbook/stages.js';
import { activityProblem, paycaActivities } from './activity-proxies.js';
import { checkCompleteItem, checkRetryItem, checkWaiveItem, describeBlockers } from './checklist-rules.js';
import type { CutoverContext } from './cutover-context.js';
import type { ManualAuthorizationEvidence } from './stage-checks.js';
import {
  MESSAGES,
  planQuery,
  refusalReportSignal,
  statusQuery,
  type AbortArgs,
  type ApprovalSignature,
  type RoomStatement,
  type ApproveArgs,
  type CompensationDoneArgs,
  type CompleteItemArgs,
  type DecideArgs,
  type EndWatchArgs,
  type ExtendWatchArgs,
  type ItemAnswerKind,
  type MessageKind,
  type MessageReceipt,
  type RefusalReport,
  type RejectArgs,
  type ReportIncidentArgs,
  type RetryArgs,
  type RetryCompensationArgs,
  type RetryItemArgs,
  type WaiveItemArgs,
} from './messages.js';
import type { ApprovalRecord, ChecklistItemState, ItemAnswerRecord } from './cutover-state.js';
import { MAX_FORGED_MESSAGES_RECORDED, watchEventSignal, type Linked, type WatchDecision, type WatchEvent } from './watch-protocol.js';
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
  publicKeyOf,
  roleToSatisfy,
} from './message-rules.js';
import { authenticationOf, checkIdentity, roomItemAnswer, roomRecord } from './identity-rules.js';
import { checkRefusalReportBounds, withBounds } from './message-bounds.js';
import { recordNoticeFailure } from './notices.js';
import { applyWatchResult } from './post-launch.js';
import { boundedRefusal, clip, isMessageKind, MAX_REFUSAL_REASON_LENGTH, recordRefusal } from './refusal-log.js';
import { addWatchDecision } from './state-bounds.js';

/** Go-live approvals naming the manual authorization count only once PayCA shows it. */
export const VERIFY_AUTHORIZATION_PATCH = 'go-live-verifies-authorization';
/** An approver waits on this read, so it gets less time than a stage's PayCA calls. */
const AUTHORIZATION_READ_BUDGET_MS = 60_000;

/** The fields the workflow reads from any message before it knows the message is well formed. */
type MessageFields = { by?: unknown; stage?: unknown; item?: unknown };

export function registerMessageHandlers(ctx: CutoverContext): void {
  const { plan, status, flags, watchControls, compensationAnswer, retryRequested, retryItemRequested, boundedState } = ctx;
  const { strictMessages, linkedWatchMessages, shedsHistory, nowIso, publish, stageState, checklistItem, logIncident } = ctx;

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
      log.warn('malformed refusal report ignored', {
        kind: clip(String(fields.kind), 40),
        problem: clip(malformed ?? 'no known kind or no reason', 200),
      });
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
        task: fields.task,
        reportedBySender: true,
      }),
    );
    publish();
  }

  /** A signed answer keeps its signature and the plan's key for the signer, so the report can be verified offline. */
  function signed(args: {
    by: string;
    signature?: ApprovalSignature;
    roomStatement?: RoomStatement;
  }): Pick<ApprovalRecord, 'signature' | 'room'> {
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
    const reason = verdict.ok
      ? (checkApprove(plan, status, args) ?? checkGoLiveReadiness(args) ?? checkIdentity(plan, status, 'approve', args))
      : verdict.reason;
    if (reason) {
      refuse('approve', via, reason, args);
      throw ApplicationFailure.create({ type: FAILURE_TYPES.MESSAGE_REFUSED, message: reason, nonRetryable: true });
    }
    const receipt = applyApprove(args);
    if (verdict.ok) {
      goLive.evidence.manualAuthorization = {
        ...(goLive.evidence.manualAuthorization as ManualAuthorizationEvidence),
        verified: verdict.authorization,
      };
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
    return {
      accepted: true,
      kind: 'compensation-done',
      outcome: `${args.step} is recorded as done by hand by ${args.by}; the roll-back goes on`,
    };
  }

  /** A signed checklist answer is kept with the plan's key for the signer, so the report can be verified offline. */
  function keepSignedItemAnswer(
    item: ChecklistItemState,
    kind: ItemAnswerKind,
    args: { by: string; signature?: ApprovalSignature; roomStatement?: RoomStatement },
    note?: string,
  ) {
    const publicKey = publicKeyOf(plan, args.by);
    const viaRoom = roomItemAnswer(plan, kind, args.by, item.attempts, nowIso(), args);
    if (viaRoom) item.roomAnswers = [...(item.roomAnswers ?? []), viaRoom];
    if (kind !== 'retry-item')
      item.answeredVia = authenticationOf({ ...viaRoom, ...(args.signature && publicKey && { signature: { publicKey } }) });
    if (!args.signature || !publicKey) return;
    const answer: ItemAnswerRecord = {
      kind,
      by: args.by,
      attempt: item.attempts,
      at: nowIso(),
      signature: { ...args.signature, publicKey },
    };
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
    watch.endsAt = new Date(ctx.clock.dueAtMs(Date.parse(watch.endsPlanAt))).toISOString();
    watchControls.push(decision);
    publish();
    return { accepted: true, kind: 'extend-watch', outcome: `the post-launch watch now ends at ${watch.endsPlanAt} (plan time)` };
  }

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

  /** The watch's reports: alerts join the incident log as they open and recover; summaries and progress are mirrored. */
  function onWatchEvent(signalled: WatchEvent & Linked): void {
    if (linkedWatchMessages && (flags.watchLink === undefined || signalled?.link !== flags.watchLink)) {
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
      applyWatchResult(ctx, event.result);
    } else if (event.kind === 'alert') {
      const { alert } = event;
      const known = watch.alerts.findIndex((a) => a.id === alert.id && a.openedAt === alert.openedAt);
      const changed = known < 0 || (alert.recoveredAt !== undefined && watch.alerts[known]?.recoveredAt === undefined);
      if (known >= 0) watch.alerts[known] = alert;
      else watch.alerts.push(alert);
      if (changed)
        logIncident(
          alert.recoveredAt
            ? {
                at: alert.recoveredAt,
                severity: alert.severity,
                summary: `recovered: ${alert.recovered ?? alert.rule}`,
                by: 'post-launch watch',
                source: 'alert',
              }
            : {
                at: alert.openedAt,
                severity: alert.severity,
                summary: `alert ${alert.rule}: ${alert.opened}`,
                by: 'post-launch watch',
                source: 'alert',
              },
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
    return blockers ? `go/no-go is refused while ${blockers}; see \`cutover checklist ${ctx.workflowId}\`` : undefined;
  }

  /**
   * A full history is shed where nothing is in flight, so while it waits for that moment, messages that would
   * start a check are refused: a stream of them could otherwise keep the run from ever continuing as new.
   */
  function checkWhileShedding(kind: MessageKind, args: MessageFields & { authorizationId?: unknown }): string | undefined {
    const startsWork = kind === 'retry' || kind === 'retry-item' || (kind === 'approve' && args?.authorizationId !== undefined);
    if (!startsWork || !shedsHistory || (status.watch !== undefined && !flags.watchOutlivesRun) || ctx.historyFull() === undefined)
      return undefined;
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
        if (reason) throw ApplicationFailure.create({ type: FAILURE_TYPES.MESSAGE_REFUSED, message: reason, nonRetryable: true });
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
        if (!(err instanceof ApplicationFailure && err.type === FAILURE_TYPES.MESSAGE_REFUSED)) throw err;
      }
    });
  }

  handleMessage(
    MESSAGES.approve,
    'Approve a held stage',
    (a) => checkApprove(plan, status, a) ?? checkGoLiveReadiness(a),
    approveAfterReadingAuthorization,
  );
  handleMessage(MESSAGES.reject, 'Reject a held stage, with a reason', (a) => checkReject(plan, status, a), applyReject);
  handleMessage(MESSAGES.decide, 'Debrief decision: roll-forward or roll-back', (a) => checkDecide(plan, status, a), applyDecide);
  handleMessage(MESSAGES.retry, "Re-run a held stage's check", (a) => checkRetry(plan, status, a), applyRetry);
  handleMessage(MESSAGES.abort, 'Abort the cutover and roll back', (a) => checkAbort(plan, status, a), applyAbort);
  handleMessage(
    MESSAGES['complete-item'],
    'Mark an attested readiness item done, with evidence',
    (a) => checkCompleteItem(plan, status, a),
    applyCompleteItem,
  );
  handleMessage(
    MESSAGES['waive-item'],
    'Waive a readiness item, with a reason (programme lead)',
    (a) => checkWaiveItem(plan, status, a),
    applyWaiveItem,
  );
  handleMessage(
    MESSAGES['retry-item'],
    "Re-run an automated readiness item's check",
    (a) => checkRetryItem(plan, status, a),
    applyRetryItem,
  );
  handleMessage(
    MESSAGES['report-incident'],
    'Add an entry to the incident log',
    (a) => checkReportIncident(plan, status, a),
    applyReportIncident,
  );
  handleMessage(
    MESSAGES['end-watch'],
    'End the post-launch watch early, with a reason (programme lead)',
    (a) => checkEndWatch(plan, status, a),
    applyEndWatch,
  );
  handleMessage(
    MESSAGES['extend-watch'],
    'Extend the post-launch watch, with a reason (programme lead)',
    (a) => checkExtendWatch(plan, status, a),
    applyExtendWatch,
  );
  handleMessage(
    MESSAGES['retry-compensation'],
    'Retry a compensation that holds for Engineering',
    (a) => checkCompensationAnswer(plan, status.compensations, 'retry-compensation', a),
    applyRetryCompensation,
  );
  handleMessage(
    MESSAGES['compensation-done'],
    'Mark a held compensation done by hand, with evidence',
    (a) => checkCompensationAnswer(plan, status.compensations, 'compensation-done', a),
    applyCompensationDone,
  );
  setHandler(watchEventSignal, onWatchEvent);
  setHandler(refusalReportSignal, onRefusalReport);
  setHandler(planQuery, () => plan, { description: 'The plan this cutover runs' });
  setHandler(statusQuery, () => status, { description: 'The cutover: stages, approvals, evidence, refusals' });
}
