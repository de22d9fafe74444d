/**
 * Sends one of the cutover commands (stage answers, the debrief decision, abort, and the checklist's
 * complete, waive and retry of an item) as an update (the workflow answers with a receipt or refuses)
 * or, with `--signal`, as a signal (fire and forget: the workflow applies the same rules and records
 * any refusal in its status). A refused update is put on record by a signal afterwards.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  MESSAGES,
  refusalReportSignal,
  type MessageArgs,
  type MessageKind,
  type MessageReceipt,
  type RefusalReport,
} from '../workflows/messages.js';
import { clip, MAX_REFUSAL_REASON_LENGTH } from '../workflows/refusal-log.js';
import { CutoverError, MessageRefusedError } from '../errors.js';
import { cutoverNotFound, translateTemporalError } from './temporal-errors.js';

/** One message to a cutover: its kind and that kind's arguments. */
export type CutoverMessage = { [K in MessageKind]: { kind: K; args: MessageArgs[K] } }[MessageKind];

export type Delivery = 'update' | 'signal';

export type SendResult = { via: 'update'; receipt: MessageReceipt } | { via: 'signal' };

export async function sendMessage(client: Client, workflowId: string, message: CutoverMessage, via: Delivery): Promise<SendResult> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (via === 'signal') {
      await signal(handle, message);
      return { via };
    }
    return { via, receipt: await update(handle, message) };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw await notRunning(client, workflowId);
    const translated = translateTemporalError(err, workflowId);
    if (via === 'update' && translated instanceof MessageRefusedError) await reportRefusal(handle, message, translated.message);
    throw translated;
  }
}

/**
 * A refused update leaves nothing in the workflow's history, so the sender puts the attempt on record
 * with a signal. Fields are cut short here as in the workflow, so a huge argument never reaches history.
 * Best effort: the refusal itself is what the sender must see, even if this report cannot go out.
 */
async function reportRefusal(handle: Handle, message: CutoverMessage, reason: string): Promise<void> {
  const args = message.args as { by?: unknown; stage?: unknown; item?: unknown; task?: unknown };
  const report: RefusalReport = { kind: message.kind, reason: clip(reason, MAX_REFUSAL_REASON_LENGTH) };
  for (const key of ['by', 'stage', 'item', 'task'] as const) {
    const value = args[key];
    if (typeof value === 'string') report[key] = clip(value);
  }
  try {
    await handle.signal(refusalReportSignal, report);
  } catch {
    // The workflow may have ended between the refusal and this report; the sender still sees the refusal.
  }
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

function update<K extends MessageKind>(handle: Handle, message: { kind: K; args: MessageArgs[K] }): Promise<MessageReceipt> {
  return handle.executeUpdate(MESSAGES[message.kind].update, { args: [message.args] });
}

function signal<K extends MessageKind>(handle: Handle, message: { kind: K; args: MessageArgs[K] }): Promise<void> {
  return handle.signal(MESSAGES[message.kind].signal, message.args);
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
