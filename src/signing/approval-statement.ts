/**
 * Signed answers at the gates and on the checklist. A person whose Ed25519 public key the plan lists signs
 * each approval, rejection and debrief decision, and each completion, waiver and re-check of a checklist
 * item: the statement names the cutover, the stage (or item) and its attempt, the answer, the person, the
 * digest of the evidence they were shown and when they signed. The workflow verifies it
 * before taking the answer; `cutover verify` checks the same statements offline from the report.
 *
 * Pure JavaScript (noble's audited Ed25519 and SHA-256), so the workflow sandbox runs it deterministically.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils';
import { canonicalJson } from './canonical-json.js';

export type SignedDecision = 'approved' | 'rejected' | 'roll-forward' | 'roll-back';

/** What an approver signs besides the statement itself: carried with the message, kept in the approval record. */
export interface ApprovalSignature {
  /** When the approver signed, by their own clock (ISO 8601). */
  signedAt: string;
  /** SHA-256 (hex) of the stage evidence the approver was shown: see `evidenceDigest`. */
  evidenceDigest: string;
  /** The Ed25519 signature over the statement, hex. */
  value: string;
}

export interface ApprovalStatementFields {
  workflowId: string;
  stage: string;
  attempt: number;
  decision: SignedDecision;
  by: string;
  evidenceDigest: string;
  signedAt: string;
  note?: string | null;
  authorizationId?: string | null;
}

const STATEMENT_HEADER = 'PayCA cutover signed answer v1';

/** The exact text that is signed. Absent and null note or authorization id are the same statement. */
export function approvalStatement(fields: ApprovalStatementFields): string {
  return `${STATEMENT_HEADER}\n${canonicalJson({
    workflowId: fields.workflowId,
    stage: fields.stage,
    attempt: fields.attempt,
    decision: fields.decision,
    by: fields.by,
    evidenceDigest: fields.evidenceDigest,
    signedAt: fields.signedAt,
    note: fields.note ?? undefined,
    authorizationId: fields.authorizationId ?? undefined,
  })}`;
}

/** The checklist answers that can be signed, named as their messages are. */
export type ItemAnswerKind = 'complete-item' | 'waive-item' | 'retry-item';

export interface ItemStatementFields {
  workflowId: string;
  item: string;
  /** Runs of the item's automated check when the person answered (0 for an attested item). */
  attempt: number;
  decision: ItemAnswerKind;
  by: string;
  evidenceDigest: string;
  signedAt: string;
  /** The evidence given with a completion, or the reason for a waiver. */
  note?: string | null;
}

/** A header of its own, so a signed checklist answer can never pass for a signed gate answer or the reverse. */
const ITEM_STATEMENT_HEADER = 'PayCA cutover signed checklist answer v1';

/** The exact text signed for a checklist answer. */
export function itemStatement(fields: ItemStatementFields): string {
  return `${ITEM_STATEMENT_HEADER}\n${canonicalJson({
    workflowId: fields.workflowId,
    item: fields.item,
    attempt: fields.attempt,
    decision: fields.decision,
    by: fields.by,
    evidenceDigest: fields.evidenceDigest,
    signedAt: fields.signedAt,
    note: fields.note ?? undefined,
  })}`;
}

/** The parts of a checklist item a person looks at before completing, waiving or re-checking it. */
export interface ItemEvidenceView {
  id: string;
  status: string;
  attempts: number;
  problems: readonly string[];
  evidence?: unknown;
}

/**
 * Digest of what the item shows now: its status, its check's runs, problems and evidence. A re-run or
 * another person's answer changes it, so an answer signed before that is stale.
 */
export function itemEvidenceDigest(item: ItemEvidenceView): string {
  const shown = canonicalJson({
    item: item.id,
    status: item.status,
    attempts: item.attempts,
    problems: item.problems,
    evidence: item.evidence,
  });
  return bytesToHex(sha256(utf8ToBytes(shown)));
}

/** The parts of a stage an approver looks at before answering. */
export interface StageEvidenceView {
  id: string;
  attempts: number;
  problems: readonly string[];
  /** Whatever the stage's check kept; `manualAuthorization`, if present, is the approver's and left out. */
  evidence: { manualAuthorization?: unknown };
  error?: unknown;
  hold?: { reason: string };
}

/**
 * Digest of what the stage shows for its current attempt: its check's evidence, problems, error and hold
 * reason. A re-run of the check changes the attempt and the evidence, so an answer signed before it is stale.
 * The manual authorization is left out: the first go/no-go approver adds it, and the second approver's
 * signature must not go stale because of it.
 */
export function evidenceDigest(stage: StageEvidenceView): string {
  const { manualAuthorization: _addedByApprover, ...evidence } = stage.evidence;
  const shown = canonicalJson({
    stage: stage.id,
    attempt: stage.attempts,
    problems: stage.problems,
    error: stage.error,
    holdReason: stage.hold?.reason,
    evidence,
  });
  return bytesToHex(sha256(utf8ToBytes(shown)));
}

const HEX = /^[0-9a-f]+$/;

export function isHex(text: unknown, length: number): text is string {
  return typeof text === 'string' && text.length === length && HEX.test(text);
}

/** Shape check for a signature arriving in a message; the signature itself is checked by `signatureVerifies`. */
export function describeSignatureProblem(signature: unknown): string | undefined {
  const s = signature as Partial<ApprovalSignature> | null;
  if (typeof s !== 'object' || s === null) return 'the signature must be an object with signedAt, evidenceDigest and value';
  if (typeof s.signedAt !== 'string' || Number.isNaN(Date.parse(s.signedAt))) return 'the signature needs signedAt, an ISO 8601 time';
  if (!isHex(s.evidenceDigest, 64)) return 'the signature needs evidenceDigest, 64 lower-case hex digits (SHA-256)';
  if (!isHex(s.value, 128)) return 'the signature value must be 128 lower-case hex digits (Ed25519)';
  return undefined;
}

/** True when `signatureHex` is `publicKeyHex`'s Ed25519 signature over `statement`. Never throws. */
export function signatureVerifies(statement: string, signatureHex: string, publicKeyHex: string): boolean {
  try {
    return ed25519.verify(hexToBytes(signatureHex), utf8ToBytes(statement), hexToBytes(publicKeyHex), { zip215: false });
  } catch {
    return false;
  }
}

/** First characters of a key or digest, enough for a person to compare by eye. */
export function shortHex(hex: string): string {
  return `${hex.slice(0, 12)}…`;
}
