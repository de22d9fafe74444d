import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdentityConfigError } from '../src/errors.js';
import { signInSettingsFromEnv } from '../src/identity/sign-in-settings.js';

describe('sign-in settings from the environment', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'sign-in-settings-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  const sessionKey = randomBytes(32).toString('base64');
  const complete = {
    CUTOVER_CODEC_OIDC_ISSUER: 'https://login.northwind.example/realms/ops',
    CUTOVER_CODEC_OIDC_CLIENT_ID: 'codec-server',
    CUTOVER_CODEC_OIDC_CLIENT_SECRET: 's3cr3t-value',
    CUTOVER_CODEC_SESSION_KEY: sessionKey,
  };
  const refusal = (env: NodeJS.ProcessEnv, says: RegExp) =>
    assert.throws(
      () => signInSettingsFromEnv('CUTOVER_CODEC', env),
      (err: Error) =>
        err instanceof IdentityConfigError &&
        says.test(err.message) &&
        !err.message.includes('s3cr3t-value') &&
        !err.message.includes(sessionKey),
    );

  it('is off without an issuer, and complete with issuer, client, secret and session key', () => {
    assert.equal(signInSettingsFromEnv('CUTOVER_CODEC', {}), undefined);
    const settings = signInSettingsFromEnv('CUTOVER_CODEC', { ...complete, CUTOVER_CODEC_OIDC_AUDIENCE: 'urn:codec' });
    assert.equal(settings?.clientSecret, 's3cr3t-value');
    assert.equal(settings?.audience, 'urn:codec');
    assert.equal(settings?.sessionKey.length, 32);
  });

  it('reads the secret and the session key from files', async () => {
    await writeFile(join(dir, 'secret'), 's3cr3t-value\n');
    await writeFile(join(dir, 'session-key'), `${sessionKey}\n`);
    const { CUTOVER_CODEC_OIDC_CLIENT_SECRET: _secret, CUTOVER_CODEC_SESSION_KEY: _key, ...rest } = complete;
    const settings = signInSettingsFromEnv('CUTOVER_CODEC', {
      ...rest,
      CUTOVER_CODEC_OIDC_CLIENT_SECRET_FILE: join(dir, 'secret'),
      CUTOVER_CODEC_SESSION_KEY_FILE: join(dir, 'session-key'),
    });
    assert.equal(settings?.clientSecret, 's3cr3t-value');
    assert.deepEqual(settings?.sessionKey, Buffer.from(sessionKey, 'base64'));
  });

  it('refuses what is missing, short or sent in clear, naming the variable and never the value', () => {
    refusal({ ...complete, CUTOVER_CODEC_OIDC_CLIENT_SECRET: '' }, /also needs CUTOVER_CODEC_OIDC_CLIENT_SECRET \(or _FILE\)/);
    refusal(
      { ...complete, CUTOVER_CODEC_SESSION_KEY: randomBytes(16).toString('base64') },
      /CUTOVER_CODEC_SESSION_KEY must be 32 random bytes/,
    );
    refusal({ ...complete, CUTOVER_CODEC_OIDC_ISSUER: 'http://login.northwind.example' }, /must be https \(plain http only on loopback\)/);
    refusal(
      { ...complete, CUTOVER_CODEC_OIDC_AUDIENCE: 'codec-server' },
      /must name the API bearer tokens are issued for, not this service's own client id/,
    );
    refusal(
      { ...complete, CUTOVER_CODEC_OIDC_CLIENT_SECRET_FILE: join(dir, 'secret') },
      /set CUTOVER_CODEC_OIDC_CLIENT_SECRET or CUTOVER_CODEC_OIDC_CLIENT_SECRET_FILE, not both/,
    );
    assert.equal(
      signInSettingsFromEnv('CUTOVER_CODEC', { ...complete, CUTOVER_CODEC_OIDC_ISSUER: 'http://127.0.0.1:9000' })?.issuer,
      'http://127.0.0.1:9000',
    );
  });
});
