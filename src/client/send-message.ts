/**
 * Sends one of the cutover commands (stage answers, the debrief decision, abort, and the checklist's
 * complete, waive and retry of an item) as an update (the workflow answers with a receipt or refuses)
 * or, with `--signal`, as a signal (fire and forget: the workflow applies the same rules and records
 * any refusal in its status).
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MESSAGES, type MessageArgs, type MessageKind, type MessageReceipt } from '../workflows/definitions.js';
import { CutoverError } from '../errors.js';
import { cutoverNotFound, translateTemporalError } from './temporal-errors.js';

/** One message to a cutover: its kind and that kind's arguments. */
export type CutoverMessage = { [K in MessageKind]: { kind: K; args: MessageArgs[K] } }[MessageKind];

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
