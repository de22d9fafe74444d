/**
 * The cutover's state as the workflow keeps it and `status` shows it: stages, approvals, the checklist,
 * the logs, the compensations owed and done, and what a run hands to the next when it continues as new.
 * Shared by the workflow, the CLI's reports and the undo workflow.
 */
import type { TargetCheck } from './target-check.js';
import type { DashboardShot } from './dashboard-shot-types.js';
import type { JobPriorState } from '../activities/sandbox-jobs.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { TimelinePlan } from '../plan/timeline-plan.js';
import type { Role, StageId } from '../runbook/stages.js';
import type { ApprovalSignature, ItemAnswerKind } from '../signing/approval-statement.js';
import type { RoomStatement } from '../signing/room-statement.js';
import type { MessageKind } from './messages.js';
import type { WatchAlert, WatchDecision, WatchSummary } from './watch-protocol.js';
import type { DebriefPack } from './debrief-rules.js';
import type { ItemEvidence } from './readiness-checks.js';
import type { StageEvidenceOnRecord } from './stage-checks.js';
import type { ForecastState, TaskState } from './task-state.js';

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
  /** Held task checks their owner asked again, not yet asked; absent when none. */
  taskRetryRequested?: string[];
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

export type StageStatus = 'pending' | 'waiting' | 'running' | 'holding' | 'rejected' | 'passed' | 'failed' | 'skipped';

export type CutoverPhase = 'waiting' | 'running' | 'holding' | 'compensating' | 'watching' | 'completed' | 'rolled-back' | 'aborted';

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

interface StageStateFields {
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
  error?: { type: string; message: string; requestId?: string };
}

/** A stage's state; its evidence has the type its id's check keeps (`StageEvidence` in stage-checks.ts). */
export type StageState<S extends StageId = StageId> = { [K in S]: StageStateFields & { id: K; evidence: StageEvidenceOnRecord<K> } }[S];

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
  task?: string;
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
  evidence?: ItemEvidence;
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

/** The watch as the cutover sees it: the child's alerts and summaries, mirrored as they happen. */
export interface WatchState {
  workflowId: string;
  /** Set when it started at go-live (the plan's watch.from), before the debrief's decision. */
  fromGoLive?: true;
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
  /** Whether the worker allows the plan's PayCA and webhook targets; absent in cutovers started before the check. */
  targetCheck?: TargetCheck;
  /**
   * What this run changed and has not undone yet, newest last: what `cutover undo` runs when the cutover
   * ended from outside (terminated, or its run reset) before its compensations ran.
   */
  owedCompensations?: Compensation[];
  /** The post-launch watch, once the cutover has rolled forward. */
  watch?: WatchState;
  /** The plan's zone, the rehearsal it follows, gates and estimates, for calendars and comparisons; absent in cutovers started before. */
  timeline?: TimelinePlan;
  /** The plan's own tasks and their forecast; absent when the plan has none. */
  tasks?: TaskState[];
  forecast?: ForecastState;
  /** The launch's dashboards from the plan, for the report. */
  dashboards: { title: string; url: string }[];
  /** Screenshots of the plan's dashboards at the debrief and at the end of the watch: paths and digests only. */
  dashboardShots?: DashboardShot[];
  /** The watch's alert thresholds from the plan, so the report draws them beside the figures; absent in cutovers started before. */
  alertRules?: CutoverPlan['postLaunch']['alerts'];
  /** Reminders and overdue notices sent for post-launch items. */
  reminders: { item: string; kind: 'reminder' | 'overdue'; at: string; to: string[] }[];
  /** The data pack the debrief holds with; absent before the debrief and in plans that ask for none. */
  debrief?: DebriefPack;
  /** `by` is `workflow` when a failed critical rule rolled back without a person (the plan's debrief.autoRollBack). */
  decision?: { decision: Decision; by: string; reason: string; at: string };
  abort?: { by: string; reason: string; at: string };
  finishedAt?: string;
  /**
   * The cutover's runs: it continues as new before Temporal's history limits, carrying this status whole.
   * Absent in cutovers started before it could.
   */
  history?: { runs: number; continuedAsNew: ContinuedAsNew[] };
}

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

export const COMPENSATION_STEPS = ['restore-sandbox-jobs', 'remove-webhook-subscription', 'close-test-card', 'close-seeded-cards'] as const;
