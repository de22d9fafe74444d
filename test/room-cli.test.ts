import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../src/dev/ports.js';
import { startDevelopmentProvider, type RunningDevelopmentProvider } from '../src/identity/development-provider.js';
import { runCli, startCliService } from './helpers/cli.js';
import { startDevServer } from './helpers/temporal.js';

describe('`cutover room` as a process', function () {
  this.timeout(90_000);
  let env: TestWorkflowEnvironment;
  let provider: RunningDevelopmentProvider;

  before(async () => {
    env = await startDevServer();
  });
  after(async () => {
    await provider?.close();
    await env?.teardown();
  });

  it('refuses to start without sign-in, naming the settings it needs', async () => {
    const result = await runCli(['room', '--port', '0'], { ...process.env, CUTOVER_DEBUG: '', TEMPORAL_ADDRESS: env.address });
    assert.notEqual(result.code, 0);
    assert.match(
      result.stderr,
      /CUTOVER_ROOM_OIDC_ISSUER, CUTOVER_ROOM_OIDC_CLIENT_ID, CUTOVER_ROOM_OIDC_CLIENT_SECRET \(or _FILE\) and CUTOVER_ROOM_SESSION_KEY/,
    );
  });

  it('connects to Temporal like every command and serves the room, printing none of its secrets', async () => {
    const port = await freePort('127.0.0.1');
    const publicUrl = `http://localhost:${port}`;
    const client = { clientId: 'cutover-room', clientSecret: randomBytes(16).toString('hex'), redirectUris: [`${publicUrl}/callback`] };
    provider = await startDevelopmentProvider({ accounts: [{ id: 'lara', email: 'lara@acme.example', name: 'Lara' }], clients: [client] });
    const sessionKey = randomBytes(32).toString('base64');
    const serviceEnv = {
      ...process.env,
      CUTOVER_DEBUG: '',
      TEMPORAL_ADDRESS: env.address,
      CUTOVER_ROOM_OIDC_ISSUER: provider.issuer,
      CUTOVER_ROOM_OIDC_CLIENT_ID: client.clientId,
      CUTOVER_ROOM_OIDC_CLIENT_SECRET: client.clientSecret,
      CUTOVER_ROOM_SESSION_KEY: sessionKey,
      CUTOVER_ROOM_PUBLIC_URL: publicUrl,
    };
    const room = await startCliService(['room', '--port', String(port)], serviceEnv, /cutover room on /, 'the room');
    try {
      assert.match(
        room.output(),
        new RegExp(`cutover room on ${publicUrl} for default at ${env.address.replace(/\./g, '\\.')}; sign-in with ${provider.issuer}`),
      );
      const page = await fetch(publicUrl);
      assert.equal(page.status, 200);
      const login = await fetch(`${publicUrl}/login`, { redirect: 'manual' });
      assert.equal(login.status, 303);
      assert.ok((login.headers.get('location') ?? '').startsWith(provider.issuer), 'sign-in goes to the configured provider');
      // fetch keeps the Host it derives from the URL; node:http sends what a rebound name would.
      const stranger = await new Promise<number | undefined>((done, fail) =>
        get({ host: '127.0.0.1', port, path: '/', headers: { host: 'evil.example' } }, (res) => {
          res.resume();
          done(res.statusCode);
        }).on('error', fail),
      );
      assert.equal(stranger, 421, 'a name the room was not given is refused');
    } finally {
      await room.stop();
    }
    const output = room.output();
    assert.match(output, /cutover room stopped/);
    for (const secret of [client.clientSecret, sessionKey]) assert.equal(output.includes(secret), false, 'no secret in the output');
  });
});
