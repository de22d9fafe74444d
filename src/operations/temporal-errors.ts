/**
 * Translates what the Temporal client throws into the project's errors, so every command reports
 * an unknown id, a refused message or an unreachable server the same way.
 */
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcServiceError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { CutoverError, MessageRefusedError } from '../errors.js';

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

export function cutoverNotFound(workflowId: string): CutoverError {
  return new CutoverError('WORKFLOW_NOT_FOUND', `no cutover with id ${workflowId}; \`cutover list\` shows them`, {
    workflowId,
  });
}

export function alreadyStarted(workflowId: string): CutoverError {
  return new CutoverError(
    'WORKFLOW_ALREADY_STARTED',
    `a cutover with id ${workflowId} is already running; use \`cutover status ${workflowId}\` (or pass --id for a new one)`,
    { workflowId },
  );
}

/** A start refused because the id is taken: running now, or used by a run that ended. */
export async function idAlreadyUsed(client: Client, workflowId: string, err: unknown): Promise<CutoverError> {
  let description: Awaited<ReturnType<WorkflowHandle['describe']>> | undefined;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch {
    return translateTemporalError(err, workflowId) as CutoverError;
  }
  if (description.status.name === 'RUNNING') return alreadyStarted(workflowId);
  const ended = description.closeTime ? ` at ${description.closeTime.toISOString()}` : '';
  return new CutoverError(
    'WORKFLOW_ID_USED',
    `a cutover with id ${workflowId} already ran and ended ${description.status.name.toLowerCase()}${ended}; ` +
      `its record stays under that id (\`cutover status ${workflowId}\`). Pass --new-run to start a new run under the same id, or --id for another`,
    { workflowId, status: description.status.name },
  );
}

/** The error to show for `err`, raised while working on `workflowId`; unknown errors come back unchanged. */
export function translateTemporalError(err: unknown, workflowId?: string): unknown {
  if (err instanceof CutoverError) return err;
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    return new MessageRefusedError(err.cause.message);
  }
  if (err instanceof WorkflowUpdateFailedError) {
    return new MessageRefusedError(err.cause?.message ?? err.message);
  }
  if (err instanceof WorkflowNotFoundError && workflowId !== undefined) return cutoverNotFound(workflowId);
  if (err instanceof WorkflowExecutionAlreadyStartedError && workflowId !== undefined) return alreadyStarted(workflowId);
  const grpc = grpcErrorIn(err);
  if (grpc && (grpc.code === GRPC_UNAVAILABLE || grpc.code === GRPC_DEADLINE_EXCEEDED)) {
    return new CutoverError(
      'TEMPORAL_UNREACHABLE',
      `Temporal stopped answering (${grpc.details || grpc.message}). Check that the server is still running (\`cutover dev\`) and try again.`,
    );
  }
  return err;
}

/** The gRPC error behind `err`: the client wraps them in ServiceError, sometimes twice. */
function grpcErrorIn(err: unknown): { code: number; details: string; message: string } | undefined {
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 4; depth++) {
    if (isGrpcServiceError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
