/**
 * What every part of one cutover run shares: its plan and clock, the status people see, the requests
 * waiting to be acted on, how it shows itself in the UI, its notices, and when and how it sheds its
 * history by continuing as new. The message handlers, the stage runner, the readiness runner and the
 * post-launch part each take this one object, the way the stage checks take theirs.
 */
import { allHandlersFinished, continueAsNew, log, patched, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { NotificationChannel } from '../activities/notify.js';
import { formatOffset } from '../plan/duration.js';
import type { CutoverPlan } from '../plan/schema.js';
import { timelinePlanOf } from '../plan/timeline-plan.js';
import type { StageId } from '../runbook/stages.js';
import { initialChecklist } from './checklist-rules.js';
import type { Compensation, CompensationAnswer } from './compensations.js';
import { renderCurrentDetails } from './current-details.js';
import type { cutoverWorkflow } from './cutover.js';
import type {
  ChecklistItemState,
  ContinuedAsNew,
  CutoverCarriedState,
  CutoverInput,
  CutoverPhase,
  CutoverStatus,
  IncidentRecord,
  StageState,
} from './cutover-state.js';
import type { WatchDecision } from './watch-protocol.js';
import { STRICT_MESSAGES_PATCH } from './message-bounds.js';
import { createNotices, noticeRouting, recordNoticeFailure, type Notices } from './notices.js';
import { planClock, type PlanClock } from './plan-clock.js';
import { createSearchIndex, LEAN_APPROVALS_PATCH } from './search-index.js';
import { addIncident } from './state-bounds.js';
import { hasRolledForward } from './rolled-forward.js';

/**
 * Cutovers continue as new before Temporal's history limits (it terminates a run past them, with no
 * compensation), carrying their whole state; runs started before keep one history, so they replay.
 */
export const SHED_HISTORY_PATCH = 'cutover-continues-as-new';
/** Incidents, escalations and watch decisions keep the latest in full and count the rest; runs started before keep every entry. */
export const BOUNDED_STATE_PATCH = 'bounded-incident-log';
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

/** What changes while the run goes on and more than one part reads. */
export interface RunFlags {
  /** Set once the timeline has ended, so the readiness loops stop waiting for re-runs. */
  timelineOver: boolean;
  /**
   * Set when the watch starts: the link its messages must carry. Cutovers whose watch started before
   * links existed have none and take the watch's messages as before.
   */
  watchLink?: string;
  /** Set once post-launch begins under WATCH_OUTLIVES_RUN_PATCH: the run may continue as new while the watch runs. */
  watchOutlivesRun: boolean;
  /** True while a decision is on its way to the watch: it would be lost if the run continued as new now. */
  forwardingControl: boolean;
}

export interface CutoverContext {
  input: CutoverInput;
  plan: CutoverPlan;
  timeScale: number;
  workflowId: string;
  /** What the previous run handed on; absent in a cutover's first run. */
  carried?: CutoverCarriedState;
  /** Set in a run that continues an earlier one: stages and checks already done are not done again. */
  resumed: boolean;
  goLiveMs: number;
  /** The plan's clock, anchored at the first run's start. */
  clock: PlanClock;
  status: CutoverStatus;
  /** Undo steps owed, oldest first; the same list as `status.owedCompensations`. */
  compensations: Compensation[];
  /** Engineering's answer to a compensation that holds, set by the message handlers. */
  compensationAnswer: { current?: CompensationAnswer };
  /** Accepted retries not yet acted on. */
  retryRequested: Set<StageId>;
  retryItemRequested: Set<string>;
  /** Accepted retries of held task checks not yet acted on: carried over like the stages' and items'. */
  taskRetryRequested: Set<string>;
  /** The lead's decisions about the watch, waiting to be forwarded to it in order. */
  watchControls: WatchDecision[];
  flags: RunFlags;
  /** Which recorded behaviours this run has (`patched`), read once at the start in a fixed order. */
  shedsHistory: boolean;
  boundedState: boolean;
  linkedWatchMessages: boolean;
  strictMessages: boolean;
  /** LEAN_APPROVALS_PATCH: fewer commands per approval (search-index.ts). */
  leanApprovals: boolean;
  nowIso(): string;
  /** Now on the plan's clock, which runs faster in rehearsals. */
  planNow(): string;
  stageState<S extends StageId>(id: S): StageState<S>;
  checklistItem(id: string): ChecklistItemState;
  logIncident(incident: IncidentRecord): void;
  /** Shows the state in the UI. Current details cost no history; search attributes are upserted only on change. */
  publish(): void;
  setPhase(phase: CutoverPhase, stage?: StageId): void;
  notices: Notices;
  /** Sends a notice without waiting for it to be delivered; a notice never fails a stage. */
  notify(channel: NotificationChannel, text: string, to?: string[], audience?: string): Promise<unknown>;
  abortRequested(): boolean;
  /** Why this run's history should be shed now, or undefined while it may grow. */
  historyFull(): string | undefined;
  /** A safe point with a full history: the run should continue as new now. */
  readyToShed(): boolean;
  /** Continues as new with the whole state; the next run resumes the stage that waits or holds. */
  shedHistory(compensatingAs?: CutoverPhase): Promise<never>;
}

export function createCutoverContext(input: CutoverInput, goLiveMs: number): CutoverContext {
  const { plan, timeScale } = input;
  const info = workflowInfo();
  const carried: CutoverCarriedState | undefined = input.carried;
  const resumed = carried !== undefined;
  const startedAtMs = carried?.startedAtMs ?? Date.now();

  const clock = planClock(startedAtMs, timeScale);
  const planNow = () => new Date(clock.planNowMs()).toISOString();
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
      dueAt: new Date(clock.dueAtMs(goLiveMs + s.offsetMs)).toISOString(),
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
    timeline: timelinePlanOf(plan),
    dashboards: plan.postLaunch.dashboards,
    alertRules: plan.postLaunch.alerts,
  };
  const compensations: Compensation[] = status.owedCompensations ?? [];
  status.owedCompensations = compensations;
  const retryRequested = new Set<StageId>(carried?.retryRequested);
  const retryItemRequested = new Set<string>(carried?.retryItemRequested);
  const taskRetryRequested = new Set<string>(carried?.taskRetryRequested);
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

  const flags: RunFlags = { timelineOver: false, watchLink: carried?.watchLink, watchOutlivesRun: false, forwardingControl: false };
  const watchControls: WatchDecision[] = [];

  const stageState = <S extends StageId>(id: S) => status.stages.find((s) => s.id === id) as StageState<S>;
  const checklistItem = (id: string) => status.checklist.find((i) => i.id === id) as ChecklistItemState;

  // Read here, before the first publish, so a run indexes one way throughout.
  const leanApprovals = patched(LEAN_APPROVALS_PATCH);
  const index = createSearchIndex(goLiveMs, leanApprovals);
  function publish(): void {
    index(status);
    setCurrentDetails(renderCurrentDetails(status));
  }

  function setPhase(phase: CutoverPhase, stage?: StageId): void {
    // Once live, the cutover stays "watching" while a post-launch stage waits, runs or holds: the stage says which.
    const live = hasRolledForward(status) && (phase === 'waiting' || phase === 'running' || phase === 'holding');
    status.phase = live ? 'watching' : phase;
    if (stage) status.currentStage = stage;
    publish();
  }

  const notices = createNotices({
    ...plan.notifications,
    routing: noticeRouting(plan),
    from: 'cutover',
    nowIso,
    onFailure: (failure) => {
      recordNoticeFailure(status, failure, logIncident);
      publish();
    },
  });
  const notify = (channel: NotificationChannel, text: string, to?: string[], audience?: string) =>
    notices.send(channel, text, { to, audience });

  const linkedWatchMessages = patched('linked-watch-messages');
  const strictMessages = patched(STRICT_MESSAGES_PATCH);

  const abortRequested = () => status.abort !== undefined;

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
    (status.watch === undefined || (flags.watchOutlivesRun && watchControls.length === 0 && !flags.forwardingControl)) &&
    !abortRequested();

  const readyToShed = () => shedsHistory && atSafePoint() && historyFull() !== undefined;

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
        ...(taskRetryRequested.size > 0 && { taskRetryRequested: [...taskRetryRequested] }),
        ...(compensatingAs && { compensatingAs }),
        ...(flags.watchOutlivesRun && flags.watchLink !== undefined && { watchLink: flags.watchLink }),
      },
    });
  }

  return {
    input,
    plan,
    timeScale,
    workflowId: info.workflowId,
    carried,
    resumed,
    goLiveMs,
    clock,
    status,
    compensations,
    compensationAnswer: {},
    retryRequested,
    retryItemRequested,
    taskRetryRequested,
    watchControls,
    flags,
    shedsHistory,
    boundedState,
    linkedWatchMessages,
    strictMessages,
    leanApprovals,
    nowIso,
    planNow,
    stageState,
    checklistItem,
    logIncident,
    publish,
    setPhase,
    notices,
    notify,
    abortRequested,
    historyFull,
    readyToShed,
    shedHistory,
  };
}
