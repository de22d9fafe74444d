/**
 * `cutover undo`: finds what a cutover that ended from outside (terminated, or its run reset) still owes
 * and undoes it through the undo workflow, once. Each closed run that did not finish by itself is asked,
 * by replaying its history, for its plan and its owed compensations; a run that rolled forward owes nothing.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { CutoverError } from '../errors.js';
import { CUTOVER_TASK_QUEUE, planQuery, statusQuery, undoStatusQuery, undoWorkflowId, UNDO_WORKFLOW_TYPE } from '../workflows/messages.js';
import type { Compensation, CutoverStatus, UndoInput, UndoStatus } from '../workflows/cutover-state.js';
import type { CutoverPlan } from '../plan/schema.js';
import { cutoverNotFound, translateTemporalError } from '../operations/temporal-errors.js';
import { markdownInline } from '../workflows/markdown-text.js';
import { hasRolledForward } from '../workflows/rolled-forward.js';
import { watchWorkflowId } from '../workflows/watch-protocol.js';

/** A run the cutover ended by itself has run its own compensations (or held for them). */
const ENDED_BY_ITSELF = new Set(['COMPLETED', 'RUNNING', 'CONTINUED_AS_NEW']);

const POLL_MS = 500;

export interface UndoOutcome {
  workflowId: string;
  /** True when an earlier `cutover undo` had already started it. */
  existing: boolean;
  status: UndoStatus;
  /** The watch from T a terminated run left running, now cancelled. */
  endedWatch?: string;
}

interface RunOwes {
  runId: string;
  executionStatus: string;
  plan: CutoverPlan;
  status: CutoverStatus;
}

async function readRun(client: Client, workflowId: string, runId: string, executionStatus: string): Promise<RunOwes> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const [plan, status] = await Promise.all([handle.query(planQuery), handle.query(statusQuery)]);
  return { runId, executionStatus, plan, status };
}

/** Newest run last. A reset leaves the old run terminated with its own record of what it changed. */
async function closedRuns(client: Client, workflowId: string): Promise<{ runId: string; executionStatus: string; startMs: number }[]> {
  const latest = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch((err: unknown) => {
      throw err instanceof WorkflowNotFoundError ? cutoverNotFound(workflowId) : translateTemporalError(err, workflowId);
    });
  const runs = new Map<string, { runId: string; executionStatus: string; startMs: number }>();
  runs.set(latest.runId, { runId: latest.runId, executionStatus: latest.status.name, startMs: latest.startTime.getTime() });
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId.replace(/'/g, "\\'")}'` })) {
    if (!runs.has(run.runId)) runs.set(run.runId, { runId: run.runId, executionStatus: run.status.name, startMs: run.startTime.getTime() });
  }
  if (latest.status.name === 'RUNNING') {
    const abort = `\`cutover abort ${workflowId} --as NAME --reason TEXT\``;
    throw new CutoverError(
      'UNDO_REFUSED',
      runs.size > 1
        ? `cutover ${workflowId} was reset and its new run is still running; that run undoes only what it changed itself. Abort it with ${abort}, then \`cutover undo ${workflowId}\` undoes what the earlier runs changed`
        : `cutover ${workflowId} is still running; it undoes its own changes: abort it with ${abort}`,
      { workflowId },
    );
  }
  return [...runs.values()].sort((a, b) => a.startMs - b.startMs);
}

/** One list, oldest first: a step two runs both owe is undone once, seeded cards merged. */
function merge(owedByRun: Compensation[][]): Compensation[] {
  const merged: Compensation[] = [];
  const seen = new Set<string>();
  let seeded: Extract<Compensation, { step: 'close-seeded-cards' }> | undefined;
  for (const step of owedByRun.flat()) {
    if (step.step === 'close-seeded-cards') {
      if (!seeded) {
        seeded = { step: 'close-seeded-cards', cardIds: [] };
        merged.push(seeded);
      }
      const known = new Set(seeded.cardIds);
      seeded.cardIds.push(...step.cardIds.filter((id) => !known.has(id)));
      // Runs of one cutover seed from its plan's one file: the widest range reached covers the others.
      if (step.records && (!seeded.records || step.records.upTo > seeded.records.upTo)) seeded.records = step.records;
      continue;
    }
    const key = JSON.stringify(step);
    if (seen.has(key)) continue;
    seen.add(key);
    merged.push(step);
  }
  return merged;
}

export async function undoCutover(client: Client, workflowId: string, requestedBy: string): Promise<UndoOutcome> {
  const runs = await closedRuns(client, workflowId);
  const owing: RunOwes[] = [];
  for (const run of runs) {
    if (ENDED_BY_ITSELF.has(run.executionStatus)) continue;
    owing.push(await readRun(client, workflowId, run.runId, run.executionStatus));
  }
  const newest = owing[owing.length - 1];
  const live = owing.find((run) => hasRolledForward(run.status));
  if (live) {
    throw new CutoverError(
      'UNDO_REFUSED',
      `cutover ${workflowId} rolled forward and went live (run ${live.runId}); undoing now would unwind a live programme`,
      { workflowId },
    );
  }
  const owed = merge(owing.map((run) => run.status.owedCompensations ?? []));
  if (!newest || owed.length === 0) {
    throw new CutoverError(
      'UNDO_REFUSED',
      `cutover ${workflowId} owes nothing to undo: ${owing.length === 0 ? 'every run ended by itself and ran its own compensations' : 'its runs had undone everything they changed'}`,
      { workflowId },
    );
  }
  const input: UndoInput = {
    cutoverWorkflowId: workflowId,
    plan: newest.plan,
    owed,
    requestedBy,
    source: owing.map((run) => `run ${run.runId} (${run.executionStatus})`).join(', '),
  };
  const endedWatch = await endWatchLeftRunning(client, workflowId);
  const id = undoWorkflowId(workflowId);
  let existing = false;
  try {
    await client.workflow.start(UNDO_WORKFLOW_TYPE, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: id,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `undo of ${markdownInline(workflowId)}, requested by ${markdownInline(requestedBy)}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw translateTemporalError(err, id);
    existing = true;
  }
  return { workflowId: id, existing, status: await settle(client, id), ...(endedWatch && { endedWatch }) };
}

/**
 * The watch from T outlives the cutover's runs (it survives continue-as-new), so a run terminated from
 * outside leaves it reading production and sending alerts until T plus the window. Undoing the cutover ends it:
 * cancelled, it closes with its record in its own history.
 */
async function endWatchLeftRunning(client: Client, workflowId: string): Promise<string | undefined> {
  const watch = client.workflow.getHandle(watchWorkflowId(workflowId));
  const description = await watch.describe().catch((err: unknown) => {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw translateTemporalError(err, watch.workflowId);
  });
  if (description?.status.name !== 'RUNNING') return undefined;
  await watch.cancel();
  return watch.workflowId;
}

/** Waits until the undo has finished or a step holds for Engineering. */
async function settle(client: Client, id: string): Promise<UndoStatus> {
  const handle = client.workflow.getHandle(id);
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return (await handle.result()) as UndoStatus;
    const status = await handle.query(undoStatusQuery);
    if (status.phase !== 'compensating') return status;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
