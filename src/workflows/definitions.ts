/**
 * Every message the cutover workflow understands, defined once. The workflow sets handlers for these;
 * the CLI sends them. Each command exists as an update (answers with a receipt or a refusal) and as a
 * signal with the same rules (a refused signal is kept in the workflow's state, since signals cannot answer).
 */
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CutoverPlan } from '../plan/schema.js';
import type { Role, StageId } from './stages.js';

export const CUTOVER_TASK_QUEUE = 'cutover';
export const PAYCA_TASK_QUEUE = 'payca';

export interface CutoverInput {
  plan: CutoverPlan;
  /** Go-live time T, ISO 8601. */
  goLive: string;
  /** Plan time runs this many times faster than wall time; 1 for a real cutover. */
  timeScale: number;
  startedBy: string;
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

export type CutoverPhase = 'waiting' | 'running' | 'holding' | 'compensating' | 'completed' | 'rolled-back' | 'aborted';

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

export interface RefusalRecord {
  kind: MessageKind;
  via: 'update' | 'signal';
  by?: string;
  stage?: string;
  item?: string;
  reason: string;
  at: string;
}

export interface EscalationRecord {
  stage: StageId;
  at: string;
  to: string[];
  waitingFor: Role[];
}

export interface CompensationRecord {
  step: string;
  status: 'done' | 'failed';
  at: string;
  detail?: string;
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
  progress?: { done: number; total: number };
}

export type Severity = 'sev1' | 'sev2' | 'sev3';
export const SEVERITIES: readonly Severity[] = ['sev1', 'sev2', 'sev3'];

/** An entry of the incident log that people add; alerts, escalations and decisions join it in the report. */
export interface IncidentRecord {
  at: string;
  severity: Severity;
  summary: string;
  by: string;
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
  refusals: RefusalRecord[];
  escalations: EscalationRecord[];
  incidents: IncidentRecord[];
  compensations: CompensationRecord[];
  decision?: { decision: Decision; by: string; reason: string; at: string };
  abort?: { by: string; reason: string; at: string };
  finishedAt?: string;
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
  | 'report-incident';

export interface ApproveArgs {
  stage: StageId;
  by: string;
  note?: string;
  /** At go-live: the id of the real low-risk authorization the approver ran by hand. */
  authorizationId?: string;
}
export interface RejectArgs {
  stage: StageId;
  by: string;
  reason: string;
}
export interface DecideArgs {
  decision: Decision;
  by: string;
  reason: string;
}
export interface RetryArgs {
  stage: StageId;
  by: string;
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
}
export interface WaiveItemArgs {
  item: string;
  by: string;
  reason: string;
}
export interface RetryItemArgs {
  item: string;
  by: string;
}

export interface ReportIncidentArgs {
  by: string;
  severity: Severity;
  summary: string;
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
};

export const statusQuery = defineQuery<CutoverStatus>('status');
