/**
 * AES-256-GCM payload encryption. Each encoded payload is the whole original payload (metadata and data,
 * protobuf-encoded) sealed under the provider's active key, with metadata that says how to open it:
 *   encoding: binary/encrypted, encryption-key-id: <id>
 *   data:     12-byte random IV | ciphertext | 16-byte auth tag
 * The key id is also the additional authenticated data, so relabelling a payload with another key id
 * fails the tag check instead of decrypting under the wrong key. Payloads without the encrypted encoding
 * (histories written before encryption was turned on) decode unchanged.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PayloadDecryptError, PayloadKeyUnknownError } from '../errors.js';
import type { PayloadKeyProvider } from './key-provider.js';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const CIPHER = 'aes-256-gcm';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function metadataText(payload: Payload, name: string): string | undefined {
  const value = payload.metadata?.[name];
  return value ? decoder.decode(value) : undefined;
}

export function isEncrypted(payload: Payload): boolean {
  return metadataText(payload, 'encoding') === ENCRYPTED_ENCODING;
}

export function createEncryptionCodec(keys: PayloadKeyProvider): PayloadCodec {
  async function keyFor(id: string): Promise<Uint8Array> {
    const key = await keys.keyFor(id);
    if (!key) throw new PayloadKeyUnknownError(id, keys.howToAddKey);
    return key;
  }

  async function encryptOne(payload: Payload): Promise<Payload> {
    const keyId = keys.activeKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, await keyFor(keyId), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(encoder.encode(keyId));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: encoder.encode(keyId) },
      data: new Uint8Array(sealed),
    };
  }

  async function decryptOne(payload: Payload): Promise<Payload> {
    if (!isEncrypted(payload)) return payload;
    const keyId = metadataText(payload, KEY_ID_METADATA);
    if (!keyId) throw new PayloadDecryptError('(none)', `the payload has no ${KEY_ID_METADATA} metadata`);
    const key = await keyFor(keyId);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadDecryptError(keyId, `it is ${data.length} bytes, too short to hold an IV and an auth tag`);
    const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(encoder.encode(keyId));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptError(keyId, 'the auth tag does not match (tampered with, or a different key under the same id)');
    }
    const inner = temporal.api.common.v1.Payload.decode(plain);
    return { metadata: inner.metadata, data: inner.data };
  }

  return {
    encode: (payloads) => Promise.all(payloads.map(encryptOne)),
    decode: (payloads) => Promise.all(payloads.map(decryptOne)),
  };
}
