/**
 * The room's private key: read from the file `CUTOVER_ROOM_SIGNING_KEY_FILE` names, never from a plan or a
 * message. A PEM Ed25519 private key as `cutover keygen --room` writes it; the room signs with its 32-byte seed.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CutoverError } from '../errors.js';
import { rawPublicKeyHex } from './public-key.js';

export const ROOM_SIGNING_KEY_VARIABLE = 'CUTOVER_ROOM_SIGNING_KEY_FILE';

export interface RoomSigningKey {
  /** The Ed25519 seed `signAsRoom` signs with. */
  privateKey: Uint8Array;
  /** What the plan pins as `identity.roomPublicKey`, hex. */
  publicKeyHex: string;
}

export function readRoomSigningKey(file: string): RoomSigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CutoverError(
      'SIGNING_KEY_INVALID',
      `the room's signing key ${file} ${code === 'ENOENT' || code === 'EACCES' ? `cannot be read (${code})` : 'is not a PEM private key'}: make one with \`cutover keygen --room --out FILE\``,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new CutoverError(
      'SIGNING_KEY_INVALID',
      `the room's signing key ${file} is an ${key.asymmetricKeyType ?? 'unknown'} key; the room signs with Ed25519 (\`cutover keygen --room --out FILE\`)`,
    );
  }
  const { d } = key.export({ format: 'jwk' });
  return {
    privateKey: new Uint8Array(Buffer.from(d as string, 'base64url')),
    publicKeyHex: rawPublicKeyHex(createPublicKey(key).export({ format: 'der', type: 'spki' })),
  };
}

/** The room's key from its environment; undefined when the variable is not set. */
export function roomSigningKeyFromEnv(env: NodeJS.ProcessEnv = process.env): RoomSigningKey | undefined {
  const file = env[ROOM_SIGNING_KEY_VARIABLE];
  return file ? readRoomSigningKey(file) : undefined;
}
