/**
 * Starting a cutover: the workflow type, its start options (search attributes, UI summary and details,
 * memo) and the one call both `cutover start` and the demo use.
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { basename } from 'node:path';
import type { CutoverPlan } from '../plan/schema.js';
import { CUTOVER_TASK_QUEUE } from '../workflows/messages.js';
import type { CutoverInput } from '../workflows/cutover-state.js';
import { markdownInline } from '../workflows/markdown-text.js';
import { CutoverGoLiveKey, CutoverPhaseKey } from '../workflows/search-attributes.js';
import { ROLE_TITLES, ROLES } from '../runbook/stages.js';
import { CUTOVER_WORKFLOW_TYPE, type CutoverWorkflow } from './cutover-workflow-type.js';
import { idAlreadyUsed, translateTemporalError } from './temporal-errors.js';

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
  /** Start a new run under an id whose earlier run has ended; without it such an id is refused. */
  newRun?: boolean;
  /** Who confirmed starting although go-live had passed, kept in the start details. */
  goLivePassedConfirmedBy?: string;
  /** When the cutover continues as new; the workflow's defaults when absent. */
  history?: CutoverInput['history'];
}

/**
 * The Temporal UI renders the summary and details as Markdown: the programme, the plan file's name and the
 * people are what a plan's author wrote, so they go in as text (`markdownInline`), never as markup or links.
 */
export function cutoverSummary(plan: CutoverPlan, goLive: Date): string {
  return `${markdownInline(plan.programme)} cutover, go-live ${goLive.toISOString()}`;
}

export function cutoverDetails(request: StartCutoverRequest): string {
  const approverLines = ROLES.flatMap((role) => {
    const people = request.plan.approvers[role];
    return people?.length ? [`- **${ROLE_TITLES[role]}** (${role}): ${people.map(markdownInline).join(', ')}`] : [];
  });
  return [
    `**Plan file:** ${markdownInline(basename(request.planFile))}`,
    `**Go-live (T):** ${request.goLive.toISOString()}`,
    `**Time scale:** ${request.timeScale === 1 ? '1 (real time)' : `${request.timeScale}× faster than real time`}`,
    `**Started by:** ${markdownInline(request.startedBy)}`,
    ...(request.goLivePassedConfirmedBy
      ? [`**Go-live had passed at start:** confirmed by ${markdownInline(request.goLivePassedConfirmedBy)} with --go-live-passed`]
      : []),
    ...(request.newRun ? ['**New run:** started with --new-run under an id used before'] : []),
    ...(request.plan.rehearsalOf ? [`**Follows rehearsal:** ${markdownInline(request.plan.rehearsalOf)}`] : []),
    '',
    '**Approvers**',
    ...approverLines,
  ].join('\n');
}

export async function startCutover(client: Client, request: StartCutoverRequest): Promise<WorkflowHandle<CutoverWorkflow>> {
  const input: CutoverInput = {
    plan: request.plan,
    goLive: request.goLive.toISOString(),
    timeScale: request.timeScale,
    startedBy: request.startedBy,
    ...(request.history && { history: request.history }),
  };
  const memo: CutoverMemo = { approvers: request.plan.approvers, planFile: basename(request.planFile) };
  try {
    return await client.workflow.start<CutoverWorkflow>(CUTOVER_WORKFLOW_TYPE, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: request.workflowId,
      // An id names one cutover: a run that ended, even terminated, keeps it unless a new run is asked for.
      workflowIdReusePolicy: request.newRun ? WorkflowIdReusePolicy.ALLOW_DUPLICATE : WorkflowIdReusePolicy.REJECT_DUPLICATE,
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
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw await idAlreadyUsed(client, request.workflowId, err);
    throw translateTemporalError(err, request.workflowId);
  }
}
