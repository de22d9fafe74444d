/**
 * The launch checklist: its first state from the plan, who may complete, waive or re-check an item, and
 * what still blocks go/no-go. Pure functions shared by update validators and signal handlers.
 */
import type { CutoverPlan } from '../plan/schema.js';
import type { CompleteItemArgs, RetryItemArgs, WaiveItemArgs } from './messages.js';
import type { ChecklistItemState, CutoverStatus } from './cutover-state.js';
import { checkItemSignature, rolesOf } from './message-rules.js';
import { ROLE_TITLES, type Role } from '../runbook/stages.js';
import { hasRolledForward } from './rolled-forward.js';

export function initialChecklist(plan: CutoverPlan, goLiveMs: number): ChecklistItemState[] {
  return plan.readiness.items.map((item) => ({
    id: item.id,
    section: item.section,
    title: item.title,
    owner: item.owner,
    kind: item.kind,
    optional: item.optional,
    status: 'open',
    attempts: 0,
    problems: [],
    ...(item.postLaunch ? { postLaunch: { dueAt: new Date(goLiveMs + item.postLaunch.dueAfterMs).toISOString() } } : {}),
  }));
}

export const settled = (item: ChecklistItemState) => item.status === 'done' || item.status === 'waived';

/** Required readiness items neither done nor waived, grouped by owner: what go/no-go waits for. */
export function openRequiredItems(status: CutoverStatus): Map<Role, ChecklistItemState[]> {
  const byOwner = new Map<Role, ChecklistItemState[]>();
  for (const item of status.checklist) {
    if (item.optional || item.postLaunch || settled(item)) continue;
    byOwner.set(item.owner, [...(byOwner.get(item.owner) ?? []), item]);
  }
  return byOwner;
}

export function describeBlockers(status: CutoverStatus): string | undefined {
  const open = openRequiredItems(status);
  if (open.size === 0) return undefined;
  const parts = [...open].map(([owner, items]) => `${ROLE_TITLES[owner]}: ${items.map((i) => i.id).join(', ')}`);
  const count = [...open.values()].reduce((n, items) => n + items.length, 0);
  return `${count} required readiness item${count === 1 ? ' is' : 's are'} open (${parts.join('; ')})`;
}

function findItem(status: CutoverStatus, id: unknown): ChecklistItemState | string {
  const item = typeof id === 'string' ? status.checklist.find((i) => i.id === id) : undefined;
  return item ?? `unknown checklist item "${String(id)}"; \`cutover checklist ID\` lists them`;
}

function checkPersonInPlan(plan: CutoverPlan, by: unknown): string | undefined {
  if (typeof by !== 'string' || by.trim() === '') return 'say who you are with --as';
  if (rolesOf(plan, by).length === 0) return `${by} is not in this cutover's plan`;
  return undefined;
}

function checkOpen(status: CutoverStatus, item?: ChecklistItemState): string | undefined {
  if (['completed', 'rolled-back', 'aborted', 'compensating'].includes(status.phase)) {
    return `the cutover has ended (${status.phase}); its checklist is closed`;
  }
  if (item?.postLaunch && !hasRolledForward(status)) {
    return `${item.id} is a post-launch task: it opens once the cutover rolls forward at the debrief`;
  }
  return undefined;
}

/** The item a message names, once the checklist is open and the sender is in the plan; otherwise why not. */
function namedItem(plan: CutoverPlan, status: CutoverStatus, by: unknown, id: unknown): ChecklistItemState | string {
  return checkOpen(status) ?? checkPersonInPlan(plan, by) ?? findItem(status, id);
}

function owners(plan: CutoverPlan, role: Role): string {
  return `${ROLE_TITLES[role]} (${(plan.approvers[role] ?? []).join(', ') || 'nobody'})`;
}

export function checkCompleteItem(plan: CutoverPlan, status: CutoverStatus, args: CompleteItemArgs): string | undefined {
  const item = namedItem(plan, status, args?.by, args?.item);
  if (typeof item === 'string') return item;
  const notYet = checkOpen(status, item);
  if (notYet) return notYet;
  if (typeof args.evidence !== 'string' || args.evidence.trim() === '') {
    return `completing ${item.id} needs evidence: a sentence, a ticket or a link (--evidence)`;
  }
  if (!rolesOf(plan, args.by).includes(item.owner)) {
    return `${args.by} cannot complete ${item.id}: it is owned by ${owners(plan, item.owner)}`;
  }
  if (item.kind === 'automated') {
    return item.postLaunch
      ? `${item.id} is settled by the cutover itself when its task ends; the programme lead can waive it`
      : `${item.id} is checked automatically: re-run it with \`cutover retry-item\`, or the programme lead can waive it`;
  }
  if (settled(item)) return `${item.id} is already ${item.status}`;
  return checkItemSignature(plan, status, item, { kind: 'complete-item', by: args.by, signature: args.signature, note: args.evidence });
}

export function checkWaiveItem(plan: CutoverPlan, status: CutoverStatus, args: WaiveItemArgs): string | undefined {
  const item = namedItem(plan, status, args?.by, args?.item);
  if (typeof item === 'string') return item;
  const notYet = checkOpen(status, item);
  if (notYet) return notYet;
  if (typeof args.reason !== 'string' || args.reason.trim() === '') return `waiving ${item.id} needs a reason (--reason)`;
  if (!rolesOf(plan, args.by).includes('lead')) {
    return `only the programme lead (${(plan.approvers.lead ?? []).join(', ')}) can waive a readiness item, not ${args.by}`;
  }
  if (settled(item)) return `${item.id} is already ${item.status}`;
  return checkItemSignature(plan, status, item, { kind: 'waive-item', by: args.by, signature: args.signature, note: args.reason });
}

export function checkRetryItem(plan: CutoverPlan, status: CutoverStatus, args: RetryItemArgs): string | undefined {
  const item = namedItem(plan, status, args?.by, args?.item);
  if (typeof item === 'string') return item;
  if (item.kind !== 'automated') return `${item.id} is attested by its owner; there is no check to re-run`;
  if (item.postLaunch) return `${item.id} runs on its own schedule after go-live; there is no check to re-run`;
  const roles = rolesOf(plan, args.by);
  if (!roles.includes(item.owner) && !roles.includes('lead')) {
    return `${args.by} cannot re-run ${item.id}: its owner ${owners(plan, item.owner)} or the programme lead can`;
  }
  if (item.status === 'checking') return `${item.id} is being checked right now`;
  if (item.status === 'waived') return `${item.id} was waived`;
  return checkItemSignature(plan, status, item, { kind: 'retry-item', by: args.by, signature: args.signature });
}
