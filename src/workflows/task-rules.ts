/**
 * Which answers about a task the workflow takes: its owner marks a running manual task done with
 * evidence or retries a held check; a person of a role the task's hold awaits approves it, once per
 * person. A person whose key the plan lists signs, as for gate answers. Pure functions over the plan and
 * status, run by the update's validator and the signal's handler alike.
 */
import type { CutoverPlan } from '../plan/schema.js';
import { ROLE_TITLES, type Role } from '../runbook/stages.js';
import { shortHex } from '../signing/approval-statement.js';
import { taskAnswerNote, taskEvidenceDigest, taskStatement } from '../signing/task-statement.js';
import type { CutoverStatus } from './cutover-state.js';
import type { TaskAnswerArgs } from './messages.js';
import { checkAnswerSignature, rolesOf } from './message-rules.js';
import type { TaskState } from './task-state.js';

const MAX_TEXT = 2_000;
const FIELDS = ['task', 'action', 'by', 'evidence', 'note', 'signature', 'roomStatement'];

const describe = (plan: CutoverPlan, roles: Role[]) =>
  roles.map((r) => `${ROLE_TITLES[r]} (${(plan.approvers[r] ?? []).join(', ') || 'nobody'})`).join(' and ');

/** Why the answer is refused, or undefined when it is taken. */
export function checkTaskAnswer(plan: CutoverPlan, status: CutoverStatus, args: TaskAnswerArgs): string | undefined {
  if (typeof args !== 'object' || args === null) return 'the answer must be an object';
  const unknown = Object.keys(args).filter((key) => !FIELDS.includes(key));
  if (unknown.length)
    return `a task answer has no field ${unknown
      .slice(0, 3)
      .map((k) => JSON.stringify(k.slice(0, 40)))
      .join(', ')}`;
  if (typeof args.task !== 'string' || args.task.length > 100) return 'name the task (task) by its id';
  if (typeof args.by !== 'string' || args.by.trim() === '' || args.by.length > 100) return 'say who is answering (by)';
  if (!['done', 'approve', 'retry'].includes(args.action)) return 'the action is done, approve or retry';
  for (const field of ['evidence', 'note'] as const) {
    const value = args[field];
    if (value !== undefined && (typeof value !== 'string' || value.length > MAX_TEXT))
      return `the ${field} must be text of at most ${MAX_TEXT} characters`;
  }
  if (status.finishedAt || status.phase === 'compensating' || status.abort) return 'the cutover is ending; no task answers are taken';
  const task = status.tasks?.find((t) => t.id === args.task);
  if (!task)
    return `no task "${String(args.task).slice(0, 80)}"; the tasks are ${(status.tasks ?? []).map((t) => t.id).join(', ') || 'none'}`;
  return checkAction(plan, task, args) ?? checkTaskSignature(plan, status, task, args);
}

function checkAction(plan: CutoverPlan, task: TaskState, args: TaskAnswerArgs): string | undefined {
  const roles = rolesOf(plan, args.by);
  if (roles.length === 0) return `${args.by} is not an approver in this plan`;
  switch (args.action) {
    case 'done':
      if (task.kind !== 'manual') return `${task.id} is an ${task.kind} task: the worker does it`;
      if (task.status !== 'running') return `${task.id} is ${task.status}, not running: it can be marked done once it has started`;
      if (!roles.includes(task.owner)) return `${task.id} is ${describe(plan, [task.owner])}'s to mark done`;
      if (!args.evidence?.trim()) return 'say what shows it is done (evidence)';
      return undefined;
    case 'retry':
      if (
        task.status !== 'holding' ||
        task.kind !== 'http-check' ||
        !task.hold?.awaiting.includes(task.owner) ||
        task.problems.length === 0
      ) {
        return `${task.id} has no failed check to retry`;
      }
      if (!roles.includes(task.owner)) return `${task.id} is ${describe(plan, [task.owner])}'s to retry`;
      return undefined;
    case 'approve': {
      if (task.status !== 'holding' || !task.hold) return `${task.id} is not awaiting approval (it is ${task.status})`;
      if (task.approvals.some((a) => a.by === args.by && a.attempt === task.attempts))
        return `${args.by} has already approved ${task.id}; the remaining approvals must come from other people`;
      if (!roles.some((r) => task.hold!.awaiting.includes(r)))
        return `${args.by} cannot approve ${task.id}: it awaits ${describe(plan, task.hold.awaiting)}`;
      return undefined;
    }
  }
}

/** A signed task answer, checked as a signed gate answer is: over this cutover, task, attempt, answer and what the task shows now. */
function checkTaskSignature(plan: CutoverPlan, status: CutoverStatus, task: TaskState, args: TaskAnswerArgs): string | undefined {
  return checkAnswerSignature(plan, status, args.by, args.signature, {
    kind: 'task',
    digest: () => taskEvidenceDigest(task),
    stale: (signed, shown) =>
      `the task you signed (${shortHex(signed)}) is not what ${task.id} shows now (${shortHex(shown)}): it has changed since you looked. Read \`cutover status ${status.workflowId}\` and answer again`,
    statement: (evidenceDigest, signedAt) =>
      taskStatement({
        workflowId: status.workflowId,
        task: task.id,
        attempt: task.attempts,
        action: args.action,
        by: args.by,
        evidenceDigest,
        signedAt,
        note: taskAnswerNote(args),
      }),
  });
}

/** The awaited role an approval by `by` satisfies. */
export function taskRoleToSatisfy(plan: CutoverPlan, awaiting: Role[], by: string): Role | undefined {
  return rolesOf(plan, by).find((role) => awaiting.includes(role));
}
