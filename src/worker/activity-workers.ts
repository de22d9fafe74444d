/**
 * The cutover worker's activity side: the `payca` queue's PayCA activities and the `payca-seeding` queue's
 * ranges on workers of their own, and the `cutover` queue's activities for the workflow worker to run.
 * Every PayCA HTTP call, from either queue's activities or the watch's local reads, takes a permit from
 * this process's limiter for its PayCA host, whose budget is this worker's share of the rate
 * (payca-rate-share.ts), so the deployment's calls together stay within CUTOVER_PAYCA_RATE however many
 * replicas run. Loaded after the workflow worker is created (create-workers.ts), since none of it is
 * needed for a first workflow task.
 */
import type { Client } from '@temporalio/client';
import { Runtime, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createCutoverActivities, createPaycaActivities, createPaycaClients } from '../activities/index.js';
import { createWatchMetricsActivities } from '../activities/post-launch/watch-metrics.js';
import { smtpSettingsFromEnv } from '../activities/smtp-settings.js';
import type { WorkerCredentials } from '../activities/readiness/cicd-env.js';
import { CutoverError } from '../errors.js';
import { CallRateLimiters } from '../payca/call-rate.js';
import { loadPaycaCredentials } from '../payca/credentials.js';
import { CUTOVER_TASK_QUEUE, PAYCA_TASK_QUEUE } from '../workflows/messages.js';
import { SEED_RANGES_PER_WORKER, SEEDING_TASK_QUEUE } from '../workflows/seed-ranges.js';
import type { CutoverWorkersOptions } from './create-workers.js';
import { sharePaycaRate } from './payca-rate-share.js';
import { checkCutoverQueueNames, type CutoverQueueActivities } from './cutover-queue-activities.js';

export interface ActivityWorkers {
  workers: Worker[];
  /** The `cutover` queue's activities, the watch's reads among them, which the workflow worker runs. */
  cutoverQueue: CutoverQueueActivities;
  /** Counts this worker in and starts steering its share of the PayCA rate; undefined when calls are not limited. */
  rateShare: { start(): void; stop(): void } | undefined;
}

/** What every worker of the process shares: the connection, namespace, identity and payload codecs. */
export type CommonWorkerOptions = Pick<Parameters<typeof Worker.create>[0], 'connection' | 'namespace' | 'dataConverter' | 'identity'>;

/**
 * Slots for PayCA activities: enough to keep the rate busy with calls that take a second or two, few enough
 * that a call's wait for a permit stays a few seconds; the rest wait on the task queue for any worker.
 */
function paycaActivitySlots(rate: number): number {
  return Math.max(10, Math.ceil(2 * rate));
}

export async function createActivityWorkers(
  options: CutoverWorkersOptions & { temporalClient: Client },
  common: CommonWorkerOptions & { identity: string },
  rate: number,
): Promise<ActivityWorkers> {
  const paycaTaskQueue = options.paycaTaskQueue ?? PAYCA_TASK_QUEUE;
  const limitCalls = options.limitPaycaCalls ?? true;
  // Closed until the share has counted this worker in: see payca-rate-share.ts.
  const limiters = new CallRateLimiters({ callsPerSecond: rate, closed: true });
  const rateShare = limitCalls
    ? sharePaycaRate({
        rate,
        identity: common.identity,
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
  const paycaActivities = createPaycaActivities({ payca, credentials: options.paycaCredentials });
  const cutoverQueue: CutoverQueueActivities = {
    ...createCutoverActivities({
      temporal: options.temporalClient,
      notify: { defaultWebhookUrl: options.notifyUrl, write: options.notifyWrite, smtp: options.smtp ?? smtpSettingsFromEnv() },
      workerCredentials: heldCredentials(options.paycaCredentials),
      dashboardShots: { artifactsDir: options.artifactsDir },
    }),
    // The post-launch watch's reads, also run as local activities on the workflow worker: see paycaLocalReads.
    ...createWatchMetricsActivities({ payca }),
  };
  checkCutoverQueueNames(cutoverQueue);
  const workers = await Promise.all([
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
  return { workers, cutoverQueue, rateShare };
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
