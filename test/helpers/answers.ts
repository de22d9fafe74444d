/** Sending people's answers as the CLI does, and checking that a refused one changed nothing. */
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { MessageRefusedError } from '../../src/errors.js';
import { sendMessage, type CutoverMessage } from '../../src/operations/send-message.js';
import type { CutoverStatus } from '../../src/workflows/cutover-state.js';
import { statusQuery } from '../../src/workflows/messages.js';

/** `client` is read at each call, since a suite's harness connects in its `before`. */
export function answersThrough(client: () => Client) {
  return {
    /** Sends the answer as an update; its receipt's outcome. */
    async send(workflowId: string, message: CutoverMessage): Promise<string> {
      const result = await sendMessage(client(), workflowId, message, 'update');
      assert.equal(result.via, 'update');
      return result.via === 'update' ? result.receipt.outcome : '';
    },
    /** Sends the answer, expects a refusal, and checks no stage and no item it names moved; the refusal's words. */
    async refused(workflowId: string, message: CutoverMessage): Promise<string> {
      const handle = client().workflow.getHandle(workflowId);
      const before = await handle.query(statusQuery);
      const err = await sendMessage(client(), workflowId, message, 'update').then(
        () => assert.fail(`the ${message.kind} was accepted`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof MessageRefusedError, `expected a refusal, got ${String(err)}`);
      const after = await handle.query(statusQuery);
      const item = (s: CutoverStatus) => s.checklist.find((i) => i.id === (message.args as { item?: string }).item);
      assert.deepEqual([after.stages, item(after)], [before.stages, item(before)], 'a refused answer changes nothing');
      return err.message;
    },
  };
}
