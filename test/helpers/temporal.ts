/** Real Temporal servers for suites: the time-skipping test server and the CLI dev server. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { setTimeout as delay } from 'node:timers/promises';
import { devServerExecutable, testServerExecutable } from '../../src/temporal/binaries.js';
import { statusQuery, type CutoverStatus } from '../../src/workflows/definitions.js';
import { registerSearchAttributes } from '../../src/temporal/register-search-attributes.js';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../src/workflows/search-attributes.js';

export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** `payloadCodecs` go to the environment's client, for suites whose workers encrypt. */
export function startDevServer(options: { payloadCodecs?: PayloadCodec[] } = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    ...(options.payloadCodecs?.length ? { client: { dataConverter: { payloadCodecs: options.payloadCodecs } } } : {}),
    server: {
      executable: devServerExecutable(),
      ip: '127.0.0.1',
      extraArgs: SEARCH_ATTRIBUTE_REGISTRATIONS.flatMap((sa) => ['--search-attribute', sa]),
    },
  });
}

let counter = 0;
export function freshWorkflowId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/**
 * Drives a cutover on the time-skipping server until `done` holds: skips time while the workflow waits
 * for a stage's due time, and waits in real time while activities run. Bounded in steps.
 */
export async function advanceUntil(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  done: (status: CutoverStatus) => boolean,
  what: string,
): Promise<CutoverStatus> {
  let last: CutoverStatus | undefined;
  for (let step = 0; step < 600; step++) {
    last = await handle.query(statusQuery);
    if (done(last)) return last;
    // Skipping time while an activity runs would time it out, so readiness checks finish first.
    const checking = last.checklist.some((item) => item.status === 'checking');
    if (last.phase === 'waiting' && env.supportsTimeSkipping && !checking) {
      const stage = last.stages.find((s) => s.id === last?.currentStage);
      const now = await env.currentTimeMs();
      const wait = stage ? Date.parse(stage.dueAt) - now : 0;
      if (wait > 0) {
        await env.sleep(wait + 1_000);
        continue;
      }
    }
    if (last.phase === 'holding' || last.phase === 'completed' || last.phase === 'aborted' || last.phase === 'rolled-back') {
      const at = last.stages.find((s) => s.id === last?.currentStage);
      throw new Error(`cutover is ${last.phase} at ${last.currentStage} (${at?.hold?.reason ?? ''}) while waiting for ${what}`);
    }
    await delay(100);
  }
  throw new Error(`gave up waiting for ${what}; last phase ${last?.phase} at ${last?.currentStage}`);
}

export const stageOf = (status: CutoverStatus, id: string) => {
  const stage = status.stages.find((s) => s.id === id);
  if (!stage) throw new Error(`no stage ${id}`);
  return stage;
};

export const holdingAt = (id: string) => (s: CutoverStatus) => s.phase === 'holding' && s.currentStage === id;
