/**
 * The cutover worker: two Temporal workers on one connection. The `cutover` queue runs the workflow and
 * the activities that are not PayCA calls; the `payca` queue runs PayCA calls only, capped server-side
 * with maxTaskQueueActivitiesPerSecond so every worker of the deployment together stays under PayCA's
 * rate limit, however many replicas run.
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { createCutoverActivities, createPaycaActivities, createPaycaClients } from '../activities/index.js';
import { createWatchMetricsActivities } from '../activities/post-launch/watch-metrics.js';
import { dataConverterFor } from '../codec/payload-codecs.js';
import type { NotifyDeps } from '../activities/notify.js';
import type { WorkerCredentials } from '../activities/readiness/cicd-env.js';
import { CutoverError } from '../errors.js';
import { loadPaycaCredentials, type PaycaCredentials, type PaycaEnvironment } from '../payca/credentials.js';
import { CUTOVER_TASK_QUEUE, PAYCA_TASK_QUEUE } from '../workflows/definitions.js';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from './paths.js';

export interface CutoverWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  temporalClient: Client;
  /** Cap on PayCA calls per second across all workers on the payca queue. */
  paycaActivitiesPerSecond?: number;
  /** Slack-compatible webhook for notifications when the plan names none. */
  notifyUrl?: string;
  notifyWrite?: NotifyDeps['write'];
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
}

export interface CutoverWorkers {
  run(): Promise<void>;
  shutdown(): void;
}

export const DEFAULT_PAYCA_ACTIVITIES_PER_SECOND = 20;

function workflowSource(bundleAtStart: boolean): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  return !bundleAtStart && existsSync(WORKFLOW_BUNDLE_PATH)
    ? { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } }
    : { workflowsPath: WORKFLOWS_PATH };
}

export async function createCutoverWorkers(options: CutoverWorkersOptions): Promise<CutoverWorkers> {
  const payca = createPaycaClients({ credentials: options.paycaCredentials });
  const dataConverter = dataConverterFor(options.payloadCodecs);
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    ...(dataConverter ? { dataConverter } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
  };
  // Created side by side: the workflow worker spends most of its start loading the bundle in its own thread.
  const [cutoverWorker, paycaWorker] = await Promise.all([
    Worker.create({
      ...common,
      ...workflowSource(options.bundleAtStart ?? false),
      taskQueue: options.taskQueue ?? CUTOVER_TASK_QUEUE,
      activities: {
        ...createCutoverActivities({
          temporal: options.temporalClient,
          notify: { defaultWebhookUrl: options.notifyUrl, write: options.notifyWrite },
          workerCredentials: heldCredentials(options.paycaCredentials),
        }),
        // The post-launch watch's read, run here as a local activity: see paycaLocalReads.
        ...createWatchMetricsActivities({ payca }),
      },
    }),
    Worker.create({
      ...common,
      taskQueue: options.paycaTaskQueue ?? PAYCA_TASK_QUEUE,
      activities: createPaycaActivities({ payca, credentials: options.paycaCredentials }),
      maxTaskQueueActivitiesPerSecond: options.paycaActivitiesPerSecond ?? DEFAULT_PAYCA_ACTIVITIES_PER_SECOND,
    }),
  ]);
  return {
    async run() {
      await Promise.all([cutoverWorker.run(), paycaWorker.run()]);
    },
    shutdown() {
      for (const worker of [cutoverWorker, paycaWorker]) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}

/** The credentials this worker would call PayCA with, or undefined for an environment it has none for. */
function heldCredentials(given: CutoverWorkersOptions['paycaCredentials']): WorkerCredentials {
  return (environment) => {
    const credentials = given?.[environment];
    if (credentials) return credentials;
    try {
      return loadPaycaCredentials(environment);
    } catch (err) {
      if (err instanceof CutoverError) return undefined;
      throw err;
    }
  };
}
