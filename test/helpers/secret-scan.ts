/**
 * Finds secret values in bytes: as written, and in the encodings a value takes on its way into a log or a
 * record (URL-encoded in a query string or form, base64 inside a JSON payload or a header, hex in a
 * buffer dump). Base64 is matched at all three byte alignments, so a value embedded anywhere in a longer
 * encoded string is found too, not only one encoded on its own.
 */

export interface Secret {
  /** What it is, for the report: `PayCA production client secret`. */
  name: string;
  /** The value as configured: text (credentials) or bytes (a payload key). */
  value: string | Uint8Array;
}

export interface ScanSource {
  /** Where the bytes came from: `worker stderr`, `history cutover-1 (run 3f2a…) decoded`. */
  name: string;
  bytes: Buffer;
}

export interface SecretForm {
  secret: string;
  form: string;
  needle: Buffer;
}

export interface SecretHit {
  secret: string;
  form: string;
  source: string;
  offset: number;
  /** The bytes around the hit with the secret itself masked, so a failure message can show it safely. */
  context: string;
}

/** Characters of a base64 string whose bits come from the value alone, for a value starting at byte `shift`. */
function base64Core(value: Buffer, shift: number, alphabet: 'base64' | 'base64url'): string {
  const encoded = Buffer.concat([Buffer.alloc(shift), value]).toString(alphabet);
  const first = Math.ceil((shift * 8) / 6);
  const end = Math.floor(((shift + value.length) * 8) / 6);
  return encoded.slice(first, end);
}

/** Every form of one secret the scan looks for; forms identical to another (plain ASCII) are listed once. */
export function secretForms(secret: Secret): SecretForm[] {
  const raw = typeof secret.value === 'string' ? Buffer.from(secret.value, 'utf8') : Buffer.from(secret.value);
  const forms = new Map<string, { form: string; needle: Buffer }>();
  const add = (form: string, needle: Buffer) => {
    const key = needle.toString('hex');
    if (!forms.has(key)) forms.set(key, { form, needle });
  };
  add('as is', raw);
  if (typeof secret.value === 'string') {
    add('URL-encoded', Buffer.from(encodeURIComponent(secret.value)));
    add('form-encoded', Buffer.from(new URLSearchParams({ v: secret.value }).toString().slice(2)));
  }
  for (const alphabet of ['base64', 'base64url'] as const) {
    for (const shift of [0, 1, 2]) add(`${alphabet} (offset ${shift})`, Buffer.from(base64Core(raw, shift, alphabet)));
  }
  add('hex', Buffer.from(raw.toString('hex')));
  add('HEX', Buffer.from(raw.toString('hex').toUpperCase()));
  return [...forms.values()].map((form) => ({ secret: secret.name, ...form }));
}

function maskedContext(bytes: Buffer, offset: number, length: number): string {
  const before = bytes.subarray(Math.max(0, offset - 60), offset).toString('latin1');
  const after = bytes.subarray(offset + length, offset + length + 60).toString('latin1');
  const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, '·');
  return `${printable(before)}[SECRET]${printable(after)}`;
}

/** Every occurrence of every form of every secret in every source. */
export function scanForSecrets(sources: ScanSource[], secrets: Secret[]): SecretHit[] {
  const forms = secrets.flatMap(secretForms);
  const hits: SecretHit[] = [];
  for (const source of sources) {
    for (const { secret, form, needle } of forms) {
      for (let at = source.bytes.indexOf(needle); at !== -1; at = source.bytes.indexOf(needle, at + 1)) {
        hits.push({ secret, form, source: source.name, offset: at, context: maskedContext(source.bytes, at, needle.length) });
      }
    }
  }
  return hits;
}

export function describeHits(hits: SecretHit[]): string {
  return hits.map((hit) => `${hit.secret} (${hit.form}) in ${hit.source} at byte ${hit.offset}: ${hit.context}`).join('\n');
}
