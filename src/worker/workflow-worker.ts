/**
 * The worker that runs cutover workflows and the `cutover` queue's activities, created before the activity
 * code loads so it can poll first: a cutover waiting for a worker needs only the workflow bundle and the
 * SDK, not the activity code (PayCA client, schemas, mail, browser), which loads while the workflow thread
 * is already taking tasks. It imports nothing beyond the SDK, the bundle's path and the activities' names
 * for that reason; the activities are registered by name and run once their code has loaded
 * (cutover-queue-activities.ts), which lets the server dispatch them eagerly (docs/performance.md).
 */
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import { CUTOVER_TASK_QUEUE } from '../workflows/messages.js';
import { activitiesOnceLoaded, type CutoverQueueActivities } from './cutover-queue-activities.js';
import { WORKFLOW_BUNDLE_PATH, WORKFLOWS_PATH } from './paths.js';

export interface WorkflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  identity: string;
  dataConverter?: DataConverter;
  taskQueue?: string;
  bundleAtStart?: boolean;
  /** Workflow tasks taken at once; the SDK's default (40) when left out. */
  workflowTaskSlots?: number;
  /** Settles once the activity code has loaded; an activity started before then waits for it. */
  activities: Promise<CutoverQueueActivities>;
}

function workflowSource(bundleAtStart: boolean): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  return !bundleAtStart && existsSync(WORKFLOW_BUNDLE_PATH)
    ? { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH } }
    : { workflowsPath: WORKFLOWS_PATH };
}

export function createWorkflowWorker(options: WorkflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    identity: options.identity,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...workflowSource(options.bundleAtStart ?? false),
    taskQueue: options.taskQueue ?? CUTOVER_TASK_QUEUE,
    ...(options.workflowTaskSlots ? { maxConcurrentWorkflowTaskExecutions: options.workflowTaskSlots } : {}),
    activities: activitiesOnceLoaded(options.activities),
  });
}
