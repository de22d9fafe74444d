/**
 * What every command that sends the workflow a message shares (approve, reject, decide, retry, abort,
 * complete, waive, retry-item, incident, watch end|extend, task done|approve|retry): send, then say what happened in words.
 * The Temporal client loads only after the arguments are checked, so usage errors answer at once.
 * Approvals, rejections, decisions, checklist and task answers are signed first when the sender gives a key.
 */
import { isSignable, readSigningKey, signMessage } from './approval-signing.js';
import { parseWorkflowId } from './arguments.js';
import { say } from './output.js';
import type { CutoverMessage } from '../operations/send-message.js';

export interface MessageCommandOptions {
  signal?: boolean;
  /** Private key file to sign with; CUTOVER_SIGNING_KEY_FILE when absent. */
  key?: string;
}

export async function runMessageCommand(id: string, message: CutoverMessage, options: MessageCommandOptions): Promise<void> {
  const workflowId = parseWorkflowId(id);
  const keyFile = isSignable(message) ? (options.key ?? (process.env.CUTOVER_SIGNING_KEY_FILE || undefined)) : undefined;
  const key = keyFile ? readSigningKey(keyFile) : undefined;
  const [{ withTemporal }, { sendMessage }] = await Promise.all([import('./temporal-session.js'), import('../operations/send-message.js')]);
  await withTemporal(async (client) => {
    let outgoing = message;
    if (key && isSignable(message)) {
      const signed = await signMessage(client, workflowId, message, key);
      say(signed.description);
      outgoing = signed.message;
    }
    const result = await sendMessage(client, workflowId, outgoing, options.signal ? 'signal' : 'update');
    const what = message.kind === 'task-answer' ? `task ${message.args.action}` : message.kind;
    if (result.via === 'update') {
      say(`${what} accepted by ${workflowId}: ${result.receipt.outcome}`);
    } else {
      say(
        `${what} sent to ${workflowId} as a signal. Signals cannot answer: the workflow checks it by the same rules, and a refusal shows under Refusals in \`cutover status ${workflowId}\`.`,
      );
    }
  }, workflowId);
}
