/**
 * Who answered, as the workflow can tell: a message from the cutover room carries the room's signed statement,
 * which is verified here against the room key the plan pins; with the plan's `identity.require: signed`, a gate
 * or checklist answer needs that statement or the approver's own signature (checked by `message-rules.ts`).
 * Pure functions over the workflow's state, run after a message's own rules, for an update and a signal alike.
 */
import type { CutoverPlan } from '../plan/schema.js';
import { evidenceDigest, itemEvidenceDigest } from '../signing/approval-statement.js';
import { taskEvidenceDigest } from '../signing/task-statement.js';
import { verifyRoomStatement, type RoomStatement, type ShownNow } from '../signing/room-statement.js';
import type { Authentication, CutoverStatus } from './cutover-state.js';
import type { ItemAnswerKind, MessageKind } from './messages.js';

/** The answers a person signs with their own key; the plan's identity setting requires these to be signed. */
const ANSWERS: readonly MessageKind[] = ['approve', 'reject', 'decide', 'complete-item', 'waive-item', 'retry-item', 'task-answer'];

interface MessageFields {
  by?: unknown;
  stage?: unknown;
  item?: unknown;
  task?: unknown;
  signature?: unknown;
  roomStatement?: unknown;
}

/** What the message's stage or checklist item shows now: what the person must have been shown. */
function shownNow(status: CutoverStatus, kind: MessageKind, args: MessageFields): { shown: ShownNow; what?: string; how?: string } {
  if (kind === 'task-answer') {
    const task = typeof args.task === 'string' ? status.tasks?.find((t) => t.id === args.task) : undefined;
    return task
      ? {
          shown: { evidenceDigest: taskEvidenceDigest(task), attempt: task.attempts },
          what: task.id,
          how: `cutover status ${status.workflowId}`,
        }
      : { shown: {} };
  }
  const stageId = kind === 'decide' ? 'debrief' : args.stage;
  const stage = typeof stageId === 'string' ? status.stages.find((s) => s.id === stageId) : undefined;
  if (stage)
    return {
      shown: { evidenceDigest: evidenceDigest(stage), attempt: stage.attempts },
      what: stage.id,
      how: `cutover status ${status.workflowId}`,
    };
  const item = typeof args.item === 'string' ? status.checklist.find((i) => i.id === args.item) : undefined;
  if (item)
    return {
      shown: { evidenceDigest: itemEvidenceDigest(item), attempt: item.attempts },
      what: item.id,
      how: `cutover checklist ${status.workflowId}`,
    };
  return { shown: {} };
}

function roomStatementUsed(status: CutoverStatus, value: string): boolean {
  return (
    status.stages.some((stage) => stage.approvals.some((a) => a.room?.value === value)) ||
    status.checklist.some((item) => item.roomAnswers?.some((a) => a.room.value === value)) ||
    (status.tasks ?? []).some((task) => task.answers?.some((a) => a.room?.value === value))
  );
}

/**
 * Why the message's identity does not stand, or undefined when it does: a room statement must verify, and
 * under `identity.require: signed` an answer carries one or the approver's own signature.
 */
export function checkIdentity(plan: CutoverPlan, status: CutoverStatus, kind: MessageKind, args: unknown): string | undefined {
  const fields = (args ?? {}) as MessageFields;
  if (fields.roomStatement !== undefined) {
    const roomPublicKey = plan.identity?.roomPublicKey;
    if (!roomPublicKey) return "the plan pins no room key (identity.roomPublicKey), so the room's statement cannot be checked";
    const { shown, what, how } = shownNow(status, kind, fields);
    const statement = fields.roomStatement;
    const used = typeof statement === 'object' && statement !== null && 'value' in statement ? statement.value : undefined;
    if (typeof used === 'string' && roomStatementUsed(status, used))
      return 'this room statement has been used already; a statement counts once, so answer again in the room';
    return verifyRoomStatement(
      fields.roomStatement,
      { workflowId: status.workflowId, kind, args: fields, person: String(fields.by) },
      shown,
      roomPublicKey,
      (signed) =>
        `what you were shown (${signed.slice(0, 12)}…) is not what ${what ?? 'it'} shows now (${(shown.evidenceDigest ?? '').slice(0, 12)}…): it has changed since you looked. Read \`${how ?? 'cutover status'}\` and answer again`,
    );
  }
  if (plan.identity?.require === 'signed' && ANSWERS.includes(kind) && fields.signature === undefined) {
    const room = plan.identity.roomUrl ? `the cutover room (${plan.identity.roomUrl})` : 'the cutover room';
    return `this plan requires every answer to be signed (identity.require: signed), and a name alone does not say who is answering: answer in ${room}, or sign with your own key (--key FILE, its public key listed under signing.publicKeys)`;
  }
  return undefined;
}

/** What an accepted answer keeps of the room's statement: the statement and the key it verified against. */
export function roomRecord(
  plan: CutoverPlan,
  args: { roomStatement?: RoomStatement },
): { room: RoomStatement & { publicKey: string } } | Record<string, never> {
  const publicKey = plan.identity?.roomPublicKey;
  return args.roomStatement && publicKey ? { room: { ...args.roomStatement, publicKey } } : {};
}

/** How an answer on record was authenticated: the room's statement first, then a signature, else the name only. */
export function authenticationOf(record: {
  room?: { issuer: string; subject: string };
  signature?: { publicKey: string };
}): Authentication {
  if (record.room) return { via: 'room', issuer: record.room.issuer, subject: record.room.subject };
  if (record.signature) return { via: 'key', publicKey: record.signature.publicKey };
  return { via: 'name' };
}

/** The room answer to keep with a checklist item, if the message came through the room. */
export function roomItemAnswer(
  plan: CutoverPlan,
  kind: ItemAnswerKind,
  by: string,
  attempt: number,
  at: string,
  args: { roomStatement?: RoomStatement },
) {
  const kept = roomRecord(plan, args);
  return 'room' in kept ? { kind, by, attempt, at, room: kept.room } : undefined;
}
