/**
 * The cutover worker: two Temporal workers on one connection. The `cutover` queue runs the workflow and
 * the activities that are not PayCA calls; the `payca` queue runs PayCA activities only. Every PayCA HTTP
 * call, from either queue's activities or the watch's local reads, takes a permit from this process's
 * limiter for its PayCA host, whose budget is this worker's share of the rate (payca-rate-share.ts),
 * so the deployment's calls together stay within CUTOVER_PAYCA_RATE however many replicas run.
 */
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { createCutoverActivities, createPaycaActivities, createPaycaClients } from '../activities/index.js';
import { createWatchMetricsActivities } from '../activities/post-launch/watch-metrics.js';
import { dataConverterFor } from '../codec/payload-codecs.js';
import type { NotifyDeps } from '../activities/notify.js';
import { smtpSettingsFromEnv, type SmtpSettings } from '../activities/smtp-settings.js';
import type { WorkerCredentials } from '../activities/readiness/cicd-env.js';
import { CutoverError } from '../errors.js';
import { CallRateLimiters } from '../payca/call-rate.js';
import { loadPaycaCredentials, type PaycaCredentials, type PaycaEnvironment } from '../payca/credentials.js';
import { CUTOVER_TASK_QUEUE, PAYCA_TASK_QUEUE } from '../workflows/messages.js';
import { SEED_RANGES_PER_WORKER, SEEDING_TASK_QUEUE } from '../workflows/seed-ranges.js';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from './paths.js';
import { sharePaycaRate } from './payca-rate-share.js';

export interface CutoverWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  temporalClient: Client;
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
  /** Where dashboard screenshots are written for the report; default CUTOVER_ARTIFACTS_DIR. */
  artifactsDir?: string;
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

/**
 * Slots for PayCA activities: enough to keep the rate busy with calls that take a second or two, few enough
 * that a call's wait for a permit stays a few seconds; the rest wait on the task queue for any worker.
 */
function paycaActivitySlots(rate: number): number {
  return Math.max(10, Math.ceil(2 * rate));
}

function workflowSource(bundleAtStart: boolean): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  return !bundleAtStart && existsSync(WORKFLOW_BUNDLE_PATH)
    ? { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } }
    : { workflowsPath: WORKFLOWS_PATH };
}

export async function createCutoverWorkers(options: CutoverWorkersOptions): Promise<CutoverWorkers> {
  const rate = options.paycaActivitiesPerSecond ?? DEFAULT_PAYCA_ACTIVITIES_PER_SECOND;
  const identity = options.identity ?? uniqueWorkerIdentity();
  const paycaTaskQueue = options.paycaTaskQueue ?? PAYCA_TASK_QUEUE;
  const limitCalls = options.limitPaycaCalls ?? true;
  // Closed until the share has counted this worker in: see payca-rate-share.ts.
  const limiters = new CallRateLimiters({ callsPerSecond: rate, closed: true });
  const rateShare = limitCalls
    ? sharePaycaRate({
        rate,
        identity,
        limiters: [limiters],
        refreshMs: options.paycaRateRefreshMs,
        // Looked up when used, so a runtime the caller installs after this call still gets the lines.
        log: {
          info: (message) => {
            Runtime.instance().logger.info(message);
          },
          warn: (message) => {
            Runtime.instance().logger.warn(message);
          },
        },
        // A worker whose PayCA slots are all busy stops polling the payca queue, and Temporal forgets a poller
        // it has not heard from for minutes; its workflow pollers keep polling, so a busy worker stays counted.
        async listPollers() {
          const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
          const listed = await Promise.all(
            [
              { name: paycaTaskQueue, type: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY },
              { name: options.taskQueue ?? CUTOVER_TASK_QUEUE, type: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW },
            ].map(({ name, type }) =>
              options.temporalClient.workflowService.describeTaskQueue({
                namespace: options.namespace,
                taskQueue: { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
                taskQueueType: type,
              }),
            ),
          );
          return listed.flatMap((described) => (described.pollers ?? []).map((poller) => poller.identity ?? ''));
        },
      })
    : undefined;
  const payca = createPaycaClients({ credentials: options.paycaCredentials, ...(limitCalls ? { permits: limiters } : {}) });
  const dataConverter = dataConverterFor(options.payloadCodecs);
  const common = {
    connection: options.connection,
    namespace: options.namespace,
    ...(dataConverter ? { dataConverter } : {}),
    identity,
  };
  // Created side by side: the workflow worker spends most of its start loading the bundle in its own thread.
  const paycaActivities = createPaycaActivities({ payca, credentials: options.paycaCredentials });
  const [cutoverWorker, paycaWorker, seedingWorker] = await Promise.all([
    Worker.create({
      ...common,
      ...workflowSource(options.bundleAtStart ?? false),
      taskQueue: options.taskQueue ?? CUTOVER_TASK_QUEUE,
      activities: {
        ...createCutoverActivities({
          temporal: options.temporalClient,
          notify: { defaultWebhookUrl: options.notifyUrl, write: options.notifyWrite, smtp: options.smtp ?? smtpSettingsFromEnv() },
          workerCredentials: heldCredentials(options.paycaCredentials),
          dashboardShots: { artifactsDir: options.artifactsDir },
        }),
        // The post-launch watch's read, run here as a local activity: see paycaLocalReads.
        ...createWatchMetricsActivities({ payca }),
      },
    }),
    Worker.create({
      ...common,
      taskQueue: paycaTaskQueue,
      activities: paycaActivities,
      // Kept beside the call limiter: the server hands out no more PayCA activities than calls, so tasks
      // wait on the queue, where any worker can take them, rather than in one worker's limiter.
      maxTaskQueueActivitiesPerSecond: rate,
      ...(limitCalls ? { maxConcurrentActivityTaskExecutions: paycaActivitySlots(rate) } : {}),
    }),
    // Seeding ranges, a few per worker so every worker holds one and uses its share (seed-ranges.ts).
    Worker.create({
      ...common,
      taskQueue: SEEDING_TASK_QUEUE,
      activities: { seedCardRange: paycaActivities.seedCardRange.bind(paycaActivities) },
      maxConcurrentActivityTaskExecutions: SEED_RANGES_PER_WORKER,
    }),
  ]);
  return {
    async run() {
      rateShare?.start();
      try {
        await Promise.all([cutoverWorker.run(), paycaWorker.run(), seedingWorker.run()]);
      } finally {
        rateShare?.stop();
      }
    },
    shutdown() {
      rateShare?.stop();
      for (const worker of [cutoverWorker, paycaWorker, seedingWorker]) {
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
