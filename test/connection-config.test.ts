/**
 * How the worker, the CLI and the codec server find Temporal: every way of configuring it through
 * @temporalio/envconfig (variables, a TOML profile, an API key, mTLS files), what reaches the connection,
 * and why a connection fails. TLS and credentials are checked end to end against a stand-in frontend that
 * verifies them as a cluster would (node:http2, certificates made by openssl); addresses, profiles and the
 * plain-server mismatch against the real dev server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../src/dev/ports.js';
import { CutoverError, TemporalConnectError } from '../src/errors.js';
import { connectClient, connectWorker, loadConnectionSettings } from '../src/temporal/connection.js';
import { runCli } from './helpers/cli.js';
import { startFakeFrontend, type FakeFrontend } from './helpers/fake-frontend.js';
import { OpensslPki, type IssuedFiles } from './helpers/openssl-pki.js';
import { startDevServer } from './helpers/temporal.js';
import { requireTestTool } from './helpers/test-tools.js';

const home = mkdtempSync(join(tmpdir(), 'cutover-connection-home-'));

/**
 * The test process's environment without any Temporal settings of the machine running it, and with a
 * home whose temporalio/temporal.toml does not exist, so each test states all it configures.
 */
function cleanEnv(settings: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('TEMPORAL_') && !key.startsWith('CUTOVER_PAYLOAD_')) env[key] = value;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: home, CUTOVER_DEBUG: '', ...settings };
}

async function refusal(promise: Promise<unknown>): Promise<CutoverError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CutoverError) return err;
    throw err;
  }
  throw new Error('expected the connection to be refused');
}

function refusalOf(fn: () => unknown): CutoverError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CutoverError) return err;
    throw err;
  }
  throw new Error('expected the settings to be refused');
}

describe('Temporal connection config', () => {
  const pki = new OpensslPki();
  let ca: IssuedFiles;
  let otherCa: IssuedFiles;
  let server: IssuedFiles;
  let client: IssuedFiles;
  let tomlFile: string;

  before(function () {
    requireTestTool(this, 'openssl');
    ca = pki.createCa('cluster-ca');
    otherCa = pki.createCa('other-ca');
    server = pki.issue('frontend', 'cluster-ca', { server: ['temporal.test', '127.0.0.1'] });
    client = pki.issue('cutover-worker', 'cluster-ca', { client: true });
    tomlFile = join(pki.dir, 'temporal.toml');
    writeFileSync(
      tomlFile,
      `[profile.default]
address = "default.example:7233"

[profile.cloud]
address = "payments.a1b2c.tmprl.cloud:7233"
namespace = "payments.a1b2c"
api_key = "key-from-profile"

[profile.mtls]
address = "temporal.internal:7233"
namespace = "cutover"
[profile.mtls.tls]
client_cert_path = "${client.certPath}"
client_key_path = "${client.keyPath}"
server_ca_cert_path = "${ca.certPath}"
server_name = "temporal.test"
`,
    );
  });

  after(() => {
    pki.remove();
    rmSync(home, { recursive: true, force: true });
  });

  describe('what envconfig reads and the connection is given', () => {
    it('defaults to the local dev server without TLS or credentials', () => {
      const settings = loadConnectionSettings(cleanEnv());
      assert.equal(settings.address, 'localhost:7233');
      assert.equal(settings.namespace, 'default');
      assert.equal(settings.tls, false);
      assert.equal(settings.apiKey, false);
      assert.equal(settings.source, 'environment');
    });

    it('takes the address and namespace from TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
      const settings = loadConnectionSettings(cleanEnv({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'cutover' }));
      assert.equal(settings.address, 'temporal.internal:7233');
      assert.equal(settings.connectionOptions.address, 'temporal.internal:7233');
      assert.equal(settings.namespace, 'cutover');
    });

    it('sends TEMPORAL_API_KEY and turns TLS on for it, unless TEMPORAL_TLS=false', () => {
      const settings = loadConnectionSettings(cleanEnv({ TEMPORAL_API_KEY: 'secret-key' }));
      assert.equal(settings.connectionOptions.apiKey, 'secret-key');
      assert.equal(settings.connectionOptions.tls, true);
      assert.equal(settings.tls, true);
      assert.equal(settings.apiKey, true);
      const plain = loadConnectionSettings(cleanEnv({ TEMPORAL_API_KEY: 'secret-key', TEMPORAL_TLS: 'false' }));
      assert.equal(plain.connectionOptions.tls, false);
      assert.equal(plain.tls, false);
    });

    it('reads the mTLS certificate and key, the server CA and the server name from TEMPORAL_TLS_* paths', () => {
      const settings = loadConnectionSettings(
        cleanEnv({
          TEMPORAL_TLS_CLIENT_CERT_PATH: client.certPath,
          TEMPORAL_TLS_CLIENT_KEY_PATH: client.keyPath,
          TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.certPath,
          TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
        }),
      );
      const tls = settings.connectionOptions.tls;
      assert.ok(typeof tls === 'object' && tls !== null);
      assert.equal(Buffer.from(tls.clientCertPair?.crt ?? []).toString(), client.cert);
      assert.equal(Buffer.from(tls.clientCertPair?.key ?? []).toString(), client.key);
      assert.equal(Buffer.from(tls.serverRootCACertificate ?? []).toString(), ca.cert);
      assert.equal(tls.serverNameOverride, 'temporal.test');
      assert.deepEqual([settings.tls, settings.clientCertificate, settings.customCa], [true, true, true]);
    });

    it('reads a TOML profile named by TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE, with variables overriding it', () => {
      const cloud = loadConnectionSettings(cleanEnv({ TEMPORAL_CONFIG_FILE: tomlFile, TEMPORAL_PROFILE: 'cloud' }));
      assert.equal(cloud.address, 'payments.a1b2c.tmprl.cloud:7233');
      assert.equal(cloud.namespace, 'payments.a1b2c');
      assert.equal(cloud.connectionOptions.apiKey, 'key-from-profile');
      assert.equal(cloud.tls, true);
      assert.match(cloud.source, /TOML profile "cloud" in .*temporal\.toml/);

      const mtls = loadConnectionSettings(cleanEnv({ TEMPORAL_CONFIG_FILE: tomlFile, TEMPORAL_PROFILE: 'mtls' }));
      assert.deepEqual(
        [mtls.address, mtls.namespace, mtls.clientCertificate, mtls.customCa],
        ['temporal.internal:7233', 'cutover', true, true],
      );

      const overridden = loadConnectionSettings(
        cleanEnv({ TEMPORAL_CONFIG_FILE: tomlFile, TEMPORAL_PROFILE: 'cloud', TEMPORAL_NAMESPACE: 'payments-staging.a1b2c' }),
      );
      assert.equal(overridden.namespace, 'payments-staging.a1b2c');
      assert.equal(overridden.address, 'payments.a1b2c.tmprl.cloud:7233');

      const byDefault = loadConnectionSettings(cleanEnv({ TEMPORAL_CONFIG_FILE: tomlFile }));
      assert.equal(byDefault.address, 'default.example:7233');
    });

    it('refuses a TEMPORAL_CONFIG_FILE that does not exist, rather than silently using defaults', () => {
      const err = refusalOf(() => loadConnectionSettings(cleanEnv({ TEMPORAL_CONFIG_FILE: join(pki.dir, 'typo.toml') })));
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, /TEMPORAL_CONFIG_FILE names .*typo\.toml, which does not exist/);
    });

    it('refuses a TEMPORAL_PROFILE the file does not have', () => {
      const err = refusalOf(() => loadConnectionSettings(cleanEnv({ TEMPORAL_CONFIG_FILE: tomlFile, TEMPORAL_PROFILE: 'prod' })));
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, /Profile 'prod' not found/);
    });

    it('refuses a client certificate without its key, which envconfig would drop silently', () => {
      const err = refusalOf(() => loadConnectionSettings(cleanEnv({ TEMPORAL_TLS_CLIENT_CERT_PATH: client.certPath })));
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.match(err.message, /client certificate and key go together/);
    });

    it('refuses a TLS file that cannot be read, naming it', () => {
      const missing = join(pki.dir, 'missing-ca.crt');
      const err = refusalOf(() => loadConnectionSettings(cleanEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: missing })));
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.ok(err.message.includes(missing), err.message);
    });
  });

  describe('connecting to a frontend that checks TLS and credentials', () => {
    const frontends: FakeFrontend[] = [];
    let mtlsFrontend: FakeFrontend;
    let keyFrontend: FakeFrontend;

    before(async () => {
      mtlsFrontend = await startFakeFrontend({ tls: { key: server.key, cert: server.cert, ca: ca.cert, requireClientCert: true } });
      keyFrontend = await startFakeFrontend({ tls: { key: server.key, cert: server.cert }, apiKey: 'good-key' });
      frontends.push(mtlsFrontend, keyFrontend);
    });

    after(async () => {
      for (const frontend of frontends) await frontend.close();
    });

    const mtlsEnv = (extra: Record<string, string> = {}) =>
      cleanEnv({
        TEMPORAL_ADDRESS: mtlsFrontend.address,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.certPath,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
        TEMPORAL_TLS_CLIENT_CERT_PATH: client.certPath,
        TEMPORAL_TLS_CLIENT_KEY_PATH: client.keyPath,
        ...extra,
      });

    it('presents the client certificate over mTLS, from the CLI client and the worker connection alike', async () => {
      const before = mtlsFrontend.calls.length;
      const { client: temporal } = await connectClient(mtlsEnv());
      await temporal.connection.close();
      const { connection } = await connectWorker(mtlsEnv());
      await connection.close();
      const seen = mtlsFrontend.calls.slice(before);
      assert.ok(seen.length >= 2, 'both connections called the frontend');
      for (const call of seen) assert.equal(call.clientCertificateSubject, 'cutover-worker');
    });

    it('presents the client certificate from a TOML profile', async () => {
      const file = join(pki.dir, 'mtls-only.toml');
      writeFileSync(
        file,
        `[profile.mtls]\naddress = "${mtlsFrontend.address}"\n[profile.mtls.tls]\nclient_cert_path = "${client.certPath}"\nclient_key_path = "${client.keyPath}"\nserver_ca_cert_path = "${ca.certPath}"\nserver_name = "temporal.test"\n`,
      );
      const { connection } = await connectWorker(cleanEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' }));
      await connection.close();
      assert.equal(mtlsFrontend.calls.at(-1)?.clientCertificateSubject, 'cutover-worker');
    });

    it('sends the API key as a bearer token', async () => {
      const env = cleanEnv({
        TEMPORAL_ADDRESS: keyFrontend.address,
        TEMPORAL_API_KEY: 'good-key',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.certPath,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
      });
      const { client: temporal } = await connectClient(env);
      await temporal.connection.close();
      const { connection } = await connectWorker(env);
      await connection.close();
      assert.deepEqual(
        keyFrontend.calls.slice(-2).map((c) => c.authorization),
        ['Bearer good-key', 'Bearer good-key'],
      );
    });

    for (const [name, connect] of [
      ['CLI client', connectClient],
      ['worker connection', connectWorker],
    ] as const) {
      describe(`the ${name} says why it cannot connect`, () => {
        it('names the address when nothing listens there', async () => {
          const port = await freePort();
          const err = await refusal(connect(cleanEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` })));
          assert.ok(err instanceof TemporalConnectError);
          assert.equal(err.code, 'TEMPORAL_UNREACHABLE');
          assert.match(err.message, new RegExp(`cannot reach Temporal at 127.0.0.1:${port} .*Check TEMPORAL_ADDRESS`));
        });

        it('names the TLS handshake when the server certificate is not from the configured CA', async () => {
          const err = await refusal(connect(mtlsEnv({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: otherCa.certPath })));
          assert.equal(err.code, 'TEMPORAL_TLS_FAILED');
          assert.match(err.message, /TLS handshake with Temporal at .* failed: .*Check TEMPORAL_TLS_SERVER_CA_CERT_PATH/);
        });

        it('names the TLS handshake when the cluster wants a client certificate and gets none', async () => {
          const env = mtlsEnv();
          delete env.TEMPORAL_TLS_CLIENT_CERT_PATH;
          delete env.TEMPORAL_TLS_CLIENT_KEY_PATH;
          const err = await refusal(connect(env));
          assert.equal(err.code, 'TEMPORAL_TLS_FAILED');
          assert.match(err.message, /certificate/i);
          assert.match(err.message, /TEMPORAL_TLS_CLIENT_CERT_PATH/);
        });

        it('names the credentials when the API key is refused', async () => {
          const err = await refusal(
            connect(
              cleanEnv({
                TEMPORAL_ADDRESS: keyFrontend.address,
                TEMPORAL_API_KEY: 'revoked-key',
                TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.certPath,
                TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
              }),
            ),
          );
          assert.equal(err.code, 'TEMPORAL_AUTH_REFUSED');
          assert.match(err.message, /refused the credentials: .*Check TEMPORAL_API_KEY/);
          assert.ok(!err.message.includes('revoked-key'), 'the key itself is never shown');
        });
      });
    }
  });

  describe('the CLI and worker against the dev server', () => {
    let env: TestWorkflowEnvironment;

    before(async function () {
      this.timeout(120_000);
      env = await startDevServer();
    });

    after(async () => {
      await env?.teardown();
    });

    it('lists cutovers with TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', async () => {
      const result = await runCli(
        ['list', '--json'],
        cleanEnv({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' }),
      );
      assert.equal(result.code, 0, result.stderr);
      assert.ok(Array.isArray(JSON.parse(result.stdout)));
    });

    it('lists cutovers with a TOML profile and nothing else', async () => {
      const file = join(pki.dir, 'dev.toml');
      writeFileSync(
        file,
        `[profile.dev]\naddress = "${env.address}"\nnamespace = "${env.namespace ?? 'default'}"\n\n[profile.elsewhere]\naddress = "127.0.0.1:${await freePort()}"\n`,
      );
      const dev = await runCli(['list', '--json'], cleanEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'dev' }));
      assert.equal(dev.code, 0, dev.stderr);
      const elsewhere = await runCli(['list'], cleanEnv({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'elsewhere' }));
      assert.equal(elsewhere.code, 1, 'the profile, not a default, decided where to connect');
      assert.match(elsewhere.stderr, /cannot reach Temporal .*settings from TOML profile "elsewhere"/);
    });

    it('a worker with TLS on against the plaintext dev server exits 1 naming the TLS handshake', async () => {
      const result = await runCli(['worker'], cleanEnv({ TEMPORAL_ADDRESS: env.address, TEMPORAL_TLS: 'true' }));
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: TLS handshake with Temporal at .* failed: .*TEMPORAL_TLS=false/m);
    });

    it('a worker pointed at an address where nothing listens exits 1 naming the address', async () => {
      const port = await freePort();
      const result = await runCli(['worker'], cleanEnv({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` }));
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`^error: cannot reach Temporal at 127.0.0.1:${port} .*Check TEMPORAL_ADDRESS`, 'm'));
    });

    it('a worker whose API key the cluster refuses exits 1 naming the credentials', async () => {
      const frontend = await startFakeFrontend({ tls: { key: server.key, cert: server.cert }, apiKey: 'good-key' });
      try {
        const result = await runCli(
          ['worker'],
          cleanEnv({
            TEMPORAL_ADDRESS: frontend.address,
            TEMPORAL_API_KEY: 'expired-key',
            TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca.certPath,
            TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
          }),
        );
        assert.equal(result.code, 1);
        assert.match(result.stderr, /^error: Temporal at .* refused the credentials: .*TEMPORAL_API_KEY/m);
      } finally {
        await frontend.close();
      }
    });

    it('a worker with a server CA that did not sign the server certificate exits 1 naming the TLS handshake', async () => {
      const frontend = await startFakeFrontend({ tls: { key: server.key, cert: server.cert } });
      try {
        const result = await runCli(
          ['worker'],
          cleanEnv({
            TEMPORAL_ADDRESS: frontend.address,
            TEMPORAL_TLS_SERVER_CA_CERT_PATH: otherCa.certPath,
            TEMPORAL_TLS_SERVER_NAME: 'temporal.test',
          }),
        );
        assert.equal(result.code, 1);
        assert.match(result.stderr, /^error: TLS handshake with Temporal at .* failed: .*UnknownIssuer/m);
      } finally {
        await frontend.close();
      }
    });

    it('a worker with TLS off against a TLS-only cluster exits 1 saying the cluster expects TLS', async () => {
      const frontend = await startFakeFrontend({ tls: { key: server.key, cert: server.cert } });
      try {
        const result = await runCli(['worker'], cleanEnv({ TEMPORAL_ADDRESS: frontend.address }));
        assert.equal(result.code, 1);
        assert.match(result.stderr, /^error: Temporal at .* seems to expect TLS, and TLS is off here: .*Set TEMPORAL_TLS=true/m);
      } finally {
        await frontend.close();
      }
    });

    it('a worker and the CLI on a namespace the server does not have exit 1 naming it', async () => {
      const settings = cleanEnv({ TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: 'payments-typo' });
      for (const args of [['worker'], ['list']]) {
        const result = await runCli(args, settings);
        assert.equal(result.code, 1, `cutover ${args.join(' ')}`);
        assert.match(result.stderr, /^error: Temporal at .* has no namespace payments-typo: .*Check TEMPORAL_NAMESPACE/m);
      }
    });

    it('a worker with a client certificate but no key exits 1 before connecting', async () => {
      const result = await runCli(['worker'], cleanEnv({ TEMPORAL_ADDRESS: env.address, TEMPORAL_TLS_CLIENT_CERT_PATH: client.certPath }));
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: the Temporal connection settings .* are invalid: a TLS client certificate and key go together/m);
    });
  });
});
