import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { request } from 'node:http';
import { startCodecServer, type CodecAccess, type RunningCodecServer } from '../src/codec/codec-server.js';
import { createEncryptionCodec } from '../src/codec/encryption-codec.js';
import { staticKeyProvider } from '../src/codec/key-provider.js';
import { payloadsToJson, type PayloadsJson } from '../src/codec/payloads-json.js';
import { CodecConfigError } from '../src/errors.js';
import { runCli } from './helpers/cli.js';

const UI = 'http://localhost:8233';

/** A POST whose Host header says another name, as a page whose DNS name was rebound to loopback would send. */
function postAddressedTo(url: string, host: string, body: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/decode`, { method: 'POST', headers: { host, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('codec server over HTTP, without sign-in on loopback', () => {
  let server: RunningCodecServer;
  const accessLog: CodecAccess[] = [];
  before(async () => {
    const codec = createEncryptionCodec(staticKeyProvider([{ id: 'k1', key: new Uint8Array(randomBytes(32)) }]));
    server = await startCodecServer({
      codecs: [codec],
      authentication: { kind: 'none-on-loopback' },
      port: 0,
      corsOrigins: [UI],
      accessLog: (entry) => accessLog.push(entry),
    });
  });
  after(() => server?.close());

  const post = (path: string, body: unknown, origin = UI) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin },
      body: JSON.stringify(body),
    });

  it('encodes payloads the UI sends and decodes them back, in the protobuf JSON shape', async () => {
    const original = payloadsToJson([
      defaultPayloadConverter.toPayload({ note: 'wire confirmed' }),
      defaultPayloadConverter.toPayload('Northwind'),
    ]);
    const encodedAnswer = await post('/encode', original);
    assert.equal(encodedAnswer.status, 200);
    assert.equal(encodedAnswer.headers.get('access-control-allow-origin'), UI);
    const encoded = (await encodedAnswer.json()) as PayloadsJson;
    assert.equal(encoded.payloads.length, 2);
    for (const payload of encoded.payloads) {
      assert.equal(Buffer.from(payload.metadata?.encoding ?? '', 'base64').toString(), 'binary/encrypted');
      assert.equal(Buffer.from(payload.metadata?.['encryption-key-id'] ?? '', 'base64').toString(), 'k1');
      assert.equal(
        Buffer.from(payload.data ?? '', 'base64')
          .toString()
          .includes('wire confirmed'),
        false,
      );
    }
    const decoded = (await (await post('/decode', encoded)).json()) as PayloadsJson;
    assert.deepEqual(decoded, original);
  });

  it('answers the browser preflight with the headers the Temporal UI needs', async () => {
    const answer = await fetch(`${server.url}/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('access-control-allow-origin'), UI);
    assert.match(answer.headers.get('access-control-allow-methods') ?? '', /POST/);
    const allowed = (answer.headers.get('access-control-allow-headers') ?? '').split(',');
    for (const header of ['content-type', 'x-namespace', 'authorization']) assert.ok(allowed.includes(header), `allows ${header}`);
  });

  it('refuses a decode from an origin other than the configured UI, with no CORS grant', async () => {
    const original = payloadsToJson([defaultPayloadConverter.toPayload('approval note')]);
    const encoded = await (await post('/encode', original)).json();
    const answer = await post('/decode', encoded, 'http://evil.example');
    assert.equal(answer.status, 403);
    assert.equal(answer.headers.get('access-control-allow-origin'), null);
    const body = (await answer.json()) as { code: string; payloads?: unknown };
    assert.equal(body.code, 'ORIGIN_NOT_ALLOWED');
    assert.equal(body.payloads, undefined);
  });

  it('reports health, and refuses a body that is not a payload list with 400', async () => {
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const bad = await post('/decode', { payload: 'nope' });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /payloads/);
  });

  it('decodes an empty object as no payloads, as `temporal workflow show` sends for an update without arguments', async () => {
    const empty = await post('/decode', {});
    assert.equal(empty.status, 200);
    assert.deepEqual(await empty.json(), { payloads: [] });
  });

  it('answers 422 with the key id when a payload was encrypted under a key it does not have', async () => {
    const other = createEncryptionCodec(staticKeyProvider([{ id: 'k-retired', key: new Uint8Array(randomBytes(32)) }]));
    const foreign = payloadsToJson(await other.encode([defaultPayloadConverter.toPayload('x')]));
    const answer = await post('/decode', foreign);
    assert.equal(answer.status, 422);
    const body = (await answer.json()) as { code: string; message: string };
    assert.equal(body.code, 'PAYLOAD_KEY_UNKNOWN');
    assert.match(body.message, /k-retired/);
  });

  it('refuses a request addressed to a host name it was not given, as after DNS rebinding', async () => {
    const rebound = await postAddressedTo(server.url, 'attacker.example:80', { payloads: [] });
    assert.equal(rebound.status, 421);
    assert.match(rebound.body, /HOST_NOT_ALLOWED/);
    assert.match(rebound.body, /--allowed-host/);
    const port = new URL(server.url).port;
    const local = await postAddressedTo(server.url, `localhost:${port}`, { payloads: [] });
    assert.equal(local.status, 200);
  });

  it('logs each decode with its origin and count, never the payload', async () => {
    accessLog.length = 0;
    const secret = 'approval note: wire 4471 confirmed';
    const encoded = await post('/encode', payloadsToJson([defaultPayloadConverter.toPayload(secret)]));
    assert.equal(encoded.status, 200);
    await post('/decode', await encoded.json());
    assert.deepEqual(
      accessLog.map((entry) => [entry.path, entry.status, entry.payloads, entry.origin]),
      [
        ['/encode', 200, 1, UI],
        ['/decode', 200, 1, UI],
      ],
    );
    assert.equal(JSON.stringify(accessLog).includes('wire 4471'), false);
  });

  it("refuses to start for every origin ('*'), from code and from the CLI", async () => {
    const codec = createEncryptionCodec(staticKeyProvider([{ id: 'k1', key: new Uint8Array(randomBytes(32)) }]));
    await assert.rejects(
      startCodecServer({ codecs: [codec], authentication: { kind: 'none-on-loopback' }, port: 0, corsOrigins: ['*'] }),
      CodecConfigError,
    );
    const cli = await runCli(['codec-server', '--no-auth', '--port', '0', '--cors-origin', '*'], {
      ...process.env,
      CUTOVER_PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    });
    assert.equal(cli.code, 2, cli.stdout);
    assert.match(cli.stderr, /--cors-origin '\*' would let a page on any site decrypt payloads/);
  });

  it('runs without sign-in only on loopback, from code and from the CLI', async () => {
    const codec = createEncryptionCodec(staticKeyProvider([{ id: 'k1', key: new Uint8Array(randomBytes(32)) }]));
    await assert.rejects(
      startCodecServer({ codecs: [codec], authentication: { kind: 'none-on-loopback' }, host: '0.0.0.0', port: 0 }),
      (err: Error) => err instanceof CodecConfigError && /only on loopback/.test(err.message),
    );
    const keys = { ...process.env, CUTOVER_PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}` };
    const open = await runCli(['codec-server', '--no-auth', '--host', '0.0.0.0', '--port', '0'], keys);
    assert.equal(open.code, 2, open.stdout);
    assert.match(open.stderr, /--no-auth lets anyone who reaches the port decrypt, so it is for loopback only/);
    const unconfigured = await runCli(['codec-server', '--port', '0'], keys);
    assert.equal(unconfigured.code, 1, unconfigured.stdout);
    assert.match(unconfigured.stderr, /lets only signed-in people decode: set CUTOVER_CODEC_OIDC_ISSUER/);
  });
});
