/**
 * The worker, not the plan, decides where the webhook smoke test has PayCA send signed events
 * (`CUTOVER_WEBHOOK_URLS`, loopback only when unset): a plan naming another endpoint ends at its start
 * with WEBHOOK_TARGET_NOT_ALLOWED before a subscription exists, so the endpoint receives nothing.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CutoverError } from '../src/errors.js';
import { webhookTargetsFrom } from '../src/payca/allowed-targets.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';

describe('webhook targets the worker allows', () => {
  it('allows only loopback endpoints when CUTOVER_WEBHOOK_URLS is unset, naming the setting otherwise', () => {
    const targets = webhookTargetsFrom({});
    for (const url of ['http://127.0.0.1:4020/payca/webhooks', 'https://localhost/hooks', 'http://[::1]:9000/']) {
      assert.equal(targets.refusal(url), undefined, url);
    }
    assert.match(
      targets.refusal('https://hooks.attacker.example/collect?token=abc') ?? '',
      /only to loopback hosts, and the plan's webhook\.url names https:\/\/hooks\.attacker\.example\/collect: set CUTOVER_WEBHOOK_URLS on the worker/,
    );
    assert.doesNotMatch(targets.refusal('https://hooks.attacker.example/collect?token=abc') ?? '', /token=abc/);
  });

  it('matches listed endpoints by scheme, host, port and path prefix', () => {
    const targets = webhookTargetsFrom({ CUTOVER_WEBHOOK_URLS: 'https://hooks.acme.example/payca, https://backup.acme.example' });
    for (const url of ['https://hooks.acme.example/payca', 'https://hooks.acme.example/payca/webhooks', 'https://backup.acme.example/x']) {
      assert.equal(targets.refusal(url), undefined, url);
    }
    for (const url of [
      'http://hooks.acme.example/payca/webhooks',
      'https://hooks.acme.example:8443/payca/webhooks',
      'https://hooks.acme.example/paycax',
      'https://hooks.acme.example.attacker.example/payca',
      'http://127.0.0.1:4020/payca/webhooks',
    ]) {
      assert.match(targets.refusal(url) ?? '', /\(CUTOVER_WEBHOOK_URLS\), and the plan's webhook\.url names/, url);
    }
    assert.throws(
      () => webhookTargetsFrom({ CUTOVER_WEBHOOK_URLS: 'hooks.acme.example' }),
      (err: unknown) => {
        assert.ok(err instanceof CutoverError);
        assert.equal(err.code, 'CONFIG_INVALID');
        assert.match(err.message, /CUTOVER_WEBHOOK_URLS lists "hooks\.acme\.example", which is not an http\(s\) URL/);
        return true;
      },
    );
  });
});

describe('a plan naming a webhook endpoint the worker does not allow', function () {
  this.timeout(180_000);
  const requests: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];
  let listener: Server;
  const saved = process.env.CUTOVER_WEBHOOK_URLS;

  // Set before the harness creates its workers, which read the setting once.
  before(async () => {
    process.env.CUTOVER_WEBHOOK_URLS = 'https://hooks.acme.example/payca';
    listener = createServer((req, res) => {
      requests.push({ method: req.method, url: req.url, headers: req.headers });
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  });
  const harness = useCutoverHarness('time-skipping', 'webhook-targets');

  after(async () => {
    if (saved === undefined) delete process.env.CUTOVER_WEBHOOK_URLS;
    else process.env.CUTOVER_WEBHOOK_URLS = saved;
    await new Promise((resolve) => listener?.close(resolve));
  });

  it("ends the cutover at its start naming the worker's setting, and the endpoint receives nothing", async () => {
    const { port } = listener.address() as AddressInfo;
    const base = planFor(harness.stack);
    const plan = { ...base, webhook: { ...base.webhook, url: `http://127.0.0.1:${port}/payca` } };
    const handle = await harness.start({ plan });
    const ended = await handle.result();
    assert.equal(ended.phase, 'aborted');
    assert.equal(ended.abort?.by, 'worker');
    assert.deepEqual(
      ended.targetCheck?.refusals?.map((r) => r.code),
      ['WEBHOOK_TARGET_NOT_ALLOWED'],
    );
    assert.match(
      ended.abort?.reason ?? '',
      /WEBHOOK_TARGET_NOT_ALLOWED: this worker has PayCA send signed webhook events only to https:\/\/hooks\.acme\.example\/payca \(CUTOVER_WEBHOOK_URLS\), and the plan's webhook\.url names http:\/\/127\.0\.0\.1:\d+\/payca/,
    );
    assert.ok(
      ended.stages.every((stage) => stage.status === 'skipped' && stage.attempts === 0),
      'no stage ran',
    );
    assert.deepEqual(ended.compensations, [], 'no subscription was made to undo');
    assert.deepEqual(requests, [], 'no signed event, or anything else, reached the endpoint');
  });
});
