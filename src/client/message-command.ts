/**
 * What every command that sends the workflow a message shares (approve, reject, decide, retry, abort,
 * complete, waive, retry-item, incident, watch end|extend): send, then say what happened in words.
 * The Temporal client loads only after the arguments are checked, so usage errors answer at once.
 */
import { parseWorkflowId } from './arguments.js';
import { say } from './output.js';
import type { CutoverMessage } from './send-message.js';

export async function runMessageCommand(id: string, message: CutoverMessage, options: { signal?: boolean }): Promise<void> {
  const workflowId = parseWorkflowId(id);
  const [{ withTemporal }, { sendMessage }] = await Promise.all([import('./temporal-session.js'), import('./send-message.js')]);
  await withTemporal(async (client) => {
    const result = await sendMessage(client, workflowId, message, options.signal ? 'signal' : 'update');
    if (result.via === 'update') {
      say(`${message.kind} accepted by ${workflowId}: ${result.receipt.outcome}`);
    } else {
      say(
        `${message.kind} sent to ${workflowId} as a signal. Signals cannot answer: the workflow checks it by the same rules, and a refusal shows under Refusals in \`cutover status ${workflowId}\`.`,
      );
    }
  }, workflowId);
}
