/**
 * One suite's world: a real Temporal server (time-skipping or dev), a PayCA stack and the cutover
 * workers, started in `before` and stopped in `after`, plus a way to start cutovers on it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { SmtpSettings } from '../../src/activities/smtp-settings.js';
import { createCutoverWorkers, type CutoverWorkers } from '../../src/worker/create-workers.js';
import { CUTOVER_TASK_QUEUE } from '../../src/workflows/messages.js';
import type { CutoverInput } from '../../src/workflows/cutover-state.js';
import { cutoverWorkflow } from '../../src/workflows/cutover.js';
import type { CutoverPlan } from '../../src/plan/schema.js';
import { startPaycaStack, type PaycaStack } from './payca-stack.js';
import { planFor } from './plans.js';
import { freshWorkflowId, startDevServer, startTimeSkippingServer } from './temporal.js';

export const HOUR = 3_600_000;

export interface CutoverHarness {
  env: TestWorkflowEnvironment;
  stack: PaycaStack;
  /** Console notifications the worker would have printed, newest last. */
  notifications: string[];
  start(options?: {
    plan?: CutoverPlan;
    goLiveInMs?: number;
    timeScale?: number;
    /** When the run continues as new; the workflow's defaults when absent. */
    history?: CutoverInput['history'];
    startOptions?: Record<string, unknown>;
  }): Promise<WorkflowHandle<typeof cutoverWorkflow>>;
}

export function useCutoverHarness(
  server: 'time-skipping' | 'dev',
  idPrefix: string,
  options: {
    rateLimit?: { perSecond: number; burst: number };
    /** Codecs for the workers and `env.client` (the encryption codec); dev server only. */
    payloadCodecs?: PayloadCodec[];
    /** Where the worker writes dashboard screenshots; read when `before` runs, so a suite may make it there. */
    artifactsDir?: () => string;
    /** The workers' SMTP server, read once a suite's own `before` has started it. */
    smtp?: () => SmtpSettings;
  } = {},
): CutoverHarness {
  let workers: CutoverWorkers | undefined;
  let running: Promise<void> | undefined;
  const harness = { notifications: [] as string[] } as unknown as CutoverHarness;

  before(async () => {
    [harness.env, harness.stack] = await Promise.all([
      server === 'dev' ? startDevServer({ payloadCodecs: options.payloadCodecs }) : startTimeSkippingServer(),
      startPaycaStack({ rateLimit: options.rateLimit }),
    ]);
    workers = await createCutoverWorkers({
      connection: harness.env.nativeConnection,
      namespace: harness.env.namespace ?? 'default',
      temporalClient: harness.env.client,
      paycaCredentials: harness.stack.credentials,
      notifyWrite: (line) => harness.notifications.push(line),
      payloadCodecs: options.payloadCodecs,
      artifactsDir: options.artifactsDir?.(),
      smtp: options.smtp?.(),
    });
    running = workers.run();
  });

  after(async () => {
    workers?.shutdown();
    await running;
    await harness.stack?.close();
    await harness.env?.teardown();
  });

  harness.start = async ({ plan, goLiveInMs = 25 * HOUR, timeScale = 1, history, startOptions = {} } = {}) => {
    const now = harness.env.supportsTimeSkipping ? await harness.env.currentTimeMs() : Date.now();
    const input: CutoverInput = {
      plan: plan ?? planFor(harness.stack),
      goLive: new Date(now + goLiveInMs).toISOString(),
      timeScale,
      startedBy: 'lara',
      ...(history && { history }),
    };
    return harness.env.client.workflow.start(cutoverWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: freshWorkflowId(idPrefix),
      args: [input],
      ...startOptions,
    });
  };
  return harness;
}
