/**
 * The worker, not the plan, decides where PayCA credentials go. A plan that points production at a
 * listener of someone else's gets nothing sent there: the cutover ends at its start naming the worker's setting.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { paycaTargetsFrom } from '../src/payca/allowed-targets.js';
import { CutoverError } from '../src/errors.js';
import { ApplicationFailure } from '@temporalio/common';
import { createPaycaClients } from '../src/activities/payca-clients.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';

describe('where the worker sends PayCA credentials', () => {
  it('sends them only to loopback hosts when the worker lists no base URL', () => {
    const targets = paycaTargetsFrom({});
    assert.equal(targets.refusal('production', 'http://127.0.0.1:4010'), undefined);
    assert.equal(targets.refusal('sandbox', 'http://localhost:4011/v1'), undefined);
    assert.match(
      targets.refusal('production', 'https://payca.attacker.example') ?? '',
      /sends production PayCA credentials only to loopback hosts, and the plan names https:\/\/payca\.attacker\.example: set PAYCA_PRODUCTION_BASE_URLS/,
    );
  });

  it('sends them to the listed base URLs only: same scheme, host and port, and a path under the listed one', () => {
    const targets = paycaTargetsFrom({ PAYCA_PRODUCTION_BASE_URLS: 'https://api.payca.example/prod, https://eu.payca.example' });
    assert.equal(targets.refusal('production', 'https://api.payca.example/prod'), undefined);
    assert.equal(targets.refusal('production', 'https://api.payca.example/prod/v2'), undefined);
    assert.equal(targets.refusal('production', 'https://eu.payca.example'), undefined);
    for (const elsewhere of [
      'http://api.payca.example/prod',
      'https://api.payca.example:8443/prod',
      'https://api.payca.example/production',
      'https://api.payca.example.attacker.example/prod',
      'http://127.0.0.1:4010',
    ]) {
      assert.match(
        targets.refusal('production', elsewhere) ?? '',
        /only to https:\/\/api\.payca\.example\/prod, https:\/\/eu\.payca\.example\/ \(PAYCA_PRODUCTION_BASE_URLS\)/,
        elsewhere,
      );
    }
    assert.equal(targets.refusal('sandbox', 'http://127.0.0.1:4011'), undefined, 'the sandbox keeps its own default');
  });

  it('refuses a worker setting that is not a list of URLs, naming the variable', () => {
    assert.throws(
      () => paycaTargetsFrom({ PAYCA_SANDBOX_BASE_URLS: 'payca-sandbox:4011' }),
      (err: unknown) => {
        assert.ok(err instanceof CutoverError);
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.match(err.message, /PAYCA_SANDBOX_BASE_URLS lists "payca-sandbox:4011", which is not an http\(s\) URL/);
        return true;
      },
    );
  });
});

describe('a plan pointing production PayCA at a host the worker does not allow', function () {
  this.timeout(180_000);
  const requests: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];
  let listener: Server;
  const saved = process.env.PAYCA_PRODUCTION_BASE_URLS;

  // Set before the harness creates its workers, which read the setting once.
  before(async () => {
    process.env.PAYCA_PRODUCTION_BASE_URLS = 'https://api.payca.example';
    listener = createServer((req, res) => {
      requests.push({ method: req.method, url: req.url, headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  });
  const harness = useCutoverHarness('time-skipping', 'credential-targets');

  after(async () => {
    if (saved === undefined) delete process.env.PAYCA_PRODUCTION_BASE_URLS;
    else process.env.PAYCA_PRODUCTION_BASE_URLS = saved;
    await new Promise((resolve) => listener?.close(resolve));
  });

  it('ends the cutover at its start, aborted by the worker naming its setting, and sends the listener nothing', async () => {
    const { port } = listener.address() as AddressInfo;
    const plan = planFor(harness.stack, {
      payca: { production: { baseUrl: `http://127.0.0.1:${port}` }, sandbox: { baseUrl: harness.stack.sandbox.url } },
    });
    const handle = await harness.start({ plan });
    const ended = await handle.result();
    assert.equal(ended.phase, 'aborted');
    assert.equal(ended.abort?.by, 'worker');
    assert.match(
      ended.abort?.reason ?? '',
      /ended at its start: the worker refused the plan's targets before any call \(PAYCA_TARGET_NOT_ALLOWED: this worker sends production PayCA credentials only to https:\/\/api\.payca\.example\/ \(PAYCA_PRODUCTION_BASE_URLS\), and the plan names http:\/\/127\.0\.0\.1:\d+\//,
    );
    assert.equal(ended.targetCheck?.state, 'refused');
    assert.deepEqual(
      ended.targetCheck?.refusals?.map((r) => r.code),
      ['PAYCA_TARGET_NOT_ALLOWED'],
    );
    assert.ok(
      ended.stages.every((s) => s.status === 'skipped' && s.attempts === 0),
      'no stage ran',
    );
    assert.ok(
      ended.checklist.every((item) => item.attempts === 0),
      'no readiness check ran',
    );
    assert.deepEqual(ended.compensations, [], 'nothing was changed, so nothing was undone');
    assert.deepEqual(requests, [], 'no request, so no credential, reached the listener');
  });
});

describe("each PayCA client checks the worker's allow-list on its own", () => {
  it('gives no client, and no credential, for a base URL the worker does not allow', () => {
    const clients = createPaycaClients({
      targets: paycaTargetsFrom({ PAYCA_PRODUCTION_BASE_URLS: 'https://api.payca.example' }),
      credentials: { production: { clientId: 'id', clientSecret: 'secret' } },
    });
    assert.throws(
      () => clients.get('production', 'https://payca.attacker.example'),
      (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'PAYCA_TARGET_NOT_ALLOWED');
        assert.equal(err.nonRetryable, true);
        return true;
      },
    );
    assert.match(clients.refusal('production', 'https://payca.attacker.example') ?? '', /PAYCA_PRODUCTION_BASE_URLS/);
    assert.equal(clients.refusal('production', 'https://api.payca.example/v1'), undefined);
  });
});
