/** For suites that send updates the workflow must refuse: the refusal's reason, or a failed assertion. */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';

export async function refusalOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => assert.fail('the message was accepted'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WorkflowUpdateFailedError, `expected a refused update, got ${String(err)}`);
  return (err.cause as Error).message;
}
