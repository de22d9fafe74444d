/**
 * The worker process takes a waiting cutover's first workflow task before it has loaded its activity code
 * or connected its Temporal client (docs/performance.md, worker start). Here the client is held back: the
 * activity workers cannot be created until it is given, yet the cutover's first task is taken.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cutoverWorkflow } from '../src/workflows/cutover.js';
import { createCutoverWorkers } from '../src/worker/create-workers.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';
import { planFor } from './helpers/plans.js';
import { freshWorkflowId, startDevServer } from './helpers/temporal.js';

async function firstTaskTaken(env: TestWorkflowEnvironment, workflowId: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const events = (await env.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    if (events.some((e) => e.workflowTaskStartedEventAttributes)) return true;
    await delay(100);
  }
  return false;
}

describe('cutover worker start', function () {
  this.timeout(120_000);
  let env: TestWorkflowEnvironment;
  let stack: PaycaStack;

  before(async () => {
    [env, stack] = await Promise.all([startDevServer(), startPaycaStack()]);
  });

  after(async () => {
    await stack?.close();
    await env?.teardown();
  });

  for (const pollWorkflowsFirst of [true, false]) {
    it(
      pollWorkflowsFirst
        ? "takes a waiting cutover's first workflow task before its activity workers exist"
        : 'takes no workflow task before its activity workers exist when told to start them together (the control)',
      async () => {
        const taskQueue = `polls-first-${pollWorkflowsFirst}-${Date.now()}`;
        const workflowId = freshWorkflowId('polls-first');
        const handle = await env.client.workflow.start(cutoverWorkflow, {
          taskQueue,
          workflowId,
          args: [
            {
              plan: planFor(stack, { programme: 'Polls First' }),
              goLive: new Date(Date.now() + 25 * 3_600_000).toISOString(),
              timeScale: 1,
              startedBy: 'lara',
            },
          ],
        });
        let giveClient: (client: Client) => void = () => undefined;
        const heldClient = new Promise<Client>((resolve) => (giveClient = resolve));
        let created = false;
        const creating = createCutoverWorkers({
          connection: env.nativeConnection,
          namespace: env.namespace ?? 'default',
          temporalClient: () => heldClient,
          taskQueue,
          paycaTaskQueue: `${taskQueue}-payca`,
          paycaCredentials: stack.credentials,
          notifyWrite: () => undefined,
          pollWorkflowsFirst,
        }).then((workers) => {
          created = true;
          return workers;
        });
        try {
          const taken = await firstTaskTaken(env, workflowId, pollWorkflowsFirst ? 30_000 : 5_000);
          assert.equal(created, false, 'the activity workers were created without the client');
          assert.equal(taken, pollWorkflowsFirst);
        } finally {
          giveClient(env.client);
          const workers = await creating;
          const running = workers.run();
          workers.shutdown();
          await running;
          await handle.terminate('worker start checked');
        }
      },
    );
  }
});
