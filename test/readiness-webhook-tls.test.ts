/**
 * The webhook endpoint TLS readiness check against real TLS servers on loopback. The suite makes its own
 * CAs and certificates with the openssl CLI (from PATH) in a temporary directory, so nothing is committed
 * or downloaded.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsOptions } from 'node:tls';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { checkWebhookTls, createWebhookTlsActivities, type WebhookTlsInput } from '../src/activities/readiness/webhook-tls.js';
import { requireTestTool, testToolPath } from './helpers/test-tools.js';

const DAY_MS = 86_400_000;

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
x509_extensions = v3_ca
[dn]
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
serial = serial
new_certs_dir = .
default_md = sha256
policy = any_name
copy_extensions = copy
unique_subject = no
[any_name]
commonName = supplied
`;

interface KeyPair {
  key: string;
  cert: string;
}

/** CAs and leaf certificates made by the openssl CLI; `openssl ca` because it can back-date certificates. */
class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'webhook-tls-test-'));

  constructor() {
    writeFileSync(join(this.dir, 'openssl.cnf'), OPENSSL_CONFIG);
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(join(this.dir, 'serial'), '1000\n');
  }

  createCa(name: string, commonName: string): KeyPair {
    this.openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '30',
      '-subj',
      `/CN=${commonName}`,
    ]);
    return this.read(name);
  }

  issue(name: string, ca: string, options: { names: string[]; notBefore: Date; notAfter: Date }): KeyPair {
    const [first] = options.names;
    const san = options.names.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    this.openssl([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${first}`,
      '-addext',
      `subjectAltName=${san}`,
    ]);
    this.openssl([
      'ca',
      '-batch',
      '-notext',
      '-cert',
      `${ca}.crt`,
      '-keyfile',
      `${ca}.key`,
      '-in',
      `${name}.csr`,
      '-out',
      `${name}.crt`,
      '-startdate',
      opensslDate(options.notBefore),
      '-enddate',
      opensslDate(options.notAfter),
    ]);
    return this.read(name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private openssl(args: string[]): void {
    try {
      execFileSync(testToolPath('openssl'), [...args, '-config', 'openssl.cnf'], { cwd: this.dir, stdio: 'pipe' });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`openssl ${args[0]} failed : ${stderr || String(err)}`);
    }
  }

  private read(name: string): KeyPair {
    return {
      key: readFileSync(join(this.dir, `${name}.key`), 'utf8'),
      cert: readFileSync(join(this.dir, `${name}.crt`), 'utf8'),
    };
  }
}

/** GeneralizedTime as `openssl ca -startdate/-enddate` takes it. */
function opensslDate(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('readiness: webhook endpoint TLS', function () {
  this.timeout(15_000);

  let pki: TestPki;
  let testCa: KeyPair;
  let rogueCa: KeyPair;
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  const silentSockets = new Set<Socket>();
  let closedPort: number;

  /** A TLS server that answers any request with 200, so a connection that gets through is visible. */
  async function serve(name: string, options: TlsOptions): Promise<void> {
    const server = createHttpsServer(options, (_req, res) => res.end('ok'));
    // Refused handshakes are what several tests provoke; they are not the server's failures.
    server.on('tlsClientError', () => undefined);
    servers.push(server);
    ports[name] = await listen(server);
  }

  const urlOf = (name: string, host = '127.0.0.1') => `https://${host}:${ports[name]}/payca/webhooks`;
  const check = (name: string, overrides: Partial<WebhookTlsInput> = {}) =>
    checkWebhookTls(
      { url: urlOf(name), minDaysValid: 30, mutualTlsRequired: false, timeoutMs: 3_000, ...overrides },
      { caCertificates: [testCa.cert] },
    );

  before(async function () {
    requireTestTool(this, 'openssl');
    pki = new TestPki();
    testCa = pki.createCa('test-ca', 'PayCA cutover test CA');
    rogueCa = pki.createCa('rogue-ca', 'Untrusted test CA');
    const now = Date.now();
    const validYear = { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + 365 * DAY_MS) };
    const good = pki.issue('good', 'test-ca', { names: ['localhost', '127.0.0.1'], ...validYear });
    const expired = pki.issue('expired', 'test-ca', {
      names: ['localhost', '127.0.0.1'],
      notBefore: new Date(now - 400 * DAY_MS),
      notAfter: new Date(now - 35 * DAY_MS),
    });
    const otherHost = pki.issue('other-host', 'test-ca', { names: ['payca-hooks.example'], ...validYear });
    const expiringSoon = pki.issue('expiring-soon', 'test-ca', {
      names: ['localhost', '127.0.0.1'],
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 5 * DAY_MS),
    });
    const untrusted = pki.issue('untrusted', 'rogue-ca', { names: ['localhost', '127.0.0.1'], ...validYear });

    const modern = { minVersion: 'TLSv1.2', ...good } as const;
    // OpenSSL 3 serves TLS 1.0/1.1 only at security level 0.
    const legacy = { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0', ...good } as const;
    const mutual = { requestCert: true, rejectUnauthorized: true, ca: [testCa.cert] };
    await serve('good', modern);
    await serve('legacy', legacy);
    await serve('expired', { minVersion: 'TLSv1.2', ...expired });
    await serve('other-host', { minVersion: 'TLSv1.2', ...otherHost });
    await serve('expiring-soon', { minVersion: 'TLSv1.2', ...expiringSoon });
    await serve('untrusted', { minVersion: 'TLSv1.2', ...untrusted });
    await serve('mtls', { ...modern, ...mutual });
    await serve('mtls-tls12', { ...modern, maxVersion: 'TLSv1.2', ...mutual });
    await serve('mtls-legacy', { ...legacy, ...mutual });

    // Accepts TCP and never answers, like an endpoint behind a black-holing load balancer.
    const silent = createNetServer((socket) => {
      silentSockets.add(socket);
      socket.on('close', () => silentSockets.delete(socket));
    });
    servers.push(silent);
    ports.silent = await listen(silent);

    const gone = createNetServer();
    closedPort = await listen(gone);
    await new Promise((resolve) => gone.close(resolve));
  });

  after(async () => {
    silentSockets.forEach((socket) => socket.destroy());
    await Promise.all(
      servers.map((server) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        return new Promise((resolve) => server.close(resolve));
      }),
    );
    pki?.remove();
  });

  it('passes an endpoint that speaks only TLS 1.2+ with a trusted, current certificate for its host', async () => {
    const result = await check('good');
    assert.deepEqual(result.problems, []);
    assert.equal(result.passed, true);
    assert.equal(result.host, '127.0.0.1');
    assert.equal(result.port, ports.good);
    assert.equal(result.evidence.negotiatedProtocol, 'TLSv1.3');
    assert.match(result.evidence.cipher ?? '', /^TLS_/);
    assert.equal(result.evidence.tls10Refused, true);
    assert.equal(result.evidence.tls11Refused, true);
    assert.equal(result.evidence.mutualTls, 'not-required');
    const cert = result.evidence.certificate;
    assert.ok(cert);
    assert.equal(cert.subject, 'CN=localhost');
    assert.equal(cert.issuer, 'CN=PayCA cutover test CA');
    assert.deepEqual(cert.altNames, ['DNS:localhost', 'IP Address:127.0.0.1']);
    assert.ok(cert.daysLeft >= 363 && cert.daysLeft <= 365, `daysLeft ${cert.daysLeft}`);
    assert.match(cert.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(Date.parse(cert.validFrom) < Date.now());
  });

  it('checks the host name through the activity factory, outside an activity too', async () => {
    const activities = createWebhookTlsActivities({ caCertificates: [testCa.cert] });
    const result = await activities.checkWebhookTls({
      url: urlOf('good', 'localhost'),
      minDaysValid: 30,
      mutualTlsRequired: false,
      timeoutMs: 3_000,
    });
    assert.deepEqual(result.problems, []);
    assert.equal(result.host, 'localhost');
  });

  it('fails an endpoint that still accepts TLS 1.0 and 1.1, naming both', async () => {
    const result = await check('legacy');
    // The server really completes old handshakes, so the check fails for the right reason.
    assert.equal(result.evidence.tls10Refused, false);
    assert.equal(result.evidence.tls11Refused, false);
    assert.equal(result.evidence.negotiatedProtocol, 'TLSv1.3');
    assert.equal(result.passed, false);
    assert.deepEqual(result.problems, [
      'the endpoint still accepts TLS 1.0; disable TLS versions below 1.2',
      'the endpoint still accepts TLS 1.1; disable TLS versions below 1.2',
    ]);
  });

  it('fails an expired certificate, naming the expiry', async () => {
    const result = await check('expired');
    assert.equal(result.passed, false);
    assert.ok(result.evidence.certificate && result.evidence.certificate.daysLeft < 0);
    assert.equal(result.problems.length, 1, result.problems.join('\n'));
    assert.match(result.problems[0] ?? '', /^the certificate expired on \d{4}-\d\d-\d\dT.*; renew it/);
  });

  it('fails a certificate issued for another host, naming the host', async () => {
    const result = await check('other-host');
    assert.equal(result.passed, false);
    assert.deepEqual(result.evidence.certificate?.altNames, ['DNS:payca-hooks.example']);
    assert.equal(result.problems.length, 1, result.problems.join('\n'));
    assert.match(result.problems[0] ?? '', /not valid for 127\.0\.0\.1 \(it names DNS:payca-hooks\.example\)/);
  });

  it('fails a certificate that expires within the plan margin, naming the days left', async () => {
    const result = await check('expiring-soon', { minDaysValid: 30 });
    assert.equal(result.passed, false);
    const daysLeft = result.evidence.certificate?.daysLeft;
    assert.ok(daysLeft === 4 || daysLeft === 5, `daysLeft ${daysLeft}`);
    assert.equal(result.problems.length, 1, result.problems.join('\n'));
    assert.match(result.problems[0] ?? '', new RegExp(`${daysLeft} days left, within the required 30 days; renew it before go-live`));

    const lenient = await check('expiring-soon', { minDaysValid: 3 });
    assert.deepEqual(lenient.problems, []);
  });

  it('fails a certificate that does not chain to a trusted CA', async () => {
    const result = await check('untrusted');
    assert.equal(result.passed, false);
    assert.equal(result.problems.length, 1, result.problems.join('\n'));
    assert.match(result.problems[0] ?? '', /chain does not verify against the public CAs Node trusts or the configured extra CAs \(\w+\)/);
  });

  it('passes with mutual TLS enforced when the server refuses a client without a certificate', async () => {
    const result = await check('mtls', { mutualTlsRequired: true });
    assert.deepEqual(result.problems, []);
    assert.equal(result.evidence.mutualTls, 'enforced');
    assert.equal(result.evidence.negotiatedProtocol, 'TLSv1.3');
  });

  it('passes with mutual TLS enforced inside a TLS 1.2 handshake, still checking the certificate', async () => {
    const result = await check('mtls-tls12', { mutualTlsRequired: true });
    assert.deepEqual(result.problems, []);
    assert.equal(result.evidence.mutualTls, 'enforced');
    assert.equal(result.evidence.negotiatedProtocol, 'TLSv1.2');
    assert.equal(result.evidence.certificate?.subject, 'CN=localhost');

    // The handshake never finishes here, so the chain is verified from the certificates the server sent.
    const distrusting = await checkWebhookTls(
      { url: urlOf('mtls-tls12'), minDaysValid: 30, mutualTlsRequired: true, timeoutMs: 3_000 },
      { caCertificates: [rogueCa.cert] },
    );
    assert.equal(distrusting.evidence.mutualTls, 'enforced');
    assert.equal(distrusting.problems.length, 1, distrusting.problems.join('\n'));
    assert.match(distrusting.problems[0] ?? '', /chain does not verify against the public CAs Node trusts or the configured extra CAs/);
  });

  it('counts an old version as accepted even when the server then demands a client certificate', async () => {
    const result = await check('mtls-legacy', { mutualTlsRequired: true });
    assert.equal(result.evidence.mutualTls, 'enforced');
    assert.equal(result.evidence.tls10Refused, false);
    assert.equal(result.evidence.tls11Refused, false);
    assert.equal(result.passed, false);
  });

  it('fails with mutual TLS not enforced when the server answers a client without a certificate', async () => {
    const result = await check('good', { mutualTlsRequired: true });
    assert.equal(result.passed, false);
    assert.equal(result.evidence.mutualTls, 'not-enforced');
    assert.deepEqual(result.problems, [
      'the endpoint answered HTTP 200 without a client certificate; require and verify client certificates (mutual TLS) at the endpoint',
    ]);
  });

  it('reports a plain http URL as a problem without connecting', async () => {
    const result = await checkWebhookTls({ url: 'http://127.0.0.1:1/hooks', minDaysValid: 30, mutualTlsRequired: false });
    assert.equal(result.passed, false);
    assert.match(result.problems[0] ?? '', /is not https/);
    assert.equal(result.evidence.tls10Refused, null);
  });

  it('throws a retryable WebhookEndpointUnreachable when nothing listens on the port', async () => {
    await assert.rejects(
      checkWebhookTls({ url: `https://127.0.0.1:${closedPort}/hooks`, minDaysValid: 30, mutualTlsRequired: false }),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'WebhookEndpointUnreachable');
        assert.equal(err.nonRetryable, false);
        assert.match(err.message, /ECONNREFUSED/);
        return true;
      },
    );
  });

  it('throws WebhookEndpointUnreachable when the endpoint never answers the handshake', async () => {
    const started = Date.now();
    await assert.rejects(check('silent', { timeoutMs: 300 }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'WebhookEndpointUnreachable');
      assert.match(err.message, /no TLS answer within 300 ms/);
      return true;
    });
    assert.ok(Date.now() - started < 2_000);
  });

  it('stops at once when its activity is cancelled', async () => {
    const env = new MockActivityEnvironment();
    const activities = createWebhookTlsActivities({ caCertificates: [testCa.cert] });
    const running = env.run(activities.checkWebhookTls, {
      url: urlOf('silent'),
      minDaysValid: 30,
      mutualTlsRequired: false,
      timeoutMs: 10_000,
    });
    setTimeout(() => env.cancel(), 100);
    const started = Date.now();
    await assert.rejects(running, CancelledFailure);
    assert.ok(Date.now() - started < 2_000);
  });
});
