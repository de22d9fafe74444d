/**
 * The room's side of a message: look at the stage, checklist item or task the message is about the way the workflow
 * will (its evidence digest and attempt), sign the room's statement for the signed-in person and attach it.
 * The room shows the person that same status, so the digest signed is the digest they saw.
 */
import { evidenceDigest, itemEvidenceDigest } from '../signing/approval-statement.js';
import { signAsRoom, type RoomStatement } from '../signing/room-statement.js';
import { taskEvidenceDigest } from '../signing/task-statement.js';
import type { RoomSigningKey } from '../signing/room-key.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import type { CutoverMessage } from './send-message.js';

/** The signed-in person as the identity provider vouched for them. */
export interface RoomIdentity {
  issuer: string;
  subject: string;
}

/** The messages the room sends; the compensation answers and abort stay with the CLI. */
export type RoomMessage = Extract<CutoverMessage, { args: { roomStatement?: RoomStatement } }>;

/** The message kinds the room sends, each one of its forms' actions. */
export const ROOM_MESSAGE_KINDS = [
  'approve',
  'reject',
  'decide',
  'retry',
  'complete-item',
  'waive-item',
  'retry-item',
  'report-incident',
  'end-watch',
  'extend-watch',
  'task-answer',
] as const satisfies readonly RoomMessage['kind'][];

export const isRoomMessage = (message: CutoverMessage): message is RoomMessage =>
  (ROOM_MESSAGE_KINDS as readonly string[]).includes(message.kind);

/** The evidence digest and attempt of what the message is about, as `status` shows it. */
export function shownFor(status: CutoverStatus, message: RoomMessage): { evidenceDigest?: string; attempt?: number } {
  const args = message.args as { stage?: string; item?: string; task?: string };
  if (message.kind === 'task-answer') {
    const task = status.tasks?.find((t) => t.id === args.task);
    return task ? { evidenceDigest: taskEvidenceDigest(task), attempt: task.attempts } : {};
  }
  const stageId = message.kind === 'decide' ? 'debrief' : args.stage;
  const stage = stageId === undefined ? undefined : status.stages.find((s) => s.id === stageId);
  if (stage) return { evidenceDigest: evidenceDigest(stage), attempt: stage.attempts };
  const item = args.item === undefined ? undefined : status.checklist.find((i) => i.id === args.item);
  if (item) return { evidenceDigest: itemEvidenceDigest(item), attempt: item.attempts };
  return {};
}

/** The message with the room's statement attached: `args.by` is the plan's name for the signed-in person. */
export function signMessageAsRoom<M extends RoomMessage>(
  key: RoomSigningKey,
  status: CutoverStatus,
  message: M,
  identity: RoomIdentity,
  now: Date = new Date(),
): M & { args: { roomStatement: RoomStatement } } {
  const { roomStatement: _earlier, ...args } = message.args as M['args'] & { roomStatement?: RoomStatement };
  const roomStatement = signAsRoom(key.privateKey, {
    workflowId: status.workflowId,
    kind: message.kind,
    args,
    person: message.args.by,
    ...identity,
    ...shownFor(status, message),
    signedAt: now.toISOString(),
  });
  return { ...message, args: { ...args, roomStatement } };
}
