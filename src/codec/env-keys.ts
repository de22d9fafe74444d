/**
 * Payload keys from the process environment, read by the worker, the CLI and the codec server alike:
 *   CUTOVER_PAYLOAD_KEYS       comma-separated `id:base64`, each key 32 random bytes
 *   CUTOVER_PAYLOAD_KEYS_FILE  a file with one `id:base64` per line (blank lines and `#` comments skipped)
 *   CUTOVER_PAYLOAD_KEY_ID     the key that encrypts (default: the first); the others only decrypt
 * No keys: encryption is off. Errors name the variable and the key id, never key material.
 */
import { readFileSync } from 'node:fs';
import { CodecConfigError } from '../errors.js';
import { staticKeyProvider, type NamedKey, type PayloadKeyProvider } from './key-provider.js';

export const PAYLOAD_KEYS_VARIABLE = 'CUTOVER_PAYLOAD_KEYS';
export const PAYLOAD_KEYS_FILE_VARIABLE = 'CUTOVER_PAYLOAD_KEYS_FILE';
export const PAYLOAD_KEY_ID_VARIABLE = 'CUTOVER_PAYLOAD_KEY_ID';

const HOW_TO_ADD_KEY = `add "id:base64-key" for it to ${PAYLOAD_KEYS_VARIABLE} (or to the file ${PAYLOAD_KEYS_FILE_VARIABLE} names); keep retired keys there as long as histories encrypted with them are read`;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function parseEntry(entry: string, where: string): NamedKey {
  const colon = entry.indexOf(':');
  if (colon <= 0) throw new CodecConfigError(`${where}: expected "id:base64-key", got an entry without an id`, { where });
  const id = entry.slice(0, colon).trim();
  const encoded = entry.slice(colon + 1).trim();
  // Node's decoder skips characters it does not know, so a typo would silently shorten the key.
  if (!STRICT_BASE64.test(encoded)) {
    throw new CodecConfigError(`${where}: the key for "${id}" is not valid base64 (generate one with \`openssl rand -base64 32\`)`, {
      where,
      keyId: id,
    });
  }
  return { id, key: new Uint8Array(Buffer.from(encoded, 'base64')) };
}

function entriesFrom(env: NodeJS.ProcessEnv): { entries: string[]; where: string } | undefined {
  const inline = env[PAYLOAD_KEYS_VARIABLE];
  const file = env[PAYLOAD_KEYS_FILE_VARIABLE];
  if (inline && file) {
    throw new CodecConfigError(`set ${PAYLOAD_KEYS_VARIABLE} or ${PAYLOAD_KEYS_FILE_VARIABLE}, not both`);
  }
  if (inline) return { entries: inline.split(','), where: PAYLOAD_KEYS_VARIABLE };
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw new CodecConfigError(`${PAYLOAD_KEYS_FILE_VARIABLE}=${file} cannot be read (${why})`, { file });
  }
  const entries = text.split(/\r?\n/).filter((line) => !line.trim().startsWith('#'));
  return { entries, where: `${PAYLOAD_KEYS_FILE_VARIABLE} (${file})` };
}

/** The configured keys as a provider, or undefined when none are configured (encryption off). */
export function payloadKeysFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadKeyProvider | undefined {
  const activeKeyId = env[PAYLOAD_KEY_ID_VARIABLE] || undefined;
  const source = entriesFrom(env);
  const keys =
    source?.entries
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '')
      .map((entry) => parseEntry(entry, source.where)) ?? [];
  if (keys.length === 0) {
    if (activeKeyId) {
      throw new CodecConfigError(
        `${PAYLOAD_KEY_ID_VARIABLE}=${activeKeyId} is set but no keys are: set ${PAYLOAD_KEYS_VARIABLE} or ${PAYLOAD_KEYS_FILE_VARIABLE}`,
      );
    }
    if (source) throw new CodecConfigError(`${source.where} is set but holds no keys`);
    return undefined;
  }
  if (activeKeyId && !keys.some((key) => key.id === activeKeyId)) {
    throw new CodecConfigError(
      `${PAYLOAD_KEY_ID_VARIABLE}=${activeKeyId} names no key in ${source?.where ?? PAYLOAD_KEYS_VARIABLE} (configured: ${keys.map((key) => key.id).join(', ')})`,
      { keyId: activeKeyId },
    );
  }
  try {
    return staticKeyProvider(keys, { activeKeyId, howToAddKey: HOW_TO_ADD_KEY });
  } catch (err) {
    if (err instanceof CodecConfigError)
      throw new CodecConfigError(`${source?.where ?? PAYLOAD_KEYS_VARIABLE}: ${err.message}`, err.details);
    throw err;
  }
}
