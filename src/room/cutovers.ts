/**
 * What the room reads from Temporal for one signed-in identity: the cutovers whose plan lists them, and one
 * cutover with its plan and status. Nothing is kept between requests: every page and poll reads afresh, so
 * any number of rooms can serve the same people.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { SignedInPerson } from '../identity/provider-client.js';
import { CUTOVER_WORKFLOW_TYPE } from '../operations/cutover-workflow-type.js';
import { readCutover, type CutoverReading } from '../operations/read-status.js';
import type { CutoverPlan } from '../plan/schema.js';
import { planQuery } from '../workflows/messages.js';
import { awaitedCount, awaitedFrom, viewerIn, type Awaited, type Viewer } from './viewer.js';

/** A closed cutover's plan is read by replaying it on a worker; past this the room leaves it out. */
const CLOSED_READ_DEADLINE_MS = 3_000;
/** The newest cutovers the list looks at. */
const LIST_LIMIT = 50;

export interface CutoverView {
  workflowId: string;
  plan: CutoverPlan;
  reading: CutoverReading;
  viewer: Viewer;
  awaited: Awaited;
}

async function readPlan(client: Client, workflowId: string, running: boolean): Promise<CutoverPlan> {
  const query = () => client.workflow.getHandle(workflowId).query(planQuery);
  if (running) return query();
  return client.connection.withDeadline(new Date(Date.now() + CLOSED_READ_DEADLINE_MS), query);
}

/** The cutover as `identity` may see it, or undefined when its plan does not list them (or it cannot be read). */
export async function cutoverFor(client: Client, workflowId: string, identity: SignedInPerson): Promise<CutoverView | undefined> {
  let running: boolean;
  try {
    running = (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  let plan: CutoverPlan;
  try {
    plan = await readPlan(client, workflowId, running);
  } catch (err) {
    // A closed cutover no worker can replay in time has no plan to read, so no one to show it to.
    if (!running) return undefined;
    throw err;
  }
  const viewer = viewerIn(plan, identity);
  if (!viewer) return undefined;
  const reading = await readCutover(client, workflowId);
  return { workflowId, plan, reading, viewer, awaited: awaitedFrom(reading.status, viewer) };
}

/** The cutovers `identity` may see, those awaiting them first, then running before closed, newest first. */
export async function cutoversFor(client: Client, identity: SignedInPerson): Promise<CutoverView[]> {
  const ids: string[] = [];
  for await (const info of client.workflow.list({
    query: `WorkflowType = '${CUTOVER_WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew'`,
  })) {
    ids.push(info.workflowId);
    if (ids.length >= LIST_LIMIT) break;
  }
  const views = (await Promise.all([...new Set(ids)].map((id) => cutoverFor(client, id, identity).catch(() => undefined)))).filter(
    (view): view is CutoverView => view !== undefined,
  );
  const weight = (view: CutoverView) => (awaitedCount(view.awaited) > 0 ? 0 : 2) + (view.reading.executionStatus === 'RUNNING' ? 0 : 1);
  return views
    .map((view, index) => ({ view, index }))
    .sort((a, b) => weight(a.view) - weight(b.view) || a.index - b.index)
    .map(({ view }) => view);
}
