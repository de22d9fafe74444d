import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { defaultPayloadConverter } from '@temporalio/common';
import { startCodecServer, type CodecAccess, type RunningCodecServer } from '../src/codec/codec-server.js';
import { createEncryptionCodec } from '../src/codec/encryption-codec.js';
import { staticKeyProvider } from '../src/codec/key-provider.js';
import { payloadsFromJson, payloadsToJson, type PayloadsJson } from '../src/codec/payloads-json.js';
import { freePort } from '../src/dev/ports.js';
import { startDevelopmentProvider, type RunningDevelopmentProvider } from '../src/identity/development-provider.js';
import { listen, type Listening } from '../src/net/listen.js';
import { launchBrowser, type HeadlessBrowser } from './helpers/browser.js';
import { startCliService } from './helpers/cli.js';
import { tokensFor, type CodeFlowClient } from './helpers/oidc-code-flow.js';
import { requireTestTool } from './helpers/test-tools.js';
import { note } from './helpers/suite-logs.js';

const AUDIENCE = 'urn:cutover:codec-server';
const ACCOUNTS = [
  { id: 'lara', email: 'lara@northwind.example', name: 'Lara Programme Lead' },
  { id: 'erin', email: 'erin@northwind.example', name: 'Erin Engineering' },
];
const NOTE = 'approval note: wire 4471 confirmed';

/** A page at an origin, as the Temporal UI's or an attacker's would be: an empty document to run fetch from. */
async function servePage(port: number, title: string): Promise<Listening> {
  const server: Server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>${title}</title><p>${title}</p>`),
  );
  return listen(server, port, '127.0.0.1');
}

describe('codec server with sign-in through an OpenID provider', function () {
  this.timeout(60_000);
  let provider: RunningDevelopmentProvider;
  let otherProvider: RunningDevelopmentProvider;
  let server: RunningCodecServer;
  let uiPage: Listening;
  let strangerPage: Listening;
  let codecUrl: string;
  let uiOrigin: string;
  let strangerOrigin: string;
  let ui: CodeFlowClient;
  let shortLived: CodeFlowClient;
  let encrypted: PayloadsJson;
  let codecClient: { clientId: string; clientSecret: string; redirectUris: string[] };
  const accessLog: CodecAccess[] = [];
  const providerLog: string[] = [];

  before(async () => {
    const [codecPort, uiPort, strangerPort] = [await freePort('127.0.0.1'), await freePort('127.0.0.1'), await freePort('127.0.0.1')];
    // The UI, the codec server and the stranger share the host name, so a cookie would reach all three:
    // only the codec server's origin rules keep the stranger out.
    codecUrl = `http://localhost:${codecPort}`;
    uiOrigin = `http://localhost:${uiPort}`;
    strangerOrigin = `http://localhost:${strangerPort}`;
    ui = { clientId: 'temporal-ui', clientSecret: randomBytes(16).toString('hex'), redirectUri: `${uiOrigin}/auth/sso/callback` };
    shortLived = { clientId: 'short-lived', clientSecret: randomBytes(16).toString('hex'), redirectUri: `${uiOrigin}/short/callback` };
    codecClient = { clientId: 'codec-server', clientSecret: randomBytes(16).toString('hex'), redirectUris: [`${codecUrl}/callback`] };
    provider = await startDevelopmentProvider({
      accounts: ACCOUNTS,
      clients: [
        codecClient,
        { ...ui, redirectUris: [ui.redirectUri] },
        { ...shortLived, redirectUris: [shortLived.redirectUri], accessTokenTtlSeconds: 1 },
      ],
      resources: [{ indicator: AUDIENCE, scope: 'codec' }],
      log: (line) => providerLog.push(line),
    });
    otherProvider = await startDevelopmentProvider({
      accounts: ACCOUNTS,
      clients: [{ ...ui, redirectUris: [ui.redirectUri] }],
      resources: [{ indicator: AUDIENCE, scope: 'codec' }],
    });
    const codec = createEncryptionCodec(staticKeyProvider([{ id: 'k1', key: new Uint8Array(randomBytes(32)) }]));
    encrypted = payloadsToJson(await codec.encode([defaultPayloadConverter.toPayload(NOTE)]));
    server = await startCodecServer({
      codecs: [codec],
      authentication: {
        kind: 'sign-in',
        settings: {
          issuer: provider.issuer,
          clientId: codecClient.clientId,
          clientSecret: codecClient.clientSecret,
          audience: AUDIENCE,
          sessionKey: randomBytes(32),
        },
      },
      host: '127.0.0.1',
      port: codecPort,
      publicUrl: codecUrl,
      corsOrigins: [uiOrigin],
      accessLog: (entry) => accessLog.push(entry),
    });
    uiPage = await servePage(uiPort, 'Temporal UI');
    strangerPage = await servePage(strangerPort, 'another site');
  });

  after(async () => {
    await server?.close();
    await provider?.close();
    await otherProvider?.close();
    await uiPage?.close();
    await strangerPage?.close();
  });

  const decode = (headers: Record<string, string> = {}) =>
    fetch(`${server.url}/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: uiOrigin, ...headers },
      body: JSON.stringify(encrypted),
    });

  async function refusal(answer: Response): Promise<string> {
    assert.equal(answer.status, 401);
    const body = (await answer.json()) as { code: string; message: string; payloads?: unknown };
    assert.equal(body.code, 'UNAUTHENTICATED');
    assert.equal(body.payloads, undefined);
    assert.equal(JSON.stringify(body).includes('wire 4471'), false);
    return body.message;
  }

  it('refuses an unauthenticated decode with 401 and says where to sign in', async () => {
    const answer = await decode();
    assert.match(answer.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.match(await refusal(answer), new RegExp(`sign in first: open ${codecUrl}/login`));
    const encode = await fetch(`${server.url}/encode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payloadsToJson([defaultPayloadConverter.toPayload('x')])),
    });
    assert.equal(encode.status, 401, 'nobody mints ciphertext without signing in either');
  });

  it('decodes for a valid access token from the issuer, and the log names who', async () => {
    const { accessToken } = await tokensFor(provider.issuer, ui, 'lara');
    accessLog.length = 0;
    const answer = await decode({ authorization: `Bearer ${accessToken}` });
    assert.equal(answer.status, 200);
    const decoded = (await answer.json()) as PayloadsJson;
    assert.equal(clearText(decoded), NOTE);
    assert.deepEqual(
      accessLog.map((e) => [e.path, e.status, e.payloads, e.who?.subject, e.who?.email, e.who?.via]),
      [['/decode', 200, 1, 'lara', 'lara@northwind.example', 'bearer']],
    );
    assert.equal(JSON.stringify(accessLog).includes('wire 4471'), false, 'the log never holds the payload');
  });

  it('refuses a forged token, an expired one and one from another issuer', async () => {
    const { SignJWT, generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ email: 'mallory@evil.example' })
      .setProtectedHeader({ alg: 'RS256', kid: 'forged' })
      .setIssuer(provider.issuer)
      .setAudience(AUDIENCE)
      .setSubject('lara')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    assert.match(await refusal(await decode({ authorization: `Bearer ${forged}` })), /not signed by/);

    const { accessToken: elsewhere } = await tokensFor(otherProvider.issuer, ui, 'lara');
    assert.match(await refusal(await decode({ authorization: `Bearer ${elsewhere}` })), /not signed by|iss/);

    const { accessToken: shortToken } = await tokensFor(provider.issuer, shortLived, 'erin');
    // One second of life and the server's five seconds of clock tolerance.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    assert.match(await refusal(await decode({ authorization: `Bearer ${shortToken}` })), /expired/);

    assert.match(await refusal(await decode({ authorization: 'Basic bGFyYTpsYXJh' })), /not a bearer token/);
    assert.ok(accessLog.filter((e) => e.status === 401).every((e) => e.who === undefined && e.refused));
  });

  it('runs from the CLI with sign-in from the environment, naming who decoded and none of its secrets', async () => {
    const keys = `k1:${randomBytes(32).toString('base64')}`;
    const sessionKey = randomBytes(32).toString('base64');
    const env = {
      ...process.env,
      CUTOVER_PAYLOAD_KEYS: keys,
      CUTOVER_CODEC_OIDC_ISSUER: provider.issuer,
      CUTOVER_CODEC_OIDC_CLIENT_ID: codecClient.clientId,
      CUTOVER_CODEC_OIDC_CLIENT_SECRET: codecClient.clientSecret,
      CUTOVER_CODEC_OIDC_AUDIENCE: AUDIENCE,
      CUTOVER_CODEC_SESSION_KEY: sessionKey,
    };
    const codec = await startCliService(
      ['codec-server', '--port', '0', '--cors-origin', uiOrigin],
      env,
      /codec server on (\S+)/,
      'the codec server',
    );
    try {
      const url = /codec server on (\S+)/.exec(codec.output())?.[1] ?? '';
      assert.match(
        codec.output(),
        new RegExp(`sign-in with ${provider.issuer}: people sign in at ${url}/login, or bearer tokens for ${AUDIENCE}`),
      );
      const { createEncryptionCodec: codecFor } = await import('../src/codec/encryption-codec.js');
      const { payloadKeysFromEnv } = await import('../src/codec/env-keys.js');
      const keyProvider = payloadKeysFromEnv({ CUTOVER_PAYLOAD_KEYS: keys });
      assert.ok(keyProvider);
      const body = JSON.stringify(payloadsToJson(await codecFor(keyProvider).encode([defaultPayloadConverter.toPayload(NOTE)])));
      const refused = await fetch(`${url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(refused.status, 401);
      const { accessToken } = await tokensFor(provider.issuer, ui, 'erin');
      const answer = await fetch(`${url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body,
      });
      assert.equal(answer.status, 200);
      assert.equal(clearText((await answer.json()) as PayloadsJson), NOTE);
    } finally {
      await codec.stop();
    }
    const output = codec.output();
    assert.match(output, /\/decode 401 0 payload\(s\) by refused .*: sign in first/);
    assert.match(output, /\/decode 200 1 payload\(s\) by erin@northwind\.example \(subject erin, bearer\)/);
    for (const secret of [codecClient.clientSecret, sessionKey, keys.slice(3), 'wire 4471']) {
      assert.equal(output.includes(secret), false, 'the output holds no secret and no payload');
    }
  });

  describe('in a browser (headless Chromium)', () => {
    let browser: HeadlessBrowser;
    before(async function () {
      requireTestTool(this, 'chromium');
      browser = await launchBrowser();
    });
    after(() => browser?.close());

    /** Runs the fetch in the page, so the browser's own CORS and cookie rules apply. */
    const fetchFromPage = (mode: 'cors' | 'no-cors') =>
      browser.page.evaluate(
        async ({ url, body, mode }) => {
          try {
            const answer = await fetch(`${url}/decode`, {
              method: 'POST',
              mode,
              credentials: 'include',
              headers: { 'content-type': mode === 'cors' ? 'application/json' : 'text/plain' },
              body,
            });
            return { status: answer.status, text: await answer.text() };
          } catch (err) {
            return { error: String(err) };
          }
        },
        { url: codecUrl, body: JSON.stringify(encrypted), mode },
      );

    it('signs in at the codec server through the provider, then the UI origin decodes with its cookie', async () => {
      const page = browser.page;
      await page.goto(uiOrigin);
      const before = await fetchFromPage('cors');
      assert.equal('status' in before ? before.status : before.error, 401, 'no cookie yet');

      await page.goto(`${codecUrl}/login?return=${encodeURIComponent(`${uiOrigin}/namespaces/default`)}`);
      await page.getByText('Development identity provider: for the local stack and tests only').waitFor();
      note(`      screenshot: ${await browser.screenshot('development-provider-sign-in')}`);
      await page.getByRole('button', { name: /Sign in as Lara Programme Lead/ }).click();
      await page.waitForURL(`${uiOrigin}/namespaces/default`);
      const cookies = await page.context().cookies(codecUrl);
      const session = cookies.find((c) => c.name === 'cutover_codec_session');
      assert.ok(session, 'the codec server set its session cookie');
      assert.equal(session.httpOnly, true);
      assert.equal(session.sameSite, 'Lax');

      accessLog.length = 0;
      const answer = await fetchFromPage('cors');
      assert.ok('status' in answer, JSON.stringify(answer));
      assert.equal(answer.status, 200, answer.text);
      assert.equal(clearText(JSON.parse(answer.text) as PayloadsJson), NOTE);
      assert.deepEqual(
        accessLog.map((e) => [e.status, e.who?.subject, e.who?.email, e.who?.via, e.origin]),
        [[200, 'lara', 'lara@northwind.example', 'session', uiOrigin]],
      );
      assert.ok(
        providerLog.some((line) => /^Development identity provider/.test(line)),
        'the provider says it is for development in its log',
      );
    });

    it('lets a page from another origin neither read a decode nor get one made, though the browser holds the cookie', async () => {
      await browser.page.goto(strangerOrigin);
      accessLog.length = 0;
      const read = await fetchFromPage('cors');
      assert.ok('error' in read, `the stranger read an answer: ${JSON.stringify(read)}`);
      const blind = await fetchFromPage('no-cors');
      assert.ok('status' in blind && blind.status === 0 && blind.text === '', 'an opaque answer, nothing to read');
      // The blind POST reached the server with the cookie and was refused for its origin before any decode.
      assert.deepEqual(
        accessLog.map((e) => [e.status, e.payloads, e.origin]),
        [[403, 0, strangerOrigin]],
      );
    });

    it('signs out from the UI origin, after which the cookie decodes nothing', async () => {
      await browser.page.goto(uiOrigin);
      const out = await browser.page.evaluate(
        (url) => fetch(`${url}/logout`, { method: 'POST', credentials: 'include' }).then((r) => r.status),
        codecUrl,
      );
      assert.equal(out, 204);
      const after = await fetchFromPage('cors');
      assert.ok('status' in after, JSON.stringify(after));
      assert.equal(after.status, 401);
    });
  });
});

function clearText(decoded: PayloadsJson): unknown {
  const [first] = payloadsFromJson(decoded);
  assert.ok(first, 'one payload back');
  return defaultPayloadConverter.fromPayload(first);
}
