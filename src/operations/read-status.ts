/**
 * Reads a cutover's status. Running cutovers answer the status query; closed ones answer it too when a
 * worker can replay them, and otherwise the workflow's result (the final status) stands in.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CutoverError } from '../errors.js';
import { statusQuery } from '../workflows/messages.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import type { CutoverMemo } from './cutover-workflow.js';
import { cutoverNotFound } from './temporal-errors.js';

/** How long a query on a closed cutover may wait for a worker before the result is used instead. */
const CLOSED_QUERY_DEADLINE_MS = 3_000;

export interface CutoverReading {
  status: CutoverStatus;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, TERMINATED, … */
  executionStatus: string;
  approvers: CutoverMemo['approvers'];
}

export async function readCutover(client: Client, workflowId: string): Promise<CutoverReading> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((err: unknown) => {
    throw err instanceof WorkflowNotFoundError ? cutoverNotFound(workflowId) : err;
  });
  const executionStatus = description.status.name;
  const memo = (description.memo ?? {}) as Partial<CutoverMemo>;
  const approvers = memo.approvers ?? {};
  if (executionStatus === 'RUNNING') {
    return { status: await handle.query(statusQuery), executionStatus, approvers };
  }
  try {
    const deadline = new Date(Date.now() + CLOSED_QUERY_DEADLINE_MS);
    const status = await client.connection.withDeadline(deadline, () => handle.query(statusQuery));
    return { status, executionStatus, approvers };
  } catch (queryError) {
    try {
      return { status: (await handle.result()) as CutoverStatus, executionStatus, approvers };
    } catch {
      const why = queryError instanceof Error ? queryError.message : String(queryError);
      throw new CutoverError(
        'WORKFLOW_NOT_FOUND',
        `cutover ${workflowId} is ${executionStatus} and left no status: the status query failed (${why}) and there is no result. Start a worker (\`cutover worker\`) so the query can be answered, or open it in the Temporal UI.`,
        { workflowId, executionStatus },
      );
    }
  }
}

export async function readStatus(client: Client, workflowId: string): Promise<CutoverStatus> {
  return (await readCutover(client, workflowId)).status;
}
