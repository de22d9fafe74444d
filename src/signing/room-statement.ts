/**
 * The cutover room's statement. A person who signed in to the room with the organisation's identity provider
 * answers through it; the room signs, with its own Ed25519 key, who that person is (the plan's name for them and
 * the provider's issuer and subject), the message they sent (its kind and a digest of its fields), the evidence
 * digest and attempt they were shown, and when. The plan pins the room's public key and the workflow verifies
 * the statement before taking the message, so a name typed into a message no longer stands for a person.
 *
 * Pure JavaScript (noble's audited Ed25519 and SHA-256): the workflow sandbox verifies with it deterministically.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { canonicalJson } from './canonical-json.js';
import { isHex, signatureVerifies } from './approval-statement.js';

/** What the room attaches to a message as `roomStatement`, and what the workflow keeps with the answer. */
export interface RoomStatement {
  /** The identity provider's issuer URL, as the room's sign-in verified it. */
  issuer: string;
  /** The provider's subject for the person: stable where an email may change. */
  subject: string;
  /** When the room signed, by its clock (ISO 8601). */
  signedAt: string;
  /** The evidence digest the person was shown, for a message about a stage or a checklist item. */
  evidenceDigest?: string;
  /** The room's Ed25519 signature over the statement, hex. */
  value: string;
}

export interface RoomStatementFields {
  workflowId: string;
  /** The message's kind, as `MESSAGES` names it: approve, complete-item, end-watch... */
  kind: string;
  /** The message's fields as sent; its `roomStatement` is left out of the digest. */
  args: object;
  /** The plan's name for the person: the message's `by`. */
  person: string;
  issuer: string;
  subject: string;
  /** The stage's or item's evidence digest and attempt the person was shown; absent for other messages. */
  evidenceDigest?: string;
  attempt?: number;
  signedAt: string;
}

/** A header of its own, so a room statement can never pass for a person's signed answer or the reverse. */
const ROOM_STATEMENT_HEADER = 'PayCA cutover room statement v1';

/** SHA-256 (hex) of the message's fields, its room statement left out: any change to what was sent breaks it. */
export function messageDigest(args: object): string {
  const { roomStatement: _signature, ...fields } = args as Record<string, unknown>;
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(fields))));
}

/** The exact text the room signs. */
export function roomStatementText(fields: RoomStatementFields): string {
  return `${ROOM_STATEMENT_HEADER}\n${canonicalJson({
    workflowId: fields.workflowId,
    kind: fields.kind,
    message: messageDigest(fields.args),
    person: fields.person,
    issuer: fields.issuer,
    subject: fields.subject,
    evidenceDigest: fields.evidenceDigest,
    attempt: fields.attempt,
    signedAt: fields.signedAt,
  })}`;
}

/**
 * The room's side: sign the statement with the room's private key (the 32-byte Ed25519 seed, see
 * `readRoomSigningKey`) and return what to attach to the message as `roomStatement`.
 */
export function signAsRoom(privateKey: Uint8Array, fields: RoomStatementFields): RoomStatement {
  const value = bytesToHex(ed25519.sign(utf8ToBytes(roomStatementText(fields)), privateKey));
  return {
    issuer: fields.issuer,
    subject: fields.subject,
    signedAt: fields.signedAt,
    ...(fields.evidenceDigest !== undefined && { evidenceDigest: fields.evidenceDigest }),
    value,
  };
}

/** Issuer and subject: what providers send is short; anything longer is not an identity. */
export const MAX_IDENTITY_LENGTH = 500;
const MAX_SIGNED_AT_LENGTH = 64;

/** Shape and bounds of a room statement arriving in a message; the signature itself is checked by `verifyRoomStatement`. */
export function describeRoomStatementProblem(given: unknown): string | undefined {
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    return 'the room statement must be an object with issuer, subject, signedAt, evidenceDigest and value';
  }
  const s = given as Record<string, unknown>;
  const extra = Object.keys(s).filter((key) => !['issuer', 'subject', 'signedAt', 'evidenceDigest', 'value'].includes(key));
  if (extra.length)
    return `the room statement has no field ${extra
      .slice(0, 3)
      .map((k) => `"${k.slice(0, 40)}"`)
      .join(', ')}; its fields are issuer, subject, signedAt, evidenceDigest and value`;
  for (const field of ['issuer', 'subject'] as const) {
    const text = s[field];
    if (typeof text !== 'string' || text.trim() === '')
      return `the room statement needs ${field}, the identity provider's ${field === 'issuer' ? 'issuer URL' : 'subject for the person'}`;
    if (text.length > MAX_IDENTITY_LENGTH)
      return `roomStatement.${field} is ${text.length} characters; the limit is ${MAX_IDENTITY_LENGTH}`;
  }
  if (typeof s.signedAt !== 'string' || s.signedAt.length > MAX_SIGNED_AT_LENGTH || Number.isNaN(Date.parse(s.signedAt))) {
    return 'the room statement needs signedAt, an ISO 8601 time';
  }
  if (s.evidenceDigest !== undefined && !isHex(s.evidenceDigest, 64))
    return 'the room statement evidenceDigest must be 64 lower-case hex digits (SHA-256)';
  if (!isHex(s.value, 128)) return 'the room statement value must be 128 lower-case hex digits (Ed25519)';
  return undefined;
}

/** What the workflow shows about the message's stage or item now, to check the statement against. */
export interface ShownNow {
  evidenceDigest?: string;
  attempt?: number;
}

/**
 * Why the room statement does not stand for this message, or undefined when it does: well formed, signed by
 * the room key the plan pins, for this cutover, message and person, over what the stage or item shows now.
 * `stale` words the refusal when the person looked at an earlier state.
 */
export function verifyRoomStatement(
  given: unknown,
  message: { workflowId: string; kind: string; args: object; person: string },
  shown: ShownNow,
  roomPublicKey: string,
  stale: (signedDigest: string) => string,
): string | undefined {
  const malformed = describeRoomStatementProblem(given);
  if (malformed) return malformed;
  const statement = given as RoomStatement;
  if (shown.evidenceDigest !== undefined) {
    if (statement.evidenceDigest === undefined) return 'the room statement needs evidenceDigest: the digest of what the person was shown';
    if (statement.evidenceDigest !== shown.evidenceDigest) return stale(statement.evidenceDigest);
  } else if (statement.evidenceDigest !== undefined) {
    return `a ${message.kind} message shows no evidence, so its room statement carries no evidenceDigest`;
  }
  const text = roomStatementText({
    ...message,
    issuer: statement.issuer,
    subject: statement.subject,
    evidenceDigest: shown.evidenceDigest,
    attempt: shown.attempt,
    signedAt: statement.signedAt,
  });
  if (!signatureVerifies(text, statement.value, roomPublicKey)) {
    return `the room statement does not verify against the room key the plan pins (${roomPublicKey.slice(0, 12)}…): it was signed by another key, or for another cutover, person, message or attempt`;
  }
  return undefined;
}
