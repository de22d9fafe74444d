/**
 * The cutover worker: three Temporal workers on one connection. The `cutover` queue's workflows and
 * activities run on the first (workflow-worker.ts), created before any activity code loads; the `payca`
 * queue's PayCA activities and the `payca-seeding` queue's ranges run on the activity workers
 * (activity-workers.ts), which also hold this process's PayCA call limiter and build the `cutover` queue's
 * activities for the first.
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { NotifyDeps } from '../activities/notify.js';
import type { SmtpSettings } from '../activities/smtp-settings.js';
import { dataConverterFor } from '../codec/payload-codecs.js';
import type { PaycaCredentials, PaycaEnvironment } from '../payca/credentials.js';
import type { ActivityWorkers } from './activity-workers.js';
import type { CutoverQueueActivities } from './cutover-queue-activities.js';
import { createWorkflowWorker } from './workflow-worker.js';

export interface CutoverWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  /**
   * For the activities and the rate share's count of workers; a function is called once the workflow worker
   * exists, so the worker process connects its client while it already polls.
   */
  temporalClient: Client | (() => Promise<Client>);
  /** CUTOVER_PAYCA_RATE: PayCA calls per second across all workers, per PayCA host (production, sandbox). */
  paycaActivitiesPerSecond?: number;
  /**
   * False runs without the per-process call limiter, with only the payca queue's activity rate: the
   * behaviour before calls were limited, for the test that shows what the limiter prevents.
   */
  limitPaycaCalls?: boolean;
  /** How often the number of workers sharing the rate is read from Temporal; default 3 s. */
  paycaRateRefreshMs?: number;
  /** Slack-compatible webhook for notifications when the plan names none. */
  notifyUrl?: string;
  notifyWrite?: NotifyDeps['write'];
  /** The SMTP server for email notices; CUTOVER_SMTP_* from the environment when left out. */
  smtp?: SmtpSettings;
  /** Must be unique per worker: the PayCA rate is shared by counting identities on the payca queue. */
  identity?: string;
  /** Credentials to use instead of the environment (tests that run the simulator in-process). */
  paycaCredentials?: Partial<Record<PaycaEnvironment, PaycaCredentials>>;
  /** Task queue names, for tests that isolate runs; the defaults are what the workflow schedules to. */
  taskQueue?: string;
  paycaTaskQueue?: string;
  /**
   * Codecs for every payload both workers write and read (the encryption codec when keys are configured);
   * the clients that start and answer cutovers must use the same ones.
   */
  payloadCodecs?: PayloadCodec[];
  /**
   * Bundle the workflow code now even when a prebuilt bundle exists (CUTOVER_BUNDLE_AT_START=1 for the
   * worker process), to compare start-up times or to run workflow code changed since the last build.
   */
  bundleAtStart?: boolean;
  /**
   * Workflow tasks the workflow worker takes at once (CUTOVER_WORKFLOW_TASK_SLOTS for the worker process).
   * They run one after another on one workflow thread, so a task taken behind many others can pass its
   * start-to-close timeout while it waits; one left on the server waits without a clock running.
   */
  workflowTaskSlots?: number;
  /** Where dashboard screenshots are written for the report; default CUTOVER_ARTIFACTS_DIR. */
  artifactsDir?: string;
  /**
   * Start polling for workflow tasks as soon as the workflow worker exists, before the activity code is
   * loaded (the worker process); otherwise every worker starts polling at `run()`.
   */
  pollWorkflowsFirst?: boolean;
}

export interface CutoverWorkers {
  run(): Promise<void>;
  shutdown(): void;
}

export const DEFAULT_PAYCA_ACTIVITIES_PER_SECOND = 20;

/**
 * The SDK's default identity (pid@host) is the same for two workers in one process, and the rate share
 * counts identities; a random tag keeps every worker apart.
 */
function uniqueWorkerIdentity(): string {
  return `${process.pid}@${hostname()}/${randomUUID().slice(0, 8)}`;
}

export async function createCutoverWorkers(options: CutoverWorkersOptions): Promise<CutoverWorkers> {
  const rate = options.paycaActivitiesPerSecond ?? DEFAULT_PAYCA_ACTIVITIES_PER_SECOND;
  const dataConverter = dataConverterFor(options.payloadCodecs);
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    ...(dataConverter ? { dataConverter } : {}),
    identity: options.identity ?? uniqueWorkerIdentity(),
  };
  let bindActivities: (activities: CutoverQueueActivities) => void = () => undefined;
  let failActivities: (reason: unknown) => void = () => undefined;
  const cutoverQueueActivities = new Promise<CutoverQueueActivities>((resolve, reject) => {
    bindActivities = resolve;
    failActivities = reject;
  });
  // An activity waiting for the code fails with it rather than holding the workflow worker's shutdown.
  cutoverQueueActivities.catch(() => undefined);
  const workflowWorker = await createWorkflowWorker({
    ...common,
    taskQueue: options.taskQueue,
    bundleAtStart: options.bundleAtStart,
    workflowTaskSlots: options.workflowTaskSlots,
    activities: cutoverQueueActivities,
  });
  const polling = options.pollWorkflowsFirst ? workflowWorker.run() : undefined;
  // Its failure is run()'s to report; until then it must not count as unhandled.
  polling?.catch(() => undefined);
  let activity: ActivityWorkers;
  try {
    // Loaded only now: the activity code is most of what this process loads beyond the SDK.
    const { createActivityWorkers } = await import('./activity-workers.js');
    const temporalClient = typeof options.temporalClient === 'function' ? await options.temporalClient() : options.temporalClient;
    activity = await createActivityWorkers({ ...options, temporalClient }, common, rate);
  } catch (err) {
    failActivities(err);
    if (polling) {
      if (workflowWorker.getState() === 'RUNNING') workflowWorker.shutdown();
      await polling.catch(() => undefined);
    }
    throw err;
  }
  bindActivities(activity.cutoverQueue);
  const all: Worker[] = [workflowWorker, ...activity.workers];
  return {
    async run() {
      activity.rateShare?.start();
      try {
        await Promise.all([polling ?? workflowWorker.run(), ...activity.workers.map((worker) => worker.run())]);
      } finally {
        activity.rateShare?.stop();
      }
    },
    shutdown() {
      activity.rateShare?.stop();
      for (const worker of all) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}
