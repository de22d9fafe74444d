/**
 * Sends one of the cutover commands (stage answers, the debrief decision, abort, and the checklist's
 * complete, waive and retry of an item) as an update (the workflow answers with a receipt or refuses)
 * or, with `--signal`, as a signal (fire and forget: the workflow applies the same rules and records
 * any refusal in its status).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  abortSignal,
  abortUpdate,
  approveSignal,
  approveUpdate,
  completeItemSignal,
  completeItemUpdate,
  decideSignal,
  decideUpdate,
  rejectSignal,
  rejectUpdate,
  reportIncidentSignal,
  reportIncidentUpdate,
  retryItemSignal,
  retryItemUpdate,
  retrySignal,
  retryUpdate,
  waiveItemSignal,
  waiveItemUpdate,
  type AbortArgs,
  type ApproveArgs,
  type CompleteItemArgs,
  type DecideArgs,
  type MessageReceipt,
  type RejectArgs,
  type ReportIncidentArgs,
  type RetryArgs,
  type RetryItemArgs,
  type WaiveItemArgs,
} from '../workflows/definitions.js';
import { CutoverError } from '../errors.js';
import { cutoverNotFound, translateTemporalError } from './temporal-errors.js';

export type CutoverMessage =
  | { kind: 'approve'; args: ApproveArgs }
  | { kind: 'reject'; args: RejectArgs }
  | { kind: 'decide'; args: DecideArgs }
  | { kind: 'retry'; args: RetryArgs }
  | { kind: 'abort'; args: AbortArgs }
  | { kind: 'complete-item'; args: CompleteItemArgs }
  | { kind: 'waive-item'; args: WaiveItemArgs }
  | { kind: 'retry-item'; args: RetryItemArgs }
  | { kind: 'report-incident'; args: ReportIncidentArgs };

export type Delivery = 'update' | 'signal';

export type SendResult = { via: 'update'; receipt: MessageReceipt } | { via: 'signal' };

export async function sendMessage(
  client: Client,
  workflowId: string,
  message: CutoverMessage,
  via: Delivery,
): Promise<SendResult> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (via === 'signal') {
      await signal(handle, message);
      return { via };
    }
    return { via, receipt: await update(handle, message) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw await notRunning(client, workflowId);
    throw translateTemporalError(err, workflowId);
  }
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

function update(handle: Handle, message: CutoverMessage): Promise<MessageReceipt> {
  switch (message.kind) {
    case 'approve':
      return handle.executeUpdate(approveUpdate, { args: [message.args] });
    case 'reject':
      return handle.executeUpdate(rejectUpdate, { args: [message.args] });
    case 'decide':
      return handle.executeUpdate(decideUpdate, { args: [message.args] });
    case 'retry':
      return handle.executeUpdate(retryUpdate, { args: [message.args] });
    case 'abort':
      return handle.executeUpdate(abortUpdate, { args: [message.args] });
    case 'complete-item':
      return handle.executeUpdate(completeItemUpdate, { args: [message.args] });
    case 'report-incident':
      return handle.executeUpdate(reportIncidentUpdate, { args: [message.args] });
    case 'waive-item':
      return handle.executeUpdate(waiveItemUpdate, { args: [message.args] });
    case 'retry-item':
      return handle.executeUpdate(retryItemUpdate, { args: [message.args] });
  }
}

function signal(handle: Handle, message: CutoverMessage): Promise<void> {
  switch (message.kind) {
    case 'approve':
      return handle.signal(approveSignal, message.args);
    case 'reject':
      return handle.signal(rejectSignal, message.args);
    case 'decide':
      return handle.signal(decideSignal, message.args);
    case 'retry':
      return handle.signal(retrySignal, message.args);
    case 'abort':
      return handle.signal(abortSignal, message.args);
    case 'complete-item':
      return handle.signal(completeItemSignal, message.args);
    case 'report-incident':
      return handle.signal(reportIncidentSignal, message.args);
    case 'waive-item':
      return handle.signal(waiveItemSignal, message.args);
    case 'retry-item':
      return handle.signal(retryItemSignal, message.args);
  }
}

/** Temporal says "not found" both for unknown ids and for cutovers that have finished; tell them apart. */
async function notRunning(client: Client, workflowId: string): Promise<CutoverError> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    return new CutoverError(
      'WORKFLOW_NOT_FOUND',
      `cutover ${workflowId} has finished (${description.status.name}) and takes no more messages; \`cutover status ${workflowId}\` shows how it ended`,
      { workflowId, executionStatus: description.status.name },
    );
  } catch {
    return cutoverNotFound(workflowId);
  }
}
