/**
 * Every message the cutover workflow understands, defined once. The workflow sets handlers for these;
 * the CLI sends them. Each command exists as an update (answers with a receipt or a refusal) and as a
 * signal with the same rules (a refused signal is kept in the workflow's state, since signals cannot answer).
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CutoverPlan } from '../plan/schema.js';
import type { ApprovalSignature, ItemAnswerKind } from '../signing/approval-statement.js';
import type { RoomStatement } from '../signing/room-statement.js';
import type { StageId } from '../runbook/stages.js';
import type { CutoverStatus, Decision, Severity, UndoStatus } from './cutover-state.js';

export type { ApprovalSignature, ItemAnswerKind, RoomStatement };

export const CUTOVER_TASK_QUEUE = 'cutover';
export const PAYCA_TASK_QUEUE = 'payca';

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
  | 'compensation-done'
  | 'task-answer';

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

export interface MessageReceipt {
  accepted: true;
  kind: MessageKind;
  stage?: StageId;
  item?: string;
  task?: string;
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

/** An answer about one of the plan's tasks: its owner marks it done, a gate role approves it, its owner retries a check. */
export interface TaskAnswerArgs {
  task: string;
  action: 'done' | 'approve' | 'retry';
  by: string;
  /** For done: what shows it is done. */
  evidence?: string;
  note?: string;
  /** Required when the plan lists the sender's public key. */
  signature?: ApprovalSignature;
  /** Set by the cutover room: who signed in, signed with the room's key. */
  roomStatement?: RoomStatement;
}
export type TaskAnswerReceipt = MessageReceipt & { task: string; action: TaskAnswerArgs['action'] };
export const taskAnswerUpdate = defineUpdate<MessageReceipt, [TaskAnswerArgs]>('task-answer');
export const taskAnswerSignal = defineSignal<[TaskAnswerArgs]>('task-answer-signal');

/** What a sender's CLI reports after the workflow refused its update: the message, who sent it, and why it was refused. */
export interface RefusalReport {
  kind: MessageKind;
  by?: string;
  stage?: string;
  item?: string;
  task?: string;
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
  'task-answer': TaskAnswerArgs;
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
  'task-answer': { update: taskAnswerUpdate, signal: taskAnswerSignal },
};

// ---------- undoing a cutover that ended from outside ----------

export const UNDO_WORKFLOW_TYPE = 'undoCompensationsWorkflow';

/** The undo's id, derived from its cutover's, so a second `cutover undo` finds the first instead of undoing twice. */
export const undoWorkflowId = (cutoverWorkflowId: string) => `${cutoverWorkflowId}.undo`;

export const undoStatusQuery = defineQuery<UndoStatus>('undo-status');

export const statusQuery = defineQuery<CutoverStatus>('status');

/** The plan the cutover runs, so `cutover undo` can undo a cutover that ended from outside with its own plan. */
export const planQuery = defineQuery<CutoverPlan>('plan');
