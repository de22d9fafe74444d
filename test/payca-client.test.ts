/**
 * The PayCA client against the project's PayCA simulator over real HTTP on loopback. Faults (forced
 * error answers, dropped connections, malformed bodies, latency, rate limits) are set through the
 * simulator's `/_sim` admin API, never by stubbing HTTP.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { request } from 'undici';
import {
  CredentialsMissingError,
  CutoverError,
  isRetryableCode,
  PAYCA_ERROR_CODES,
  PAYCA_HTTP_STATUS,
  PaycaError,
  PaycaRateLimitedError,
} from '../src/errors.js';
import {
  idempotencyKeyFor,
  moneyIdempotencyKeyFor,
  idempotencyKeyFromActivity,
  loadPaycaCredentials,
  paycaCall,
  PaycaClient,
  toActivityFailure,
  type PaycaCredentials,
} from '../src/payca/index.js';
import { startSimulator } from '../src/simulator/server.js';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

interface Counters {
  cardsIssued: number;
  cardsClosed: number;
  topUps: number;
  ledgerEntries: number;
  requests: number;
  idempotentReplays: number;
  answersByCode: Record<string, number>;
}

async function admin(sim: Simulator, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const res = await request(`${sim.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`simulator admin ${method} ${path} answered ${res.statusCode}: ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

const setFaults = (sim: Simulator, faults: unknown) => admin(sim, 'POST', '/_sim/faults', faults);
const clearFaults = (sim: Simulator) => admin(sim, 'DELETE', '/_sim/faults');
const counters = async (sim: Simulator) => (await admin(sim, 'GET', '/_sim/counters')) as Counters;

/** The rejection of `promise`, asserted to be a PaycaError. */
async function paycaFailure(promise: Promise<unknown>): Promise<PaycaError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof PaycaError, `expected a PaycaError, got ${inspect(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

function clientFor(sim: Simulator, overrides: Partial<ConstructorParameters<typeof PaycaClient>[0]> = {}): PaycaClient {
  return new PaycaClient({
    baseUrl: sim.url,
    environment: 'sandbox',
    credentials: sim.credentials,
    ...overrides,
  });
}

let keySeq = 0;
/** A fresh idempotency key per call site, so tests never replay each other's answers. */
function freshKey(purpose: string): string {
  keySeq += 1;
  return idempotencyKeyFor({ workflowId: 'payca-client-test', runId: `${process.pid}`, activityId: `${keySeq}`, purpose });
}

const REQUEST_ID = /^\S+$/;

describe('PayCA client', function () {
  let sandbox: Simulator;
  let production: Simulator;
  let client: PaycaClient;

  before(async () => {
    sandbox = await startSimulator({ mode: 'sandbox', port: 0 });
    production = await startSimulator({ mode: 'production', port: 0 });
    client = clientFor(sandbox);
  });

  after(async () => {
    await sandbox?.close();
    await production?.close();
  });

  afterEach(async () => {
    await clearFaults(sandbox);
    await clearFaults(production);
  });

  async function issueTestCard(externalRef = `ext-${++keySeq}`) {
    return client.issueCard(
      { accountId: 'acc_gbp_main', externalRef, holderName: 'Smoke Test', currency: 'GBP' },
      { idempotencyKey: freshKey('issue') },
    );
  }

  describe('happy paths', () => {
    it('checks health without credentials and reports the environment', async () => {
      const anonymous = clientFor(sandbox, { credentials: { clientId: 'nobody', clientSecret: 'nothing' } });
      const result = await anonymous.health();
      assert.equal(result.status, 200);
      assert.equal(result.body.status, 'ok');
      assert.equal(result.body.environment, 'sandbox');
      assert.match(result.requestId, REQUEST_ID);
      assert.equal(result.method, 'GET');
      assert.equal(result.path, '/health');
      assert.equal(result.replayed, false);
    });

    it('lists master accounts with balances as money', async () => {
      const result = await client.listAccounts();
      const gbp = result.body.data.find((account) => account.id === 'acc_gbp_main');
      assert.ok(gbp, 'the GBP master account is listed');
      assert.equal(gbp.balance.currency, 'GBP');
      assert.ok(Number.isInteger(gbp.available.amount));
      assert.equal(result.path, '/v2/accounts');
    });

    it('reads the programme config of each environment', async () => {
      const sandboxConfig = await client.getProgramConfig();
      const productionConfig = await clientFor(production, { environment: 'production' }).getProgramConfig();
      assert.equal(sandboxConfig.body.environment, 'sandbox');
      assert.equal(productionConfig.body.environment, 'production');
      assert.ok(Object.keys(sandboxConfig.body.settings).length > 0);
    });

    it('lists BINs with fees and restrictions', async () => {
      const result = await client.listBins();
      assert.ok(result.body.data.length > 0);
      const first = result.body.data[0];
      assert.ok(first);
      assert.ok(Number.isInteger(first.fees.issuance.amount));
      assert.ok(Array.isArray(first.restrictions.mccBlocked));
    });

    it('issues, reads, tops up, lists the ledger of and closes a card, twice closing is fine', async () => {
      const issued = await issueTestCard('ext-lifecycle');
      assert.equal(issued.status, 201);
      assert.equal(issued.body.status, 'active');
      assert.equal(issued.body.externalRef, 'ext-lifecycle');
      assert.match(issued.body.last4, /^\d{4}$/);

      const read = await client.getCard(issued.body.id);
      assert.equal(read.body.id, issued.body.id);
      assert.equal(read.path, `/v1/cards/${issued.body.id}`);

      const topUp = await client.topUp(issued.body.id, { amount: 1500, currency: 'GBP' }, { idempotencyKey: freshKey('topup') });
      assert.equal(topUp.status, 201);
      assert.equal(topUp.body.cardId, issued.body.id);
      assert.equal(topUp.body.amount, 1500);

      const ledger = await client.listLedger(issued.body.id);
      assert.ok(ledger.body.data.some((entry) => entry.transactionId === topUp.body.transactionId));

      const closed = await client.closeCard(issued.body.id, { idempotencyKey: freshKey('close') });
      assert.equal(closed.body.status, 'closed');
      const closedAgain = await client.closeCard(issued.body.id, { idempotencyKey: freshKey('close-again') });
      assert.equal(closedAgain.status, 200);
      assert.equal(closedAgain.body.status, 'closed');

      const ids = new Set([issued, read, topUp, ledger, closed, closedAgain].map((r) => r.requestId));
      assert.equal(ids.size, 6, 'every answer has its own request id');
    });

    it('subscribes a webhook, sends a test event, sees the delivery succeed and unsubscribes', async () => {
      const received: string[] = [];
      const receiver: Server = createServer((req, res) => {
        req.on('data', () => undefined);
        req.on('end', () => {
          received.push(req.url ?? '');
          res.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = receiver.address() as AddressInfo;
        const created = await client.createWebhook(
          { url: `http://127.0.0.1:${port}/payca`, events: ['card.topup', 'webhook.test'] },
          { idempotencyKey: freshKey('webhook') },
        );
        assert.equal(created.status, 201);
        assert.ok(created.body.signingSecret.length > 0, 'the signing secret comes back on create');

        const listed = await client.listWebhooks();
        assert.ok(listed.body.data.some((subscription) => subscription.id === created.body.id));

        const accepted = await client.testWebhook(created.body.id, { idempotencyKey: freshKey('webhook-test') });
        assert.equal(accepted.status, 202);

        let delivery: { id: string; status: string } | undefined;
        for (let attempt = 0; attempt < 50 && delivery?.status !== 'succeeded'; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          const deliveries = await client.listDeliveries(created.body.id);
          delivery = deliveries.body.data.find((d) => d.id === accepted.body.deliveryId);
        }
        assert.equal(delivery?.status, 'succeeded');
        assert.ok(received.length >= 1);

        const deleted = await client.deleteWebhook(created.body.id);
        assert.equal(deleted.status, 204);
        assert.equal(deleted.body, undefined);
        assert.match(deleted.requestId, REQUEST_ID);
      } finally {
        await new Promise<void>((resolve) => receiver.close(() => resolve()));
      }
    });

    it('simulates an authorization in sandbox and is refused in production', async () => {
      const card = await issueTestCard();
      await client.topUp(card.body.id, { amount: 5000, currency: 'GBP' }, { idempotencyKey: freshKey('topup') });
      const auth = await client.simulateTransaction(
        { cardId: card.body.id, amount: 100, currency: 'GBP', merchant: { name: 'Corner Shop', mcc: '5411', country: 'GB' } },
        { idempotencyKey: freshKey('auth') },
      );
      assert.equal(auth.status, 201);
      assert.ok(['approved', 'declined'].includes(auth.body.status));

      const prod = clientFor(production, { environment: 'production', credentials: production.credentials });
      const err = await paycaFailure(
        prod.simulateTransaction(
          { cardId: 'card_x', amount: 100, currency: 'GBP', merchant: { name: 'Corner Shop', mcc: '5411', country: 'GB' } },
          { idempotencyKey: freshKey('auth-prod') },
        ),
      );
      assert.equal(err.code, 'ErrNotAvailableInProduction');
      assert.equal(err.status, 404);
      assert.equal(err.retryable, false);
    });

    it('reads an authorization by id, as money with its card and time, and reports an unknown one as ErrNotFound', async () => {
      const prod = clientFor(production, { environment: 'production', credentials: production.credentials });
      const recorded = (await admin(production, 'POST', '/_sim/authorizations', { amount: 120 })) as { id: string; cardId: string };
      const read = await prod.getAuthorization(recorded.id);
      assert.equal(read.body.id, recorded.id);
      assert.equal(read.body.cardId, recorded.cardId);
      assert.equal(read.body.status, 'approved');
      assert.deepEqual(read.body.amount, { amount: 120, currency: 'GBP' });
      assert.ok(Date.parse(read.body.createdAt) > 0);
      assert.match(read.requestId, /^req_/);
      const missing = await paycaFailure(prod.getAuthorization('auth_nowhere'));
      assert.equal(missing.code, 'ErrNotFound');
      assert.equal(missing.retryable, false);
    });

    it('finds the cards issued under an external reference', async () => {
      const card = await issueTestCard('find-me-1');
      const found = await client.findCards('find-me-1');
      assert.deepEqual(
        found.body.data.map((c) => c.id),
        [card.body.id],
      );
      assert.deepEqual((await client.findCards('nobody-has-this')).body.data, []);
    });

    it('reads metrics for a window and the day’s fee statement', async () => {
      const to = new Date(Date.now() + 60_000).toISOString();
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const metrics = await client.getMetrics(from, to);
      assert.ok(Number.isInteger(metrics.body.rateLimited));
      assert.ok(Number.isInteger(metrics.body.authorizations.approved));
      const today = new Date().toISOString().slice(0, 10);
      const statement = await client.getStatement(today);
      assert.equal(statement.body.date, today);
      assert.ok(Number.isInteger(statement.body.fees.total));
    });
  });

  describe('error answers', () => {
    for (const code of PAYCA_ERROR_CODES) {
      it(`maps a forced ${code} to a PaycaError with its status, request id and retry flag`, async () => {
        await setFaults(sandbox, { force: { count: 1, code, path: '/v2/accounts' } });
        const err = await paycaFailure(client.listAccounts());
        assert.equal(err.code, code);
        assert.equal(err.status, PAYCA_HTTP_STATUS[code]);
        assert.match(err.requestId ?? '', REQUEST_ID);
        assert.equal(err.method, 'GET');
        assert.equal(err.path, '/v2/accounts');
        assert.equal(err.retryable, isRetryableCode(code));
        assert.notEqual(err.name, 'PaycaError', 'each code has its own error class');
        assert.ok(err.message.includes(code) && err.message.includes(err.requestId ?? '?'));

        const failure = toActivityFailure(err);
        assert.ok(failure instanceof ApplicationFailure);
        assert.equal(failure.type, code);
        assert.equal(failure.nonRetryable, !isRetryableCode(code));
        assert.ok(failure.message.includes(`HTTP ${PAYCA_HTTP_STATUS[code]}`));
        assert.ok(failure.message.includes(err.requestId ?? '?'));
        assert.deepEqual(failure.details, [err.toDetails()]);
      });
    }

    it('carries Retry-After on ErrRateLimited and turns it into the next retry delay', async () => {
      await setFaults(sandbox, { force: { count: 1, code: 'ErrRateLimited', retryAfterSeconds: 3 } });
      const err = await paycaFailure(client.listBins());
      assert.ok(err instanceof PaycaRateLimitedError);
      assert.equal(err.status, 429);
      assert.equal(err.retryAfterSeconds, 3);
      const failure = toActivityFailure(err);
      assert.ok(failure instanceof ApplicationFailure);
      assert.equal(failure.type, 'ErrRateLimited');
      assert.equal(failure.nonRetryable, false);
      const delay = Number(failure.nextRetryDelay);
      assert.ok(delay >= 3000 && delay <= 3250, `nextRetryDelay ${delay} is Retry-After plus at most 250 ms jitter`);
    });

    it('answers ErrRateLimited from the real token bucket once the burst is spent', async () => {
      await setFaults(sandbox, { rateLimit: { perSecond: 0.5, burst: 2 } });
      await client.listBins();
      await client.listBins();
      const err = await paycaFailure(client.listBins());
      assert.equal(err.code, 'ErrRateLimited');
      assert.ok((err.retryAfterSeconds ?? 0) >= 1, 'Retry-After is at least a second');
      const failure = toActivityFailure(err) as ApplicationFailure;
      assert.ok(Number(failure.nextRetryDelay) >= (err.retryAfterSeconds ?? 0) * 1000);
    });

    it('honours Retry-After of an outage too', async () => {
      await setFaults(sandbox, { outage: { durationMs: 1500 } });
      const err = await paycaFailure(client.listAccounts());
      assert.equal(err.code, 'ErrUnavailable');
      assert.equal(err.retryable, true);
      assert.equal(err.retryAfterSeconds, 2);
      const failure = toActivityFailure(err) as ApplicationFailure;
      assert.ok(Number(failure.nextRetryDelay) >= 2000);
    });

    it('refuses sandbox credentials on production with ErrUnauthorized, not retryable', async () => {
      const wrong = clientFor(production, { environment: 'production', credentials: sandbox.credentials });
      const err = await paycaFailure(wrong.listAccounts());
      assert.equal(err.code, 'ErrUnauthorized');
      assert.equal(err.status, 401);
      const failure = toActivityFailure(err) as ApplicationFailure;
      assert.equal(failure.nonRetryable, true);
    });

    it('reports an unknown card as ErrNotFound', async () => {
      const err = await paycaFailure(client.getCard('card_does_not_exist'));
      assert.equal(err.code, 'ErrNotFound');
      assert.equal(err.path, '/v1/cards/card_does_not_exist');
    });

    it('wraps calls with paycaCall so activities throw ApplicationFailures and pass other errors through', async () => {
      await setFaults(sandbox, { force: { count: 1, code: 'ErrCardClosed', path: '/v1/bins' } });
      await assert.rejects(
        paycaCall(() => client.listBins()),
        (failure: unknown) => failure instanceof ApplicationFailure && failure.type === 'ErrCardClosed' && failure.nonRetryable,
      );
      const other = new Error('not a PayCA problem');
      await assert.rejects(
        paycaCall(() => Promise.reject(other)),
        (failure: unknown) => failure === other,
      );
    });
  });

  describe('broken answers and transport faults', () => {
    it('reports a body that is not JSON as ErrBadResponse with the request id', async () => {
      await setFaults(sandbox, { malformed: { count: 1, kind: 'invalid-json', path: '/v1/bins' } });
      const err = await paycaFailure(client.listBins());
      assert.equal(err.code, 'ErrBadResponse');
      assert.equal(err.status, 200);
      assert.match(err.requestId ?? '', REQUEST_ID);
      assert.match(err.message, /not JSON/);
      assert.ok(err.message.includes(err.requestId ?? '?'));
      assert.equal((toActivityFailure(err) as ApplicationFailure).nonRetryable, true);
    });

    it('reports a body of the wrong shape as ErrBadResponse naming the broken field', async () => {
      await setFaults(sandbox, { malformed: { count: 1, kind: 'wrong-shape', path: '/v2/accounts' } });
      const err = await paycaFailure(client.listAccounts());
      assert.equal(err.code, 'ErrBadResponse');
      assert.match(err.requestId ?? '', REQUEST_ID);
      assert.match(err.message, /breaks the contract: data: /);
    });

    it("treats a gateway's 502/503/504 page in front of PayCA as retryable ErrUnavailable, but a 500 page as ErrBadResponse", async () => {
      // A real HTTP server standing in for the load balancer, answering as nginx does when PayCA is out of reach.
      let status = 502;
      const gateway: Server = createServer((req, res) => {
        req.resume();
        res.writeHead(status, { 'content-type': 'text/html', 'x-request-id': 'req_gateway_1' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      });
      await new Promise<void>((done) => gateway.listen(0, '127.0.0.1', () => done()));
      try {
        const viaGateway = new PaycaClient({
          baseUrl: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`,
          environment: 'sandbox',
          credentials: sandbox.credentials,
        });
        for (const code of [502, 503, 504]) {
          status = code;
          const err = await paycaFailure(viaGateway.listAccounts());
          assert.equal(err.code, 'ErrUnavailable', `HTTP ${code}`);
          assert.equal(err.retryable, true);
          assert.match(
            err.message,
            new RegExp(`HTTP ${code} on GET /v2/accounts from a gateway in front of PayCA \\(request req_gateway_1\\)`),
          );
        }
        status = 500;
        const err = await paycaFailure(viaGateway.listAccounts());
        assert.equal(err.code, 'ErrBadResponse');
        assert.equal(err.retryable, false);
      } finally {
        await new Promise((done) => gateway.close(done));
      }
    });

    it('reports a dropped connection as retryable ErrNetwork', async () => {
      await setFaults(sandbox, { force: { count: 1, kind: 'reset', path: '/v2/accounts' } });
      const err = await paycaFailure(client.listAccounts());
      assert.equal(err.code, 'ErrNetwork');
      assert.equal(err.retryable, true);
      assert.equal(err.status, undefined);
      assert.equal((toActivityFailure(err) as ApplicationFailure).nonRetryable, false);
    });

    it('reports a refused connection as ErrNetwork naming ECONNREFUSED', async () => {
      const closedPort = await new Promise<number>((resolve) => {
        const probe = createServer();
        probe.listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const unreachable = clientFor(sandbox, { baseUrl: `http://127.0.0.1:${closedPort}` });
      const err = await paycaFailure(unreachable.listAccounts());
      assert.equal(err.code, 'ErrNetwork');
      assert.match(err.message, /ECONNREFUSED/);
    });

    it('gives up with ErrTimeout when the answer is slower than timeoutMs', async () => {
      await setFaults(sandbox, { latencyMs: 1000 });
      const impatient = clientFor(sandbox, { timeoutMs: 150 });
      const started = Date.now();
      const err = await paycaFailure(impatient.listAccounts());
      assert.equal(err.code, 'ErrTimeout');
      assert.equal(err.retryable, true);
      assert.ok(Date.now() - started < 900, 'the call ends at the timeout, not when the answer comes');
    });

    it('stops when the caller’s signal aborts, with the caller’s reason rather than a PayCA error', async () => {
      await setFaults(sandbox, { latencyMs: 1000 });
      const controller = new AbortController();
      const reason = new Error('activity cancelled');
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(client.listAccounts({ signal: controller.signal }), (err: unknown) => err === reason);
    });
  });

  describe('idempotency', () => {
    it('moves money once when a top-up is retried with the same key, and marks the second answer replayed', async () => {
      const card = await issueTestCard();
      const before = await counters(sandbox);
      const key = freshKey('topup-retried');
      const first = await client.topUp(card.body.id, { amount: 700, currency: 'GBP' }, { idempotencyKey: key });
      const second = await client.topUp(card.body.id, { amount: 700, currency: 'GBP' }, { idempotencyKey: key });
      const after = await counters(sandbox);
      assert.equal(after.topUps - before.topUps, 1);
      assert.equal(first.replayed, false);
      assert.equal(second.replayed, true);
      assert.equal(second.body.transactionId, first.body.transactionId);
      assert.equal(after.idempotentReplays - before.idempotentReplays, 1);
      const ledger = await client.listLedger(card.body.id);
      assert.equal(ledger.body.data.filter((entry) => entry.transactionId === first.body.transactionId).length, 1);
    });

    it('reports the same key with a different body as non-retryable ErrIdempotencyConflict', async () => {
      const card = await issueTestCard();
      const key = freshKey('topup-conflict');
      await client.topUp(card.body.id, { amount: 100, currency: 'GBP' }, { idempotencyKey: key });
      const err = await paycaFailure(client.topUp(card.body.id, { amount: 200, currency: 'GBP' }, { idempotencyKey: key }));
      assert.equal(err.code, 'ErrIdempotencyConflict');
      assert.equal((toActivityFailure(err) as ApplicationFailure).nonRetryable, true);
    });

    it('refuses an idempotency key over 255 characters before sending anything', async () => {
      const before = await counters(sandbox);
      const err = await paycaFailure(client.topUp('card_any', { amount: 100, currency: 'GBP' }, { idempotencyKey: 'k'.repeat(256) }));
      const after = await counters(sandbox);
      assert.equal(err.code, 'ErrValidation');
      assert.equal(err.status, undefined);
      assert.match(err.message, /256 characters/);
      assert.equal(after.requests, before.requests, 'nothing reached PayCA');
    });

    it('derives keys that are stable per activity, distinct per purpose and never longer than 255', () => {
      const parts = { workflowId: 'cutover-2025', runId: 'run-1', activityId: '7', purpose: 'topup' };
      assert.equal(idempotencyKeyFor(parts), idempotencyKeyFor({ ...parts }));
      assert.notEqual(idempotencyKeyFor(parts), idempotencyKeyFor({ ...parts, purpose: 'close' }));
      assert.notEqual(
        idempotencyKeyFor({ ...parts, workflowId: 'a:b', runId: 'c' }),
        idempotencyKeyFor({ ...parts, workflowId: 'a', runId: 'b:c' }),
        'separators inside ids cannot make two operations share a key',
      );
      const long = idempotencyKeyFor({ ...parts, workflowId: 'w'.repeat(400) });
      assert.ok(long.length <= 255);
      assert.match(long, /^v1-sha256:[0-9a-f]{64}$/);
      assert.equal(long, idempotencyKeyFor({ ...parts, workflowId: 'w'.repeat(400) }));
      assert.match(idempotencyKeyFor({ ...parts, workflowId: 'übergang ✓' }), /^[\x21-\x7e]+$/);
    });

    it('derives the key from the running activity, the same on every attempt', async () => {
      const info = { workflowExecution: { workflowId: 'cutover-abc', runId: 'run-xyz' }, activityId: '12' };
      const first = await new MockActivityEnvironment({ ...info, attempt: 1 }).run(async () => idempotencyKeyFromActivity('topup'));
      const retry = await new MockActivityEnvironment({ ...info, attempt: 4 }).run(async () => idempotencyKeyFromActivity('topup'));
      assert.equal(first, retry);
      assert.equal(first, idempotencyKeyFor({ workflowId: 'cutover-abc', runId: 'run-xyz', activityId: '12', purpose: 'topup' }));
    });

    it("keys a money call by workflow, run chain and task, so the run a reset starts meets the first run's key", async () => {
      const scope = { chain: 'run-first', task: 'go-live/1' };
      const inRun = (runId: string, activityId: string, chainScope = scope) =>
        new MockActivityEnvironment({ workflowExecution: { workflowId: 'cutover-abc', runId }, activityId }).run(async () =>
          idempotencyKeyFromActivity('top-up-test-card', chainScope),
        );
      const first = await inRun('run-first', '12');
      assert.equal(await inRun('run-after-reset', '14'), first, 'neither run id nor activity id is in the key');
      assert.equal(first, moneyIdempotencyKeyFor({ workflowId: 'cutover-abc', scope, purpose: 'top-up-test-card' }));
      assert.notEqual(await inRun('run-first', '12', { chain: 'run-new-start', task: 'go-live/1' }), first, 'a new start has its own keys');
      assert.notEqual(
        await inRun('run-first', '12', { chain: 'run-first', task: 'go-live/2' }),
        first,
        'a re-run of the stage has its own keys',
      );
      assert.notEqual(
        moneyIdempotencyKeyFor({ workflowId: 'a:b', scope: { chain: 'c', task: 't' }, purpose: 'p' }),
        moneyIdempotencyKeyFor({ workflowId: 'a', scope: { chain: 'b:c', task: 't' }, purpose: 'p' }),
      );
      assert.match(moneyIdempotencyKeyFor({ workflowId: 'w'.repeat(400), scope, purpose: 'p' }), /^v2-sha256:[0-9a-f]{64}$/);
    });
  });

  describe('credentials', () => {
    const leakyCredentials: PaycaCredentials = { clientId: 'leaky-client-id-4711', clientSecret: 'leaky-secret-0815' };

    function assertNoCredentials(text: string, credentials: PaycaCredentials): void {
      assert.ok(!text.includes(credentials.clientId), `client id leaked into: ${text}`);
      assert.ok(!text.includes(credentials.clientSecret), `client secret leaked into: ${text}`);
    }

    it('keeps credentials out of JSON and inspect output of the client', () => {
      const shown = clientFor(sandbox);
      assertNoCredentials(JSON.stringify(shown), sandbox.credentials);
      assertNoCredentials(inspect(shown, { depth: 10, showHidden: true }), sandbox.credentials);
      assertNoCredentials(String(Object.entries(shown)), sandbox.credentials);
    });

    it('keeps wrong credentials out of the ErrUnauthorized message, details and activity failure', async () => {
      const wrong = clientFor(sandbox, { credentials: leakyCredentials });
      const err = await paycaFailure(wrong.listAccounts());
      assert.equal(err.code, 'ErrUnauthorized');
      const failure = toActivityFailure(err) as ApplicationFailure;
      for (const text of [
        err.message,
        err.stack ?? '',
        JSON.stringify(err.toDetails()),
        inspect(err),
        failure.message,
        JSON.stringify(failure.details),
      ]) {
        assertNoCredentials(text, leakyCredentials);
      }
    });

    it('redacts credentials even when the provider echoes them in an error message', async () => {
      const { clientId, clientSecret } = sandbox.credentials;
      await setFaults(sandbox, {
        force: { count: 1, code: 'ErrInternal', path: '/v1/bins', message: `client ${clientId} with secret ${clientSecret} failed` },
      });
      const err = await paycaFailure(client.listBins());
      assertNoCredentials(err.message, sandbox.credentials);
      assert.match(err.message, /\[redacted\]/);
    });

    it('keeps credentials out of network errors', async () => {
      await setFaults(sandbox, { force: { count: 1, kind: 'reset', path: '/v1/bins' } });
      const err = await paycaFailure(client.listBins());
      assertNoCredentials(`${err.message} ${inspect(err)} ${JSON.stringify(err.toDetails())}`, sandbox.credentials);
    });

    describe('loading', () => {
      let dir: string;
      before(() => {
        dir = mkdtempSync(join(tmpdir(), 'payca-credentials-'));
      });
      after(() => {
        rmSync(dir, { recursive: true, force: true });
      });

      it('reads the environment’s variables and works against the simulator', async () => {
        const credentials = loadPaycaCredentials('sandbox', {
          PAYCA_SANDBOX_CLIENT_ID: sandbox.credentials.clientId,
          PAYCA_SANDBOX_CLIENT_SECRET: sandbox.credentials.clientSecret,
          PAYCA_PRODUCTION_CLIENT_ID: 'not-this-one',
          PAYCA_PRODUCTION_CLIENT_SECRET: 'nor-this',
        });
        assert.equal(credentials.clientId, sandbox.credentials.clientId);
        const result = await clientFor(sandbox, { credentials }).listAccounts();
        assert.equal(result.status, 200);
      });

      it('reads _FILE variants, trimming the trailing newline', () => {
        const idFile = join(dir, 'client-id');
        const secretFile = join(dir, 'client-secret');
        writeFileSync(idFile, 'prod-client\n');
        writeFileSync(secretFile, '  prod-secret\n');
        const credentials = loadPaycaCredentials('production', {
          PAYCA_PRODUCTION_CLIENT_ID_FILE: idFile,
          PAYCA_PRODUCTION_CLIENT_SECRET_FILE: secretFile,
        });
        assert.equal(credentials.clientId, 'prod-client');
        assert.equal(credentials.clientSecret, 'prod-secret');
      });

      it('redacts loaded credentials in JSON, inspect and string output', () => {
        const credentials = loadPaycaCredentials('sandbox', {
          PAYCA_SANDBOX_CLIENT_ID: leakyCredentials.clientId,
          PAYCA_SANDBOX_CLIENT_SECRET: leakyCredentials.clientSecret,
        });
        for (const text of [
          JSON.stringify(credentials),
          inspect(credentials, { showHidden: true }),
          String(credentials),
          JSON.stringify({ ...credentials }),
        ]) {
          assertNoCredentials(text, leakyCredentials);
        }
      });

      it('names the missing variable and its _FILE twin', () => {
        assert.throws(
          () => loadPaycaCredentials('production', { PAYCA_PRODUCTION_CLIENT_ID: 'id-only' }),
          (err: unknown) =>
            err instanceof CredentialsMissingError &&
            err.code === 'CREDENTIALS_MISSING' &&
            err.message.includes('PAYCA_PRODUCTION_CLIENT_SECRET') &&
            err.message.includes('PAYCA_PRODUCTION_CLIENT_SECRET_FILE') &&
            err.message.includes('production'),
        );
      });

      it('refuses a variable and its _FILE twin set together, naming both', () => {
        const idFile = join(dir, 'dup-id');
        writeFileSync(idFile, 'from-file');
        assert.throws(
          () =>
            loadPaycaCredentials('sandbox', {
              PAYCA_SANDBOX_CLIENT_ID: 'from-env',
              PAYCA_SANDBOX_CLIENT_ID_FILE: idFile,
              PAYCA_SANDBOX_CLIENT_SECRET: 's',
            }),
          (err: unknown) =>
            err instanceof CutoverError &&
            err.code === 'CONFIG_INVALID' &&
            err.message.includes('PAYCA_SANDBOX_CLIENT_ID and PAYCA_SANDBOX_CLIENT_ID_FILE'),
        );
      });

      it('says which _FILE cannot be read, without printing any value', () => {
        const missing = join(dir, 'no-such-file');
        assert.throws(
          () =>
            loadPaycaCredentials('sandbox', {
              PAYCA_SANDBOX_CLIENT_ID_FILE: missing,
              PAYCA_SANDBOX_CLIENT_SECRET: 'secret-value-123',
            }),
          (err: unknown) =>
            err instanceof CutoverError &&
            err.code === 'CONFIG_INVALID' &&
            err.message.includes('PAYCA_SANDBOX_CLIENT_ID_FILE') &&
            err.message.includes('ENOENT') &&
            !err.message.includes('secret-value-123'),
        );
      });
    });
  });
});
