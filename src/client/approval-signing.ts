/**
 * The approver's side of signed answers: read their Ed25519 private key file, look at the stage the way
 * the workflow will (its attempt and evidence digest), sign the statement and attach the signature.
 * Node's own crypto signs; the workflow verifies the same statement text with src/signing/.
 */
import type { Client } from '@temporalio/client';
import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CutoverError, UsageError } from '../errors.js';
import {
  approvalStatement,
  evidenceDigest,
  shortHex,
  type ApprovalSignature,
  type SignedDecision,
} from '../signing/approval-statement.js';
import { rawPublicKeyHex } from '../signing/public-key.js';
import { statusQuery } from '../workflows/definitions.js';
import type { StageId } from '../workflows/stages.js';
import type { CutoverMessage } from './send-message.js';

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
    throw new UsageError(`--key ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): give the path of your private key file`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(text);
  } catch {
    throw new CutoverError('SIGNING_KEY_INVALID', `${file} is not a PEM private key: make one with \`cutover keygen --out FILE\``);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new CutoverError('SIGNING_KEY_INVALID', `${file} holds an ${key.asymmetricKeyType ?? 'unknown'} key; signed answers use Ed25519 (\`cutover keygen --out FILE\`)`);
  }
  const publicKeyHex = rawPublicKeyHex(createPublicKey(key).export({ format: 'der', type: 'spki' }));
  return { file, key, publicKeyHex };
}

type SignableMessage = Extract<CutoverMessage, { kind: 'approve' | 'reject' | 'decide' }>;

export function isSignable(message: CutoverMessage): message is SignableMessage {
  return message.kind === 'approve' || message.kind === 'reject' || message.kind === 'decide';
}

function answerOf(message: SignableMessage): { stage: StageId; decision: SignedDecision; note?: string; authorizationId?: string } {
  switch (message.kind) {
    case 'approve':
      return { stage: message.args.stage, decision: 'approved', note: message.args.note, authorizationId: message.args.authorizationId };
    case 'reject':
      return { stage: message.args.stage, decision: 'rejected', note: message.args.reason };
    case 'decide':
      return { stage: 'debrief', decision: message.args.decision, note: message.args.reason };
  }
}

export interface SignedMessage {
  message: SignableMessage;
  /** What was signed, in words, for the approver's terminal. */
  description: string;
}

/** Signs over the stage as the workflow shows it now; if it changes before the answer lands, the workflow refuses it as stale. */
export async function signMessage(
  client: Client,
  workflowId: string,
  message: SignableMessage,
  key: SigningKey,
  now: Date = new Date(),
): Promise<SignedMessage> {
  const answer = answerOf(message);
  const status = await client.workflow.getHandle(workflowId).query(statusQuery);
  const stage = status.stages.find((s) => s.id === answer.stage);
  if (!stage) throw new CutoverError('MESSAGE_REFUSED', `cutover ${workflowId} has no stage ${answer.stage}`);
  const digest = evidenceDigest(stage);
  const signedAt = now.toISOString();
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
  const signature: ApprovalSignature = {
    signedAt,
    evidenceDigest: digest,
    value: sign(null, Buffer.from(statement, 'utf8'), key.key).toString('hex'),
  };
  return {
    message: { ...message, args: { ...message.args, signature } } as SignableMessage,
    description: `signed ${answer.decision} of ${stage.id} (attempt ${stage.attempts}, evidence ${shortHex(digest)}) with key ${shortHex(key.publicKeyHex)}`,
  };
}
