/** What approve, reject, decide, retry and abort share: send, then say what happened in words. */
import { parseWorkflowId } from './arguments.js';
import { say } from './output.js';
import { sendMessage, type CutoverMessage } from './send-message.js';
import { withTemporal } from './temporal-session.js';

export async function runMessageCommand(id: string, message: CutoverMessage, options: { signal?: boolean }): Promise<void> {
  const workflowId = parseWorkflowId(id);
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
