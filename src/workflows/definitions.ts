/**
 * Every message the cutover workflow understands, defined once. The workflow sets handlers for these;
 * the CLI sends them. Each command exists as an update (answers with a receipt or a refusal) and as a
 * signal with the same rules (a refused signal is kept in the workflow's state, since signals cannot answer).
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { JobPriorState } from '../activities/sandbox-jobs.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { ApprovalSignature, ItemAnswerKind } from '../signing/approval-statement.js';
import type { RoomStatement } from '../signing/room-statement.js';
import type { Role, StageId } from '../runbook/stages.js';

export type { ApprovalSignature, ItemAnswerKind, RoomStatement };

export const CUTOVER_TASK_QUEUE = 'cutover';
export const PAYCA_TASK_QUEUE = 'payca';

export interface CutoverInput {
  plan: CutoverPlan;
  /** Go-live time T, ISO 8601. */
  goLive: string;
  /** Plan time runs this many times faster than wall time; 1 for a real cutover. */
  timeScale: number;
  startedBy: string;
  /** When to continue as new; the defaults suit any server (`docs/history.md`). */
  history?: HistoryLimits;
  /** What the previous run handed on when it continued as new; absent in a cutover's first run. */
  carried?: CutoverCarriedState;
}

/** When a cutover continues as new, whichever comes first; each is checked only where nothing is in flight. */
export interface HistoryLimits {
  /** Continue as new once the server suggests it (its `limit.history*.suggestContinueAsNew`); default true. */
  onServerSuggestion?: boolean;
  /** Events in one run's history; default 10,000. */
  continueAsNewAtEvents?: number;
  /** Bytes of one run's history; default 10 MiB. */
  continueAsNewAtBytes?: number;
}

/** Everything a cutover run hands to the next when it continues as new, so the next resumes where it was. */
export interface CutoverCarriedState {
  status: CutoverStatus;
  /** The wall time the plan clock is anchored to: the first run's start. */
  startedAtMs: number;
  /** Accepted retries not yet acted on. */
  retryRequested: StageId[];
  retryItemRequested: string[];
  /** Set when the run continued while a roll-back step held: how the cutover ends once it is undone. */
  compensatingAs?: CutoverPhase;
  /** Set when the run continued while its watch ran: the link the watch's messages carry. */
  watchLink?: string;
}

/** One continue-as-new, as status records it. */
export interface ContinuedAsNew {
  at: string;
  /** The run's history when it continued: events and bytes. */
  events: number;
  bytes: number;
  why: string;
}

export type StageStatus =
  | 'pending'
  | 'waiting'
  | 'running'
  | 'holding'
  | 'rejected'
  | 'passed'
  | 'failed'
  | 'skipped';

export type CutoverPhase =
  | 'waiting'
  | 'running'
  | 'holding'
  | 'compensating'
  | 'watching'
  | 'completed'
  | 'rolled-back'
  | 'aborted';

export type Decision = 'roll-forward' | 'roll-back';

export interface ApprovalRecord {
  by: string;
  /** The stage's attempt this answer belongs to; a retry starts a new attempt and new approvals. */
  attempt: number;
  role: Role;
  decision: 'approved' | 'rejected' | Decision;
  at: string;
  note?: string;
  authorizationId?: string;
  /** Present when the approver signed the answer: the public key is the plan's key for `by`. */
  signature?: ApprovalSignature & { publicKey: string };
  /** Present when the answer came through the cutover room: its statement and the room key the plan pins. */
  room?: RoomStatement & { publicKey: string };
}

/** How the workflow knew who answered: the room's statement, the person's own key, or only the name they gave. */
export type Authentication = { via: 'room'; issuer: string; subject: string } | { via: 'key'; publicKey: string } | { via: 'name' };

/** A checklist answer that came through the cutover room, with the room's statement. */
export interface RoomAnswerRecord {
  kind: ItemAnswerKind;
  by: string;
  attempt: number;
  at: string;
  room: RoomStatement & { publicKey: string };
}

export interface HoldRecord {
  reason: string;
  /** Roles whose approval the stage still needs. */
  awaiting: Role[];
  since: string;
}

export interface StageState {
  id: StageId;
  title: string;
  owner: Role;
  offset: string;
  status: StageStatus;
  /** Planned time on the plan's clock (T + offset). */
  plannedAt: string;
  /** Wall-clock time the stage is due: equals plannedAt when timeScale is 1. */
  dueAt: string;
  startedAt?: string;
  finishedAt?: string;
  attempts: number;
  hold?: HoldRecord;
  problems: string[];
  approvals: ApprovalRecord[];
  evidence: Record<string, unknown>;
  error?: { type: string; message: string; requestId?: string };
}

/**
 * A refused message, its text fields cut short. A refused signal is checked and recorded by the workflow
 * itself; a refused update leaves no trace in history, so the sender's CLI reports it afterwards
 * (`refusalReportSignal`) and the record says so: it is the sender's account of an attempt, never an answer.
 */
export interface RefusalRecord {
  kind: MessageKind;
  via: 'update' | 'signal';
  by?: string;
  stage?: string;
  item?: string;
  reason: string;
  at: string;
  /** Set on refused updates, which only their sender saw: the workflow did not check this account. */
  reportedBySender?: true;
}

/** What the refusal log no longer keeps in full: older refusals and every attempt by a name the plan does not list. */
export interface RefusalSummary {
  /** Refusals dropped from `refusals` to keep it bounded, oldest first, counted per person. */
  omitted: number;
  omittedBy: { by: string; count: number }[];
  /** Attempts by names the plan does not list (or by no name): counted, with the first few names and the latest attempt. */
  strangers: { attempts: number; names: string[]; latest?: RefusalRecord };
}

/** What the bounded lists of status no longer keep in full (`src/workflows/state-bounds.ts`). */
export interface OmittedEntries {
  /** Incident-log entries dropped, oldest first, counted by who wrote them and by severity. */
  incidents: number;
  incidentsBySource: Partial<Record<NonNullable<IncidentRecord['source']>, number>>;
  incidentsBySeverity: Partial<Record<Severity, number>>;
  escalations: number;
  watchDecisions: number;
}

export interface EscalationRecord {
  stage: StageId;
  at: string;
  to: string[];
  waitingFor: Role[];
}

/** What a cutover changed that a roll-back or abort must undo; kept in order, undone newest first. */
export type Compensation =
  | { step: 'restore-sandbox-jobs'; priorStates: JobPriorState[] }
  | { step: 'remove-webhook-subscription'; subscriptionId: string }
  | { step: 'close-test-card'; cardId: string }
  | {
      step: 'close-seeded-cards';
      /** Cards seeded before seeding ran in ranges, by id. */
      cardIds: string[];
      /** Records [0, upTo) of the CSV may have cards: closing finds each by externalRef, so no ids are kept. */
      records?: { csv: string; digest: string; upTo: number };
    };

/**
 * One compensation's outcome. `done`: undone. `held`: it failed past the plan's retry budget and waits
 * for Engineering to retry it or mark it done by hand. `done-by-hand`: someone did it outside and said
 * how. `kept`: the plan says to keep what it would undo. `failed` is what cutovers started before
 * compensations held recorded instead of holding.
 */
export interface CompensationRecord {
  step: string;
  status: 'running' | 'done' | 'failed' | 'held' | 'done-by-hand' | 'kept';
  at: string;
  detail?: string;
  /** Times it held for Engineering so far. */
  holds?: number;
  /** The failure that last held it. */
  reason?: string;
  doneByHand?: { by: string; evidence: string; at: string };
}

export interface RetryCompensationArgs {
  step: string;
  by: string;
}
export interface CompensationDoneArgs {
  step: string;
  by: string;
  /** What was done by hand, and where it shows: a sentence, a ticket or a link. */
  evidence: string;
}

/** A signed answer about a checklist item: who, which answer, against which run of its check, and the signature. */
export interface ItemAnswerRecord {
  kind: ItemAnswerKind;
  by: string;
  attempt: number;
  at: string;
  /** The evidence of a completion or the reason for a waiver. */
  note?: string;
  signature: ApprovalSignature & { publicKey: string };
}

export type ChecklistItemStatus = 'open' | 'checking' | 'failed' | 'done' | 'waived';

/** One readiness item of the launch checklist and what is known about it. */
export interface ChecklistItemState {
  id: string;
  section: string;
  title: string;
  owner: Role;
  kind: 'automated' | 'attested';
  optional: boolean;
  status: ChecklistItemStatus;
  /** Runs of an automated check so far. */
  attempts: number;
  problems: string[];
  /** Text or a link from the person who completed it, or what the automated check saw. */
  evidence?: unknown;
  completedBy?: string;
  waivedBy?: string;
  reason?: string;
  at?: string;
  /** Card seeding progress, while it runs. */
  progress?: {
    done: number;
    total: number;
    /** Records a second so far and when the rest should be done at that rate; seeding in ranges only. */
    perSecond?: number;
    expectedEnd?: string;
  };
  /** Signed completions, waivers and re-checks of this item, so the report can be verified offline. */
  signedAnswers?: ItemAnswerRecord[];
  /** Completions, waivers and re-checks of this item that came through the cutover room. */
  roomAnswers?: RoomAnswerRecord[];
  /** How the completion or waiver was authenticated; absent on items settled before this was kept. */
  answeredVia?: Authentication;
  /** Post-launch items: open once the cutover rolls forward, due by this time on the plan's clock. */
  postLaunch?: { dueAt: string; remindedAt?: string; overdueAt?: string };
}

export type Severity = 'sev1' | 'sev2' | 'sev3';
export const SEVERITIES: readonly Severity[] = ['sev1', 'sev2', 'sev3'];

/** An entry of the incident log that people add; alerts, escalations and decisions join it in the report. */
export interface IncidentRecord {
  at: string;
  severity: Severity;
  summary: string;
  by: string;
  /** A person's entry, one the watch wrote when an alert opened or recovered, or a notice that could not be sent. */
  source?: 'person' | 'alert' | 'notification' | 'forged-message';
}

/** A notice that could not go out within its retry budget. The cutover carried on as if it had. */
export interface NoticeFailure {
  at: string;
  /** The notice's channel: `approvers`, `escalation`, `monitoring-room`, `alert`, `analytics`, `reminder`, `outcome`. */
  channel: string;
  /** Where it was meant to go, by name: the monitoring room or people, and the webhook by host only. */
  target: string;
  reason: string;
  /** The start of the text that was not sent; the worker's log has all of it. */
  excerpt: string;
  /** The cutover's own notices, or the post-launch watch's. */
  from: 'cutover' | 'watch';
}

/** Notices that could not be sent: the latest few in full, and how many in all. */
export interface NoticeFailures {
  failed: NoticeFailure[];
  total: number;
}

// ---------- the post-launch watch ----------

export const ALERT_RULES = [
  'webhook-failure-rate',
  'low-balance',
  'rate-limited-spike',
  'decline-rate-shift',
  /** The watch itself could not read PayCA's metrics within the retry budget: it is blind until it recovers. */
  'metrics-unavailable',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** One alert from opening to recovery. Notified once each way, however long it stays open. */
export interface WatchAlert {
  /** Rule plus subject, e.g. `low-balance:acc_gbp_main`: at most one open alert per id. */
  id: string;
  rule: AlertRule;
  severity: Severity;
  openedAt: string;
  /** The same instant on the plan's clock. */
  openedPlanAt: string;
  /** What was seen against what the plan allows, in words. */
  opened: string;
  recoveredAt?: string;
  recoveredPlanAt?: string;
  recovered?: string;
}

/** What PayCA's metrics counted over one period. */
export interface MetricsTotals {
  authorizations: { approved: number; declined: number };
  settlements: { count: number; amount: number };
  refunds: { count: number; amount: number };
  fees: { amount: number; currency: string };
  webhooks: { succeeded: number; failed: number };
  rateLimited: number;
}

/** The summary posted to Analytics once per period (hourly by default). */
export interface WatchSummary {
  /** 1 for the first period after the watch began. */
  period: number;
  fromPlan: string;
  toPlan: string;
  totals: MetricsTotals;
  /** Lowest available balance seen per account over the period. */
  lowestBalances: Record<string, { currency: string; available: number }>;
  openAlerts: string[];
  /** PayCA request ids of the reads that make up the period, first and last. */
  requestIds: string[];
}

export interface WatchDecision {
  kind: 'end' | 'extend';
  by: string;
  reason: string;
  extendByMs?: number;
  at: string;
}

/** The watch as the cutover sees it: the child's alerts and summaries, mirrored as they happen. */
export interface WatchState {
  workflowId: string;
  status: 'watching' | 'ended-early' | 'completed';
  startedAt: string;
  startedPlanAt: string;
  /** When the watch ends on the plan's clock; moves with each extension. */
  endsPlanAt: string;
  /** The same, on the wall clock. */
  endsAt: string;
  decisions: WatchDecision[];
  alerts: WatchAlert[];
  summaries: WatchSummary[];
  /** Metric reads so far and workflow runs (continue-as-new) so far, as last reported by the watch. */
  reads: number;
  runs: number;
  finishedAt?: string;
}

/** What the watch workflow returns when it ends. */
export interface WatchResult {
  status: 'ended-early' | 'completed';
  endsPlanAt: string;
  reads: number;
  runs: number;
  alerts: WatchAlert[];
  summaries: WatchSummary[];
  endedEarly?: WatchDecision;
}

export interface CutoverStatus {
  workflowId: string;
  programme: string;
  phase: CutoverPhase;
  goLive: string;
  timeScale: number;
  startedBy: string;
  startedAt: string;
  currentStage?: StageId;
  stages: StageState[];
  /** The launch checklist: every readiness row of the runbook, plus the plan's own items. */
  checklist: ChecklistItemState[];
  /** The latest refusals by people the plan lists, at most MAX_REFUSALS_KEPT, each field cut short. */
  refusals: RefusalRecord[];
  /** Present once a refusal was left out of `refusals`: what the bounded log counted instead. */
  refusalSummary?: RefusalSummary;
  /** The latest escalations, at most MAX_ESCALATIONS_KEPT in cutovers started with the bound. */
  escalations: EscalationRecord[];
  /** The latest incident-log entries, at most MAX_INCIDENTS_KEPT in cutovers started with the bound. */
  incidents: IncidentRecord[];
  /** Present once a bounded list left entries out: how many, and of what. */
  omitted?: OmittedEntries;
  compensations: CompensationRecord[];
  /** Notices that could not be sent; absent in cutovers started before notices were best effort. */
  notices?: NoticeFailures;
  /** Internal messages (watch-event, watch-control) refused because they did not come from the linked run. */
  forgedMessages?: number;
  /**
   * What this run changed and has not undone yet, newest last: what `cutover undo` runs when the cutover
   * ended from outside (terminated, or its run reset) before its compensations ran.
   */
  owedCompensations?: Compensation[];
  /** The post-launch watch, once the cutover has rolled forward. */
  watch?: WatchState;
  /** The launch's dashboards from the plan, for the report. */
  dashboards: { title: string; url: string }[];
  /** Reminders and overdue notices sent for post-launch items. */
  reminders: { item: string; kind: 'reminder' | 'overdue'; at: string; to: string[] }[];
  decision?: { decision: Decision; by: string; reason: string; at: string };
  abort?: { by: string; reason: string; at: string };
  finishedAt?: string;
  /**
   * The cutover's runs: it continues as new before Temporal's history limits, carrying this status whole.
   * Absent in cutovers started before it could.
   */
  history?: { runs: number; continuedAsNew: ContinuedAsNew[] };
}

export type MessageKind =
  | 'approve'
  | 'reject'
  | 'decide'
  | 'retry'
  | 'abort'
  | 'complete-item'
  | 'waive-item'
  | 'retry-item'
  | 'report-incident'
  | 'end-watch'
  | 'extend-watch'
  | 'retry-compensation'
  | 'compensation-done';

export interface ApproveArgs {
  stage: StageId;
  by: string;
  note?: string;
  /** At go-live: the id of the real low-risk authorization the approver ran by hand. */
  authorizationId?: string;
  /** Required when the plan lists the approver's public key. */
  signature?: ApprovalSignature;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}
export interface RejectArgs {
  stage: StageId;
  by: string;
  reason: string;
  signature?: ApprovalSignature;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}
export interface DecideArgs {
  decision: Decision;
  by: string;
  reason: string;
  signature?: ApprovalSignature;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}
export interface RetryArgs {
  stage: StageId;
  by: string;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}
export interface AbortArgs {
  by: string;
  reason: string;
}

export interface CompleteItemArgs {
  item: string;
  by: string;
  /** What shows it is done: a sentence, a ticket or a link. */
  evidence: string;
  /** Required when the plan lists the sender's public key. */
  signature?: ApprovalSignature;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}
export interface WaiveItemArgs {
  item: string;
  by: string;
  reason: string;
  /** Required when the plan lists the sender's public key. */
  signature?: ApprovalSignature;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}
export interface RetryItemArgs {
  item: string;
  by: string;
  /** Required when the plan lists the sender's public key. */
  signature?: ApprovalSignature;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}

export interface ReportIncidentArgs {
  by: string;
  severity: Severity;
  summary: string;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}

export interface EndWatchArgs {
  by: string;
  reason: string;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}
export interface ExtendWatchArgs {
  by: string;
  /** Plan time to add to the watch, in milliseconds. */
  extendByMs: number;
  reason: string;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}

export interface MessageReceipt {
  accepted: true;
  kind: MessageKind;
  stage?: StageId;
  item?: string;
  /** What happens next, in words, for the person who sent it. */
  outcome: string;
}

export const approveUpdate = defineUpdate<MessageReceipt, [ApproveArgs]>('approve');
export const rejectUpdate = defineUpdate<MessageReceipt, [RejectArgs]>('reject');
export const decideUpdate = defineUpdate<MessageReceipt, [DecideArgs]>('decide');
export const retryUpdate = defineUpdate<MessageReceipt, [RetryArgs]>('retry');
export const abortUpdate = defineUpdate<MessageReceipt, [AbortArgs]>('abort');

export const approveSignal = defineSignal<[ApproveArgs]>('approve-signal');
export const rejectSignal = defineSignal<[RejectArgs]>('reject-signal');
export const decideSignal = defineSignal<[DecideArgs]>('decide-signal');
export const retrySignal = defineSignal<[RetryArgs]>('retry-signal');
export const abortSignal = defineSignal<[AbortArgs]>('abort-signal');

export const completeItemUpdate = defineUpdate<MessageReceipt, [CompleteItemArgs]>('complete-item');
export const waiveItemUpdate = defineUpdate<MessageReceipt, [WaiveItemArgs]>('waive-item');
export const retryItemUpdate = defineUpdate<MessageReceipt, [RetryItemArgs]>('retry-item');
export const completeItemSignal = defineSignal<[CompleteItemArgs]>('complete-item-signal');
export const waiveItemSignal = defineSignal<[WaiveItemArgs]>('waive-item-signal');
export const retryItemSignal = defineSignal<[RetryItemArgs]>('retry-item-signal');

export const reportIncidentUpdate = defineUpdate<MessageReceipt, [ReportIncidentArgs]>('report-incident');
export const reportIncidentSignal = defineSignal<[ReportIncidentArgs]>('report-incident-signal');

export const endWatchUpdate = defineUpdate<MessageReceipt, [EndWatchArgs]>('end-watch');
export const endWatchSignal = defineSignal<[EndWatchArgs]>('end-watch-signal');
export const extendWatchUpdate = defineUpdate<MessageReceipt, [ExtendWatchArgs]>('extend-watch');
export const extendWatchSignal = defineSignal<[ExtendWatchArgs]>('extend-watch-signal');

/** What a sender's CLI reports after the workflow refused its update: the message, who sent it, and why it was refused. */
export interface RefusalReport {
  kind: MessageKind;
  by?: string;
  stage?: string;
  item?: string;
  reason: string;
}
/** Sent by the CLI after a refused update, so the attempt is on record even though the refused update left none. */
export const refusalReportSignal = defineSignal<[RefusalReport]>('refusal-report');
export const retryCompensationUpdate = defineUpdate<MessageReceipt, [RetryCompensationArgs]>('retry-compensation');
export const retryCompensationSignal = defineSignal<[RetryCompensationArgs]>('retry-compensation-signal');
export const compensationDoneUpdate = defineUpdate<MessageReceipt, [CompensationDoneArgs]>('compensation-done');
export const compensationDoneSignal = defineSignal<[CompensationDoneArgs]>('compensation-done-signal');

/** The arguments of each message, by its kind. */
export interface MessageArgs {
  approve: ApproveArgs;
  reject: RejectArgs;
  decide: DecideArgs;
  retry: RetryArgs;
  abort: AbortArgs;
  'complete-item': CompleteItemArgs;
  'waive-item': WaiveItemArgs;
  'retry-item': RetryItemArgs;
  'report-incident': ReportIncidentArgs;
  'end-watch': EndWatchArgs;
  'extend-watch': ExtendWatchArgs;
  'retry-compensation': RetryCompensationArgs;
  'compensation-done': CompensationDoneArgs;
}

/** Every message as the update and the signal that carry it, so the CLI looks them up by kind. */
export const MESSAGES: {
  [K in MessageKind]: { update: UpdateDefinition<MessageReceipt, [MessageArgs[K]]>; signal: SignalDefinition<[MessageArgs[K]]> };
} = {
  approve: { update: approveUpdate, signal: approveSignal },
  reject: { update: rejectUpdate, signal: rejectSignal },
  decide: { update: decideUpdate, signal: decideSignal },
  retry: { update: retryUpdate, signal: retrySignal },
  abort: { update: abortUpdate, signal: abortSignal },
  'complete-item': { update: completeItemUpdate, signal: completeItemSignal },
  'waive-item': { update: waiveItemUpdate, signal: waiveItemSignal },
  'retry-item': { update: retryItemUpdate, signal: retryItemSignal },
  'report-incident': { update: reportIncidentUpdate, signal: reportIncidentSignal },
  'end-watch': { update: endWatchUpdate, signal: endWatchSignal },
  'extend-watch': { update: extendWatchUpdate, signal: extendWatchSignal },
  'retry-compensation': { update: retryCompensationUpdate, signal: retryCompensationSignal },
  'compensation-done': { update: compensationDoneUpdate, signal: compensationDoneSignal },
};

// ---------- undoing a cutover that ended from outside ----------

export const UNDO_WORKFLOW_TYPE = 'undoCompensationsWorkflow';

/** The undo's id, derived from its cutover's, so a second `cutover undo` finds the first instead of undoing twice. */
export const undoWorkflowId = (cutoverWorkflowId: string) => `${cutoverWorkflowId}.undo`;

export interface UndoInput {
  cutoverWorkflowId: string;
  plan: CutoverPlan;
  /** Owed by the cutover's runs, oldest first; undone newest first. */
  owed: Compensation[];
  requestedBy: string;
  /** Where the list came from, for the record: which runs, and how each ended. */
  source: string;
}

export interface UndoStatus {
  cutoverWorkflowId: string;
  requestedBy: string;
  source: string;
  phase: 'compensating' | 'holding' | 'undone';
  compensations: CompensationRecord[];
  owedCompensations: Compensation[];
}

export const undoStatusQuery = defineQuery<UndoStatus>('undo-status');

// ---------- between the cutover and its watch (not for people: the CLI talks to the cutover) ----------

export const WATCH_WORKFLOW_TYPE = 'postLaunchWatchWorkflow';

/** The watch's id, derived from its cutover's so either can be found from the other. */
export const watchWorkflowId = (cutoverWorkflowId: string) => `${cutoverWorkflowId}.watch`;

/**
 * Messages between a cutover and its watch carry the link the cutover made for that watch (its input's
 * `link`): anyone who can signal the namespace can send these signals, and only the partner knows the link.
 */
export interface Linked {
  link?: string;
}

/** The cutover forwards the lead's accepted end and extend decisions to its watch. */
export const watchControlSignal = defineSignal<[WatchDecision & Linked]>('watch-control');

/** The watch reports each alert change, each summary and its progress to its cutover. */
export type WatchEvent =
  | { kind: 'alert'; alert: WatchAlert }
  | { kind: 'summary'; summary: WatchSummary }
  | { kind: 'progress'; reads: number; runs: number; endsPlanAt: string }
  | { kind: 'notice-failed'; failure: NoticeFailure }
  /** A watch-control signal the watch refused: it did not carry the link. */
  | { kind: 'control-refused'; claimedBy: string; at: string }
  /** The watch ended: sent to whichever run of the cutover is current, which may not be the one that started it. */
  | { kind: 'finished'; result: WatchResult };
export const watchEventSignal = defineSignal<[WatchEvent & Linked]>('watch-event');

/** Forged internal messages the cutover records in full; more are only counted. */
export const MAX_FORGED_MESSAGES_RECORDED = 10;

export interface WatchInput {
  cutoverWorkflowId: string;
  programme: string;
  postLaunch: CutoverPlan['postLaunch'];
  paycaBaseUrl: string;
  paycaRetryBudgetMs: number;
  notifyWebhookUrl?: string;
  /** The plan's notice budgets; absent in watches started before notices were best effort. */
  notifyRetryBudgetMs?: number;
  notifyAttemptTimeoutMs?: number;
  /** Who gets the hourly summaries. */
  analysts: string[];
  timeScale: number;
  /** The cutover's clocks: plan time runs `timeScale` times faster from this wall time, where both agree. */
  anchorMs: number;
  /** Plan time the watch began: the roll-forward decision. */
  startPlanMs: number;
  /** Go-live time T, ISO 8601, so reads are labelled T+5m, T+1h and so on. */
  goLive: string;
  /** Plan time the watch ends, before extensions. */
  endsPlanMs: number;
  /** State carried over from the previous run, after continue-as-new. */
  carried?: WatchCarriedState;
  /** The secret every message between this watch and its cutover carries; absent in older watches. */
  link?: string;
  /**
   * Set by a cutover that may continue as new while the watch runs: a later run is not the watch's parent
   * and never sees its result, so the watch also sends it as a message.
   */
  reportsFinish?: boolean;
}

/** Everything a watch run hands to the next one. */
export interface WatchCarriedState {
  endsPlanMs: number;
  /** Plan time of the next metrics read: reads fall on the interval grid from go-live time T. */
  nextReadPlanMs: number;
  /** Plan time the last read's window ended (the watch's start before the first read). */
  lastReadPlanMs: number;
  /** Plan time the summary period in progress began. */
  periodStartPlanMs: number;
  reads: number;
  runs: number;
  alerts: WatchAlert[];
  summaries: WatchSummary[];
  /** The reads of the summary period in progress. */
  period: { totals: MetricsTotals; lowestBalances: WatchSummary['lowestBalances']; requestIds: string[] };
  /** Recent normal intervals, for the rate-limited and decline-rate baselines. */
  baseline: { rateLimited: number[]; approved: number[]; declined: number[] };
  decisions: WatchDecision[];
  ended?: WatchDecision;
}

export const watchStatusQuery = defineQuery<WatchCarriedState>('watch-status');

export const statusQuery = defineQuery<CutoverStatus>('status');

/** The plan the cutover runs, so `cutover undo` can undo a cutover that ended from outside with its own plan. */
export const planQuery = defineQuery<CutoverPlan>('plan');

export const COMPENSATION_STEPS = ['restore-sandbox-jobs', 'remove-webhook-subscription', 'close-test-card', 'close-seeded-cards'] as const;
