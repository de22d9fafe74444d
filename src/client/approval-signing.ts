/**
 * The approver's side of signed answers: read their Ed25519 private key file, look at the stage or checklist
 * item the way the workflow will (its attempt and evidence digest), sign the statement and attach the signature.
 * Node's own crypto signs; the workflow verifies the same statement text with src/signing/.
 */
import type { Client } from '@temporalio/client';
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CutoverError, UsageError } from '../errors.js';
import {
  approvalStatement,
  evidenceDigest,
  itemEvidenceDigest,
  itemStatement,
  shortHex,
  type ApprovalSignature,
  type ItemAnswerKind,
  type SignedDecision,
} from '../signing/approval-statement.js';
import { rawPublicKeyHex } from '../signing/public-key.js';
import { taskAnswerNote, taskEvidenceDigest, taskStatement } from '../signing/task-statement.js';
import { statusQuery } from '../workflows/messages.js';
import type { StageId } from '../runbook/stages.js';
import type { CutoverMessage } from '../operations/send-message.js';

export const KEY_OPTION_HELP =
  'sign the answer with this Ed25519 private key (PEM); needed when the plan lists your public key (default: $CUTOVER_SIGNING_KEY_FILE)';

export interface SigningKey {
  file: string;
  key: KeyObject;
  publicKeyHex: string;
}

export function readSigningKey(file: string): SigningKey {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--key ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): give the path of your private key file`,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new CutoverError('SIGNING_KEY_INVALID', `${file} is not a PEM private key: make one with \`cutover keygen --out FILE\``);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new CutoverError(
      'SIGNING_KEY_INVALID',
      `${file} holds an ${key.asymmetricKeyType ?? 'unknown'} key; signed answers use Ed25519 (\`cutover keygen --out FILE\`)`,
    );
  }
  const publicKeyHex = rawPublicKeyHex(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  return { file, key, publicKeyHex };
}

type StageAnswer = Extract<CutoverMessage, { kind: 'approve' | 'reject' | 'decide' }>;
type ItemAnswer = Extract<CutoverMessage, { kind: ItemAnswerKind }>;
type TaskAnswer = Extract<CutoverMessage, { kind: 'task-answer' }>;
type SignableMessage = StageAnswer | ItemAnswer | TaskAnswer;

const ITEM_ANSWERS: readonly string[] = ['complete-item', 'waive-item', 'retry-item'] satisfies ItemAnswerKind[];

export function isSignable(message: CutoverMessage): message is SignableMessage {
  return (
    message.kind === 'approve' ||
    message.kind === 'reject' ||
    message.kind === 'decide' ||
    message.kind === 'task-answer' ||
    ITEM_ANSWERS.includes(message.kind)
  );
}

const isItemAnswer = (message: SignableMessage): message is ItemAnswer => ITEM_ANSWERS.includes(message.kind);

function answerOf(message: StageAnswer): { stage: StageId; decision: SignedDecision; note?: string; authorizationId?: string } {
  switch (message.kind) {
    case 'approve':
      return { stage: message.args.stage, decision: 'approved', note: message.args.note, authorizationId: message.args.authorizationId };
    case 'reject':
      return { stage: message.args.stage, decision: 'rejected', note: message.args.reason };
    case 'decide':
      return { stage: 'debrief', decision: message.args.decision, note: message.args.reason };
  }
}

function itemNoteOf(message: ItemAnswer): string | undefined {
  switch (message.kind) {
    case 'complete-item':
      return message.args.evidence;
    case 'waive-item':
      return message.args.reason;
    case 'retry-item':
      return undefined;
  }
}

export interface SignedMessage {
  message: SignableMessage;
  /** What was signed, in words, for the approver's terminal. */
  description: string;
}

/** Signs over the stage (or item) as the workflow shows it now; if it changes before the answer lands, the workflow refuses it as stale. */
export async function signMessage(
  client: Client,
  workflowId: string,
  message: SignableMessage,
  key: SigningKey,
  now: Date = new Date(),
): Promise<SignedMessage> {
  const status = await client.workflow.getHandle(workflowId).query(statusQuery);
  const signedAt = now.toISOString();
  const signatureOver = (statement: string, digest: string): ApprovalSignature => ({
    signedAt,
    evidenceDigest: digest,
    value: sign(null, Buffer.from(statement, 'utf8'), key.key).toString('hex'),
  });
  if (message.kind === 'task-answer') {
    const task = status.tasks?.find((t) => t.id === message.args.task);
    if (!task) throw new CutoverError('MESSAGE_REFUSED', `cutover ${workflowId} has no task ${message.args.task}`);
    const digest = taskEvidenceDigest(task);
    const statement = taskStatement({
      workflowId,
      task: task.id,
      attempt: task.attempts,
      action: message.args.action,
      by: message.args.by,
      evidenceDigest: digest,
      signedAt,
      note: taskAnswerNote(message.args),
    });
    return {
      message: { ...message, args: { ...message.args, signature: signatureOver(statement, digest) } },
      description: `signed ${message.args.action} of task ${task.id} (${task.status}, attempt ${task.attempts}, digest ${shortHex(digest)}) with key ${shortHex(key.publicKeyHex)}`,
    };
  }
  if (isItemAnswer(message)) {
    const item = status.checklist.find((i) => i.id === message.args.item);
    if (!item) throw new CutoverError('MESSAGE_REFUSED', `cutover ${workflowId} has no checklist item ${message.args.item}`);
    const digest = itemEvidenceDigest(item);
    const statement = itemStatement({
      workflowId,
      item: item.id,
      attempt: item.attempts,
      decision: message.kind,
      by: message.args.by,
      evidenceDigest: digest,
      signedAt,
      note: itemNoteOf(message),
    });
    return {
      message: { ...message, args: { ...message.args, signature: signatureOver(statement, digest) } } as SignableMessage,
      description: `signed ${message.kind} of ${item.id} (${item.status}, ${item.attempts} check run${item.attempts === 1 ? '' : 's'}, digest ${shortHex(digest)}) with key ${shortHex(key.publicKeyHex)}`,
    };
  }
  const answer = answerOf(message);
  const stage = status.stages.find((s) => s.id === answer.stage);
  if (!stage) throw new CutoverError('MESSAGE_REFUSED', `cutover ${workflowId} has no stage ${answer.stage}`);
  const digest = evidenceDigest(stage);
  const statement = approvalStatement({
    workflowId,
    stage: stage.id,
    attempt: stage.attempts,
    decision: answer.decision,
    by: message.args.by,
    evidenceDigest: digest,
    signedAt,
    note: answer.note,
    authorizationId: answer.authorizationId,
  });
  return {
    message: { ...message, args: { ...message.args, signature: signatureOver(statement, digest) } } as SignableMessage,
    description: `signed ${answer.decision} of ${stage.id} (attempt ${stage.attempts}, evidence ${shortHex(digest)}) with key ${shortHex(key.publicKeyHex)}`,
  };
}
