/**
 * Ed25519 public keys as people write them in a plan: the base64 line `cutover keygen` prints (32 bytes),
 * 64 hex digits, or a PEM "BEGIN PUBLIC KEY" block as `openssl pkey -pubout` writes it. All become hex.
 */
import { createPublicKey } from 'node:crypto';

export function parsePublicKey(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return trimmed.toLowerCase();
  if (trimmed.includes('BEGIN PUBLIC KEY')) {
    try {
      const key = createPublicKey(trimmed);
      if (key.asymmetricKeyType !== 'ed25519') return undefined;
      return rawPublicKeyHex(key.export({ format: 'der', type: 'spki' }));
    } catch {
      return undefined;
    }
  }
  if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) return Buffer.from(trimmed, 'base64').toString('hex');
  return undefined;
}

/** An Ed25519 SPKI DER is a fixed 12-byte prefix followed by the 32-byte key. */
export function rawPublicKeyHex(spkiDer: Buffer): string {
  return spkiDer.subarray(spkiDer.length - 32).toString('hex');
}
