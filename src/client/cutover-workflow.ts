/**
 * Starting a cutover: the workflow type, its start options (search attributes, UI summary and details,
 * memo) and the one call both `cutover start` and the demo use.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { basename } from 'node:path';
import type { CutoverPlan } from '../plan/schema.js';
import { CUTOVER_TASK_QUEUE, type CutoverInput } from '../workflows/definitions.js';
import { CutoverGoLiveKey, CutoverPhaseKey } from '../workflows/search-attributes.js';
import { ROLE_TITLES, ROLES } from '../workflows/stages.js';
import { CUTOVER_WORKFLOW_TYPE, type CutoverWorkflow } from './cutover-workflow-type.js';
import { translateTemporalError } from './temporal-errors.js';


/** Kept in the memo so `cutover status` can name the people a held stage waits for. */
export interface CutoverMemo {
  approvers: CutoverPlan['approvers'];
  planFile: string;
}

export interface StartCutoverRequest {
  plan: CutoverPlan;
  planFile: string;
  goLive: Date;
  timeScale: number;
  startedBy: string;
  workflowId: string;
}

export function cutoverSummary(plan: CutoverPlan, goLive: Date): string {
  return `${plan.programme} cutover, go-live ${goLive.toISOString()}`;
}

export function cutoverDetails(request: StartCutoverRequest): string {
  const approverLines = ROLES.flatMap((role) => {
    const people = request.plan.approvers[role];
    return people?.length ? [`- **${ROLE_TITLES[role]}** (${role}): ${people.join(', ')}`] : [];
  });
  return [
    `**Plan file:** ${basename(request.planFile)}`,
    `**Go-live (T):** ${request.goLive.toISOString()}`,
    `**Time scale:** ${request.timeScale === 1 ? '1 (real time)' : `${request.timeScale}× faster than real time`}`,
    `**Started by:** ${request.startedBy}`,
    '',
    '**Approvers**',
    ...approverLines,
  ].join('\n');
}

export async function startCutover(
  client: Client,
  request: StartCutoverRequest,
): Promise<WorkflowHandle<CutoverWorkflow>> {
  const input: CutoverInput = {
    plan: request.plan,
    goLive: request.goLive.toISOString(),
    timeScale: request.timeScale,
    startedBy: request.startedBy,
  };
  const memo: CutoverMemo = { approvers: request.plan.approvers, planFile: basename(request.planFile) };
  try {
    return await client.workflow.start<CutoverWorkflow>(CUTOVER_WORKFLOW_TYPE, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: request.workflowId,
      args: [input],
      typedSearchAttributes: [
        { key: CutoverPhaseKey, value: 'waiting' },
        { key: CutoverGoLiveKey, value: request.goLive },
      ],
      memo: { ...memo },
      staticSummary: cutoverSummary(request.plan, request.goLive),
      staticDetails: cutoverDetails(request),
    });
  } catch (err) {
    throw translateTemporalError(err, request.workflowId);
  }
}
