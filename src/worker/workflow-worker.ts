/**
 * The worker that runs cutover workflows, apart from the activity workers so it can poll first: a cutover
 * waiting for a worker needs only the workflow bundle and the SDK, not the activity code (PayCA client,
 * schemas, mail, browser), which loads while the workflow thread is already taking tasks. It imports
 * nothing beyond the SDK and the bundle's path for that reason; the post-launch watch's local reads, which
 * must run on this worker, are bound once the activity code has loaded (docs/performance.md).
 */
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import type { createWatchMetricsActivities } from '../activities/post-launch/watch-metrics.js';
import { CUTOVER_TASK_QUEUE } from '../workflows/messages.js';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from './paths.js';

/** The activities the workflow runs as local activities (`paycaLocalReads`), so on its own worker. */
export type LocalReads = Pick<ReturnType<typeof createWatchMetricsActivities>, 'readWatchMetrics' | 'readWatchMetricsWindows'>;

export interface WorkflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  identity: string;
  dataConverter?: DataConverter;
  taskQueue?: string;
  bundleAtStart?: boolean;
  /** Workflow tasks taken at once; the SDK's default (40) when left out. */
  workflowTaskSlots?: number;
  /** Settles once the activity code has loaded; a local read scheduled before then waits for it. */
  localReads: Promise<LocalReads>;
}

function workflowSource(bundleAtStart: boolean): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  return !bundleAtStart && existsSync(WORKFLOW_BUNDLE_PATH)
    ? { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } }
    : { workflowsPath: WORKFLOWS_PATH };
}

export function createWorkflowWorker(options: WorkflowWorkerOptions): Promise<Worker> {
  const { localReads } = options;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    identity: options.identity,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...workflowSource(options.bundleAtStart ?? false),
    taskQueue: options.taskQueue ?? CUTOVER_TASK_QUEUE,
    ...(options.workflowTaskSlots ? { maxConcurrentWorkflowTaskExecutions: options.workflowTaskSlots } : {}),
    // Local activities only: the queue's other activities run on the activity worker beside this one.
    enableNonLocalActivities: false,
    activities: {
      readWatchMetrics: async (input: Parameters<LocalReads['readWatchMetrics']>[0]) => (await localReads).readWatchMetrics(input),
      readWatchMetricsWindows: async (input: Parameters<LocalReads['readWatchMetricsWindows']>[0]) =>
        (await localReads).readWatchMetricsWindows(input),
    },
  });
}
