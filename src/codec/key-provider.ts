/**
 * Where payload encryption keys come from. The codec asks only for the active key id and a key by id,
 * so a KMS-backed provider (fetching and caching data keys) can replace the static one without the codec
 * changing. Keys are 32 bytes, for AES-256-GCM.
 */
import { CodecConfigError } from '../errors.js';

export const KEY_BYTES = 32;

export interface PayloadKeyProvider {
  /** The key new payloads are encrypted with. */
  readonly activeKeyId: string;
  /** The key for `id`, or undefined when this provider does not know it (retired, or never configured). */
  keyFor(id: string): Promise<Uint8Array | undefined>;
  /** What a person does to make an unknown key id known, for the error that names it. */
  readonly howToAddKey: string;
}

export interface NamedKey {
  id: string;
  key: Uint8Array;
}

/** Key ids travel in payload metadata and error messages, so they stay short and printable. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A provider over keys already in memory: every key decrypts, `activeKeyId` (default: the first) encrypts. */
export function staticKeyProvider(keys: NamedKey[], options: { activeKeyId?: string; howToAddKey?: string } = {}): PayloadKeyProvider {
  const first = keys[0];
  if (!first) throw new CodecConfigError('no payload encryption keys were given');
  const byId = new Map<string, Uint8Array>();
  for (const { id, key } of keys) {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new CodecConfigError(`payload key id ${JSON.stringify(id)} is not valid: use letters, digits, ".", "_" or "-" (at most 64)`, {
        keyId: id,
      });
    }
    if (key.length !== KEY_BYTES) {
      throw new CodecConfigError(`payload key "${id}" is ${key.length} bytes; AES-256 needs exactly ${KEY_BYTES}`, { keyId: id });
    }
    if (byId.has(id)) throw new CodecConfigError(`payload key id "${id}" is configured twice; each id names one key`, { keyId: id });
    byId.set(id, key);
  }
  const activeKeyId = options.activeKeyId ?? first.id;
  if (!byId.has(activeKeyId)) {
    throw new CodecConfigError(
      `the active payload key "${activeKeyId}" is not among the configured keys (${[...byId.keys()].join(', ')})`,
      {
        keyId: activeKeyId,
      },
    );
  }
  return {
    activeKeyId,
    howToAddKey: options.howToAddKey ?? 'give the key with this id to the key provider',
    keyFor: (id) => Promise.resolve(byId.get(id)),
  };
}
