/**
 * The plan's tasks and their forecast as status shows them: the read model `cutover status`, the current
 * details, reports and comparisons read. Times are ISO 8601 on the wall clock unless named plan time.
 */
import type { Role } from '../runbook/stages.js';
import type { ApprovalSignature } from '../signing/approval-statement.js';
import type { RoomStatement } from '../signing/room-statement.js';
import type { ApprovalRecord, Authentication, HoldRecord } from './cutover-state.js';

export type TaskStatus = 'pending' | 'waiting' | 'running' | 'holding' | 'done' | 'failed' | 'skipped';

export interface TaskState {
  id: string;
  title: string;
  stream: string;
  owner: Role;
  kind: 'manual' | 'http-check' | 'notify';
  after: string[];
  /** Built-in stages that wait for it. */
  before: string[];
  status: TaskStatus;
  /** Its not-before time on the plan's clock, when it has one. */
  notBeforePlanAt?: string;
  estimateMs: number;
  startedAt?: string;
  finishedAt?: string;
  /** The same two on the plan's clock, which the forecast and a comparison read. */
  startedPlanAt?: string;
  finishedPlanAt?: string;
  /** Runs of an http-check so far. */
  attempts: number;
  problems: string[];
  /** What shows it is done: the owner's words, or what the check saw. */
  evidence?: string;
  /** Who marked it done, for a manual task. */
  completedBy?: string;
  hold?: HoldRecord;
  /** Roles that approve before it counts as done, and how long they have before it escalates; absent without a gate. */
  gate?: Role[];
  approvalTimeoutMs?: number;
  approvals: ApprovalRecord[];
  /** Why it was skipped or failed. */
  reason?: string;
  /** How the owner's done was authenticated: the room, a key, or the name only. */
  answeredVia?: Authentication;
  /** Answers that came through the room or were signed, each counted once; absent while there are none. */
  answers?: TaskAnswerRecord[];
}

/** A task answer the room vouched for or its sender signed, kept so the statement counts once and the report shows it. */
export interface TaskAnswerRecord {
  action: 'done' | 'approve' | 'retry';
  by: string;
  attempt: number;
  at: string;
  note?: string;
  signature?: ApprovalSignature & { publicKey: string };
  room?: RoomStatement & { publicKey: string };
}

/** One task's place in the forecast, plan time. */
export interface TaskForecastEntry {
  id: string;
  expectedFinish: string;
  /** How far it can slip before the go-live gate does; absent when go-live does not wait for it. */
  slackMs?: number;
  late: boolean;
  overrunMs: number;
}

/** A notice the forecast sent: the go-live forecast crossing T, or a task overrunning its estimate past the margin. */
export interface ForecastAlert {
  id: string;
  kind: 'go-live' | 'overrun';
  task?: string;
  openedAt: string;
  /** What it said, and who was told. */
  text: string;
  to: string[];
  recoveredAt?: string;
}

export interface ForecastState {
  /** When it was computed, plan time. */
  at: string;
  /** When the go-live gate is expected to open, plan time, against T. */
  goNoGoAt: string;
  plannedAt: string;
  /** goNoGoAt minus T: positive when go-live is forecast late. */
  varianceMs: number;
  crossesT: boolean;
  criticalPath: string[];
  tasks: TaskForecastEntry[];
  /** Task ids late now: running past their estimate or with negative slack. */
  late: string[];
  alerts: ForecastAlert[];
}
