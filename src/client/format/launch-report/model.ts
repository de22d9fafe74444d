/** The launch report's model: what `cutover report ID --format json` prints, and what the Markdown is rendered from. */
import type { FeeReconciliationResult } from '../../../activities/post-launch/fee-reconciliation.js';
import type { CurrencyFeesRead } from '../../../operations/evidence.js';
import type { RehearsalComparison } from '../../../operations/rehearsal-comparison.js';
import type { Role } from '../../../runbook/stages.js';
import type { RoomStatement } from '../../../signing/room-statement.js';
import type { ItemAnswerKind } from '../../../workflows/messages.js';
import type { DashboardShot } from '../../../workflows/dashboard-shot-types.js';
import type { DebriefPack } from '../../../workflows/debrief-rules.js';
import type { TaskStatus } from '../../../workflows/task-state.js';
import type { WatchAlert, WatchDecision, WatchSummary } from '../../../workflows/watch-protocol.js';
import type {
  Authentication,
  ApprovalRecord,
  ChecklistItemState,
  CompensationRecord,
  CutoverPhase,
  CutoverStatus,
  EscalationRecord,
  IncidentRecord,
  NoticeFailures,
  OmittedEntries,
  RefusalRecord,
  RefusalSummary,
  StageStatus,
  WatchState,
} from '../../../workflows/cutover-state.js';

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
  /** Present when the status marks the stage as on the critical path. */
  critical?: boolean;
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
  /** The plan's IANA zone, in which planned times are shown; UTC when the plan names none. */
  timeZone: string;
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
  /** What the debrief knew from T: figures, alerts, incidents, each plan rule judged and the recommendation; null without one. */
  debriefPack: DebriefPack | null;
  /** Screenshots of the dashboards taken at the debrief and the watch's end, or why one could not be taken. */
  dashboardShots: DashboardShot[];
  /** The watch's alert thresholds from the plan; null for a cutover started before the status carried them. */
  alertRules: NonNullable<CutoverStatus['alertRules']> | null;
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
  /** Present when the cutover names the rehearsal it follows (`rehearsalOf`). */
  rehearsal?: LaunchRehearsal;
  /** The plan's tasks and the workflow's forecast; present only when the plan has tasks. */
  tasks?: LaunchTasks;
}

export interface LaunchTaskEntry {
  id: string;
  title: string;
  stream: string;
  owner: Role;
  /** The tasks and stages it waited for, and the stages that waited for it. */
  after: string[];
  before: string[];
  status: TaskStatus;
  /** Where the plan alone puts it, plan time; due and dueEnd are the same slot on the wall clock. */
  planned: string;
  due: string;
  dueEnd: string;
  estimateMs: number;
  started: string | null;
  finished: string | null;
  /** How far it could slip before go-live does, as last forecast; null when go-live does not wait for it or it is over. */
  slackMs: number | null;
  late: boolean;
  critical: boolean;
  gate: Role[];
}

export interface LaunchTasks {
  entries: LaunchTaskEntry[];
  /** The workflow's last forecast, plan time; null before it made one. */
  forecast: {
    at: string;
    goNoGoAt: string;
    varianceMs: number;
    crossesT: boolean;
    criticalPath: string[];
    late: string[];
  } | null;
}

/** The live run against its rehearsal, or why the rehearsal could not be read. */
export interface LaunchRehearsal {
  workflowId: string;
  comparison: RehearsalComparison | null;
  unavailable?: string;
}

export interface LaunchFeeResult {
  /** Null where the evidence did not record it. */
  date: string | null;
  tolerance: number;
  matches: boolean;
  /** Every currency reconciled, with the statement's lines in it. */
  currencies: CurrencyFeesRead[];
  requestIds: { [K in keyof FeeReconciliationResult['requestIds']]: string | null };
}
