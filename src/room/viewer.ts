/**
 * Who is looking at a cutover: the person of its plan the signed-in identity is, and that person's roles.
 * A signed-in identity the plan does not list is nobody here: it sees nothing of the cutover and sends nothing.
 */
import type { SignedInPerson } from '../identity/provider-client.js';
import { personOf } from '../plan/people.js';
import type { CutoverPlan } from '../plan/schema.js';
import { ROLES, type Role } from '../runbook/stages.js';
import type { ChecklistItemState, CutoverStatus, StageState } from '../workflows/cutover-state.js';

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

export interface Awaited {
  stages: StageState[];
  items: ChecklistItemState[];
}

export function awaitedFrom(status: CutoverStatus, viewer: Viewer): Awaited {
  return {
    stages: status.stages.filter((stage) => awaitsViewer(stage, viewer)),
    items: status.checklist.filter((item) => itemAwaitsViewer(item, viewer)),
  };
}
