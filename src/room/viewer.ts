/**
 * Who is looking at a cutover: the person of its plan the signed-in identity is, and that person's roles.
 * A signed-in identity the plan does not list is nobody here: it sees nothing of the cutover and sends nothing.
 */
import type { SignedInPerson } from '../identity/provider-client.js';
import { personOf } from '../plan/people.js';
import type { CutoverPlan } from '../plan/schema.js';
import { ROLES, type Role } from '../runbook/stages.js';
import type { ChecklistItemState, CutoverStatus, StageState } from '../workflows/cutover-state.js';
import type { TaskState } from '../workflows/task-state.js';

export interface Viewer {
  /** The plan's person id, the name messages are sent as. */
  name: string;
  roles: Role[];
  identity: SignedInPerson;
}

export function viewerIn(plan: CutoverPlan, identity: SignedInPerson): Viewer | undefined {
  const name = personOf(plan.people, identity);
  if (name === undefined) return undefined;
  return { name, roles: ROLES.filter((role) => plan.approvers[role]?.includes(name)), identity };
}

export const isLead = (viewer: Viewer) => viewer.roles.includes('lead');

/** A held stage waits for one of the viewer's roles, and the viewer has not answered this attempt yet. */
export function awaitsViewer(stage: StageState, viewer: Viewer): boolean {
  if (stage.status !== 'holding' || !stage.hold) return false;
  if (!stage.hold.awaiting.some((role) => viewer.roles.includes(role))) return false;
  return !stage.approvals.some((answer) => answer.by === viewer.name && answer.attempt === stage.attempts);
}

export const ownsItem = (item: ChecklistItemState, viewer: Viewer) => viewer.roles.includes(item.owner);

/** An item the viewer's team still has to do: open or failed, not optional-and-untouched post-launch. */
export function itemAwaitsViewer(item: ChecklistItemState, viewer: Viewer): boolean {
  return ownsItem(item, viewer) && (item.status === 'open' || item.status === 'failed');
}

/** A task waits for the viewer: theirs to mark done, or held for one of their roles and not yet approved by them. */
export function taskAwaitsViewer(task: TaskState, viewer: Viewer): boolean {
  if (task.kind === 'manual' && task.status === 'running' && task.completedBy === undefined) return viewer.roles.includes(task.owner);
  if (task.status !== 'holding' || !task.hold) return false;
  if (!task.hold.awaiting.some((role) => viewer.roles.includes(role))) return false;
  return !task.approvals.some((a) => a.by === viewer.name && a.attempt === task.attempts);
}

export interface Awaited {
  stages: StageState[];
  items: ChecklistItemState[];
  /** The plan's tasks that wait for the viewer; absent for a cutover without tasks. */
  tasks?: TaskState[];
}

/** How many things wait for the viewer: gates, items and tasks. */
export const awaitedCount = (awaited: Awaited) => awaited.stages.length + awaited.items.length + (awaited.tasks?.length ?? 0);

export function awaitedFrom(status: CutoverStatus, viewer: Viewer): Awaited {
  return {
    stages: status.stages.filter((stage) => awaitsViewer(stage, viewer)),
    items: status.checklist.filter((item) => itemAwaitsViewer(item, viewer)),
    ...(status.tasks && { tasks: status.tasks.filter((task) => taskAwaitsViewer(task, viewer)) }),
  };
}
