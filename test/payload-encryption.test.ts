import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { createEncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../src/codec/encryption-codec.js';
import { payloadKeysFromEnv } from '../src/codec/env-keys.js';
import { staticKeyProvider } from '../src/codec/key-provider.js';
import { CodecConfigError, PayloadDecryptError, PayloadKeyUnknownError } from '../src/errors.js';

const key = () => new Uint8Array(randomBytes(32));
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const SECRET = { programme: 'Northwind Prepaid', note: 'wire confirmed by treasury desk' };

async function encodeOne(codec: ReturnType<typeof createEncryptionCodec>, payload: Payload): Promise<Payload> {
  const [encoded] = await codec.encode([payload]);
  assert.ok(encoded);
  return encoded;
}

describe('payload encryption codec', () => {
  const k1 = key();
  const k2 = key();
  const plain = defaultPayloadConverter.toPayload(SECRET);

  it('encrypts a payload under the active key, names the key id, and decrypts it back to the same payload', async () => {
    const codec = createEncryptionCodec(staticKeyProvider([{ id: 'k1', key: k1 }]));
    const encoded = await encodeOne(codec, plain);
    assert.equal(text(encoded.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(encoded.metadata?.[KEY_ID_METADATA]), 'k1');
    assert.equal(text(encoded.data).includes('Northwind'), false, 'no plaintext in the encoded data');
    assert.equal(
      Object.values(encoded.metadata ?? {}).some((value) => text(value).includes('json/plain')),
      false,
      'the original encoding is sealed too',
    );
    const [decoded] = await codec.decode([encoded]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), SECRET);
  });

  it('uses a fresh IV for every payload, so equal values do not encrypt alike', async () => {
    const codec = createEncryptionCodec(staticKeyProvider([{ id: 'k1', key: k1 }]));
    const [a, b] = await codec.encode([plain, plain]);
    assert.notDeepEqual(a?.data, b?.data);
    assert.notDeepEqual(a?.data?.subarray(0, 12), b?.data?.subarray(0, 12));
  });

  it('rotates keys: the new active key encrypts and the retired key still decrypts old payloads', async () => {
    const before = createEncryptionCodec(staticKeyProvider([{ id: 'k1', key: k1 }]));
    const old = await encodeOne(before, plain);
    const after = createEncryptionCodec(
      staticKeyProvider(
        [
          { id: 'k1', key: k1 },
          { id: 'k2', key: k2 },
        ],
        { activeKeyId: 'k2' },
      ),
    );
    const fresh = await encodeOne(after, plain);
    assert.equal(text(fresh.metadata?.[KEY_ID_METADATA]), 'k2');
    const decoded = await after.decode([old, fresh]);
    assert.deepEqual(
      decoded.map((payload) => defaultPayloadConverter.fromPayload(payload)),
      [SECRET, SECRET],
    );
  });

  it('refuses a payload under a key id it was not given, naming the id and how to configure it', async () => {
    const newer = createEncryptionCodec(staticKeyProvider([{ id: 'k2', key: k2 }]));
    const onlyOld = payloadKeysFromEnv({ CUTOVER_PAYLOAD_KEYS: `k1:${Buffer.from(k1).toString('base64')}` });
    assert.ok(onlyOld);
    const encoded = await encodeOne(newer, plain);
    await assert.rejects(createEncryptionCodec(onlyOld).decode([encoded]), (err: unknown) => {
      assert.ok(err instanceof PayloadKeyUnknownError);
      assert.equal(err.code, 'PAYLOAD_KEY_UNKNOWN');
      assert.match(err.message, /key id "k2"/);
      assert.match(err.message, /CUTOVER_PAYLOAD_KEYS/);
      return true;
    });
  });

  it('detects tampering: a flipped ciphertext bit, a cut tag or a relabelled key id fails the auth check', async () => {
    const codec = createEncryptionCodec(
      staticKeyProvider([
        { id: 'k1', key: k1 },
        { id: 'k2', key: k1 },
      ]),
    );
    const encoded = await encodeOne(codec, plain);
    const data = encoded.data!;
    const flipped = new Uint8Array(data);
    flipped[20] = flipped[20]! ^ 0x01;
    const relabelled = { ...encoded, metadata: { ...encoded.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k2') } };
    for (const tampered of [{ ...encoded, data: flipped }, { ...encoded, data: data.subarray(0, data.length - 1) }, relabelled]) {
      await assert.rejects(
        codec.decode([tampered]),
        (err: unknown) => err instanceof PayloadDecryptError && err.code === 'PAYLOAD_DECRYPT_FAILED',
      );
    }
  });

  it('passes payloads written before encryption was turned on through unchanged', async () => {
    const codec = createEncryptionCodec(staticKeyProvider([{ id: 'k1', key: k1 }]));
    assert.deepEqual(await codec.decode([plain]), [plain]);
  });
});

describe('payload keys from the environment', () => {
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const k1 = key();
  const k2 = key();
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cutover-keys-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves encryption off when no keys are configured', () => {
    assert.equal(payloadKeysFromEnv({}), undefined);
  });

  it('reads comma-separated keys, the first active unless CUTOVER_PAYLOAD_KEY_ID names another', async () => {
    const keys = `k1:${b64(k1)}, k2:${b64(k2)}`;
    const first = payloadKeysFromEnv({ CUTOVER_PAYLOAD_KEYS: keys });
    assert.equal(first?.activeKeyId, 'k1');
    const chosen = payloadKeysFromEnv({ CUTOVER_PAYLOAD_KEYS: keys, CUTOVER_PAYLOAD_KEY_ID: 'k2' });
    assert.equal(chosen?.activeKeyId, 'k2');
    assert.deepEqual(await chosen?.keyFor('k1'), k1);
  });

  it('reads a key file with one id:base64 per line, skipping blank lines and comments', async () => {
    const file = join(dir, 'keys');
    writeFileSync(file, `# rotated 2026-11\nk2:${b64(k2)}\n\nk1:${b64(k1)}\n`);
    const keys = payloadKeysFromEnv({ CUTOVER_PAYLOAD_KEYS_FILE: file });
    assert.equal(keys?.activeKeyId, 'k2');
    assert.deepEqual(await keys?.keyFor('k1'), k1);
  });

  const refusals: { what: string; env: NodeJS.ProcessEnv; says: RegExp }[] = [
    {
      what: 'a key of the wrong length',
      env: { CUTOVER_PAYLOAD_KEYS: `k1:${b64(key().subarray(0, 16))}` },
      says: /"k1" is 16 bytes; AES-256 needs exactly 32/,
    },
    { what: 'a key that is not base64', env: { CUTOVER_PAYLOAD_KEYS: 'k1:not*base64!' }, says: /key for "k1" is not valid base64/ },
    { what: 'an entry without an id', env: { CUTOVER_PAYLOAD_KEYS: b64(k1) }, says: /expected "id:base64-key"/ },
    { what: 'a duplicate id', env: { CUTOVER_PAYLOAD_KEYS: `k1:${b64(k1)},k1:${b64(k2)}` }, says: /"k1" is configured twice/ },
    {
      what: 'an active id with no key',
      env: { CUTOVER_PAYLOAD_KEYS: `k1:${b64(k1)}`, CUTOVER_PAYLOAD_KEY_ID: 'k9' },
      says: /CUTOVER_PAYLOAD_KEY_ID=k9 names no key .*configured: k1/,
    },
    { what: 'an active id without any keys', env: { CUTOVER_PAYLOAD_KEY_ID: 'k1' }, says: /no keys are/ },
    {
      what: 'both the variable and the file',
      env: { CUTOVER_PAYLOAD_KEYS: `k1:${b64(k1)}`, CUTOVER_PAYLOAD_KEYS_FILE: '/nonexistent' },
      says: /not both/,
    },
    { what: 'a key file that cannot be read', env: { CUTOVER_PAYLOAD_KEYS_FILE: '/nonexistent/keys' }, says: /cannot be read \(ENOENT\)/ },
  ];
  for (const { what, env, says } of refusals) {
    it(`refuses ${what} with CODEC_CONFIG_INVALID, never echoing key material`, () => {
      assert.throws(
        () => payloadKeysFromEnv(env),
        (err: unknown) => {
          assert.ok(err instanceof CodecConfigError);
          assert.equal(err.code, 'CODEC_CONFIG_INVALID');
          assert.match(err.message, says);
          for (const material of [b64(k1), b64(k2)]) assert.equal(err.message.includes(material), false);
          return true;
        },
      );
    });
  }
});
