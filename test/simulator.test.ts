/**
 * The PayCA simulator over real HTTP on loopback: every endpoint of docs/payca-contract.md, every error code,
 * idempotency, rate limiting, signed webhook deliveries with retries, and the `/_sim/` admin API.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhook, verifyWebhookSignature } from '../src/payca/webhook-signature.js';
import { DEFAULT_SIM_CREDENTIALS, startSimulator, type RunningSimulator } from '../src/simulator/server.js';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../src/simulator/webhook-receiver.js';

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

interface CallOptions {
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Defaults to the simulator's own credentials; `null` sends none. */
  credentials?: { clientId: string; clientSecret: string } | null;
  idempotencyKey?: string;
}

async function call(sim: RunningSimulator, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const credentials = options.credentials === undefined ? sim.credentials : options.credentials;
  if (credentials) {
    headers['x-client-id'] = credentials.clientId;
    headers['x-client-secret'] = credentials.clientSecret;
  }
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${sim.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

const admin = (sim: RunningSimulator, method: string, path: string, body?: unknown) => call(sim, method, path, { body, credentials: null });

function assertError(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.text);
  assert.equal(answer.body.code, code, answer.text);
  assert.equal(typeof answer.body.message, 'string');
  assert.equal(answer.body.requestId, answer.headers.get('x-request-id'));
}

/** Polls `check` until it returns a value, for at most `timeoutMs`. */
async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < 1_000 && Date.now() < deadline; round += 1) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

async function issueCard(sim: RunningSimulator, overrides: Record<string, unknown> = {}) {
  const answer = await call(sim, 'POST', '/v1/cards', {
    body: { accountId: 'acc_gbp_main', externalRef: 'ext-1', holderName: 'Ada Lovelace', currency: 'GBP', ...overrides },
  });
  assert.equal(answer.status, 201, answer.text);
  return answer.body as { id: string; currency: string };
}

async function finishedDeliveries(sim: RunningSimulator, subscriptionId: string, count = 1) {
  return waitFor(async () => {
    const answer = await call(sim, 'GET', `/v1/webhooks/${subscriptionId}/deliveries`);
    const data = answer.body.data as { status: string }[];
    return data.length >= count && data.every((delivery) => delivery.status !== 'pending') ? data : undefined;
  });
}

describe('PayCA simulator', function () {
  this.timeout(10_000);

  let sandbox: RunningSimulator;
  let production: RunningSimulator;
  let receiver: RunningWebhookReceiver;

  before(async () => {
    sandbox = await startSimulator({ mode: 'sandbox', port: 0, webhookTimeoutMs: 300, webhookRetryDelaysMs: [20, 40] });
    production = await startSimulator({ mode: 'production', port: 0, webhookTimeoutMs: 300, webhookRetryDelaysMs: [20, 40] });
    receiver = await startWebhookReceiver({
      signingSecrets: () => [...sandbox.state.subscriptions.values()].map((subscription) => subscription.signingSecret),
    });
  });

  after(async () => {
    await Promise.all([sandbox?.close(), production?.close(), receiver?.close()]);
  });

  beforeEach(async () => {
    await admin(sandbox, 'POST', '/_sim/reset');
    await admin(production, 'POST', '/_sim/reset');
    receiver.events.length = 0;
    receiver.failNext(0);
  });

  describe('transport', () => {
    it('answers GET /health without credentials, naming its environment', async () => {
      for (const sim of [sandbox, production]) {
        const answer = await call(sim, 'GET', '/health', { credentials: null });
        assert.equal(answer.status, 200);
        assert.equal(answer.body.status, 'ok');
        assert.equal(answer.body.environment, sim.mode);
        assert.ok(!Number.isNaN(Date.parse(answer.body.time)));
      }
    });

    it('puts a unique x-request-id and the rate-limit headers on every response', async () => {
      const answers = [
        await call(sandbox, 'GET', '/health', { credentials: null }),
        await call(sandbox, 'GET', '/v2/accounts'),
        await call(sandbox, 'GET', '/v2/accounts', { credentials: null }),
        await call(sandbox, 'GET', '/v1/cards/card_missing'),
      ];
      const ids = answers.map((answer) => answer.headers.get('x-request-id'));
      assert.ok(ids.every((id) => id?.startsWith('req_')));
      assert.equal(new Set(ids).size, ids.length);
      for (const answer of answers) {
        assert.equal(answer.headers.get('x-ratelimit-limit'), '50');
        assert.match(answer.headers.get('x-ratelimit-remaining') ?? '', /^\d+$/);
        assert.match(answer.headers.get('x-ratelimit-reset') ?? '', /^\d+$/);
      }
    });

    it('refuses missing, wrong and other-environment credentials with 401 ErrUnauthorized', async () => {
      assertError(await call(sandbox, 'GET', '/v2/accounts', { credentials: null }), 401, 'ErrUnauthorized');
      const wrong = { clientId: sandbox.credentials.clientId, clientSecret: 'not-the-secret' };
      assertError(await call(sandbox, 'GET', '/v2/accounts', { credentials: wrong }), 401, 'ErrUnauthorized');
      const crossed = await call(production, 'GET', '/v2/accounts', { credentials: DEFAULT_SIM_CREDENTIALS.sandbox });
      assertError(crossed, 401, 'ErrUnauthorized');
      assert.ok(!crossed.text.includes(DEFAULT_SIM_CREDENTIALS.sandbox.clientSecret), 'never echoes a secret');
      assertError(await call(sandbox, 'GET', '/v2/accounts', { credentials: DEFAULT_SIM_CREDENTIALS.production }), 401, 'ErrUnauthorized');
      assert.deepEqual(production.credentials, DEFAULT_SIM_CREDENTIALS.production);
    });

    it('answers 404 ErrNotFound for unknown routes and ids', async () => {
      assertError(await call(sandbox, 'GET', '/v9/nothing'), 404, 'ErrNotFound');
      assertError(await call(sandbox, 'GET', '/v1/cards/card_missing'), 404, 'ErrNotFound');
      assertError(
        await call(sandbox, 'POST', '/v1/cards/card_missing/topup', { body: { amount: 1, currency: 'GBP' } }),
        404,
        'ErrNotFound',
      );
      assertError(await call(sandbox, 'DELETE', '/v1/webhooks/wh_missing'), 404, 'ErrNotFound');
      assertError(await call(sandbox, 'GET', '/v1/ledger?cardId=card_missing'), 404, 'ErrNotFound');
    });
  });

  describe('programme reads', () => {
    it('lists the master accounts with balance and available money', async () => {
      const answer = await call(sandbox, 'GET', '/v2/accounts');
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body.data, [
        {
          id: 'acc_gbp_main',
          currency: 'GBP',
          balance: { amount: 5_000_000, currency: 'GBP' },
          available: { amount: 5_000_000, currency: 'GBP' },
          status: 'active',
        },
        {
          id: 'acc_eur_main',
          currency: 'EUR',
          balance: { amount: 2_000_000, currency: 'EUR' },
          available: { amount: 2_000_000, currency: 'EUR' },
          status: 'active',
        },
      ]);
    });

    it('serves identical programme settings in both modes except environmentLabel', async () => {
      const [sandboxConfig, productionConfig] = await Promise.all([
        call(sandbox, 'GET', '/v1/program/config'),
        call(production, 'GET', '/v1/program/config'),
      ]);
      assert.equal(sandboxConfig.body.environment, 'sandbox');
      assert.equal(productionConfig.body.environment, 'production');
      assert.equal(sandboxConfig.body.settings.environmentLabel, 'sandbox');
      assert.equal(productionConfig.body.settings.environmentLabel, 'production');
      assert.ok(Object.keys(sandboxConfig.body.settings).length >= 8);
      const withoutLabel = (settings: Record<string, unknown>) => ({ ...settings, environmentLabel: undefined });
      assert.deepEqual(withoutLabel(sandboxConfig.body.settings), withoutLabel(productionConfig.body.settings));
    });

    it('lists the BIN catalogue with fees and restrictions', async () => {
      const answer = await call(sandbox, 'GET', '/v1/bins');
      assert.equal(answer.status, 200);
      assert.equal(answer.body.data.length, 2);
      assert.deepEqual(answer.body.data[0], {
        bin: '535522',
        network: 'mastercard',
        currency: 'GBP',
        fees: { issuance: { amount: 150, currency: 'GBP' }, topupBps: 25 },
        restrictions: { countries: ['GB'], mccBlocked: ['7995'] },
      });
    });
  });

  describe('cards and money', () => {
    it('issues, reads and closes a card, and closing again still answers 200', async () => {
      const card = await issueCard(sandbox, { externalRef: 'emp-42' });
      assert.match(card.id, /^card_/);
      const issued = card as unknown as Record<string, unknown>;
      assert.equal(issued['status'], 'active');
      assert.equal(issued['externalRef'], 'emp-42');
      assert.equal(issued['accountId'], 'acc_gbp_main');
      assert.match(String(issued['last4']), /^\d{4}$/);
      assert.ok(!Number.isNaN(Date.parse(String(issued['createdAt']))));

      const read = await call(sandbox, 'GET', `/v1/cards/${card.id}`);
      assert.equal(read.status, 200);
      assert.equal(read.body.externalRef, 'emp-42');

      for (let i = 0; i < 2; i += 1) {
        const closed = await call(sandbox, 'POST', `/v1/cards/${card.id}/close`);
        assert.equal(closed.status, 200);
        assert.equal(closed.body.id, card.id);
        assert.equal(closed.body.status, 'closed');
      }
      const counters = (await admin(sandbox, 'GET', '/_sim/counters')).body;
      assert.equal(counters.cardsIssued, 1);
      assert.equal(counters.cardsClosed, 1);
    });

    it('tops up a card by debiting the master account and writing a topup ledger entry', async () => {
      const card = await issueCard(sandbox);
      const topUp = await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 2_500, currency: 'GBP' } });
      assert.equal(topUp.status, 201, topUp.text);
      assert.match(topUp.body.transactionId, /^txn_/);
      assert.match(topUp.body.ledgerEntryId, /^led_/);
      assert.deepEqual(
        { cardId: topUp.body.cardId, amount: topUp.body.amount, currency: topUp.body.currency, cardBalance: topUp.body.cardBalance },
        { cardId: card.id, amount: 2_500, currency: 'GBP', cardBalance: 2_500 },
      );

      const accounts = (await call(sandbox, 'GET', '/v2/accounts')).body.data;
      assert.equal(accounts[0].balance.amount, 5_000_000 - 2_500);
      assert.equal(accounts[0].available.amount, 5_000_000 - 2_500);

      const ledger = await call(sandbox, 'GET', `/v1/ledger?cardId=${card.id}`);
      assert.equal(ledger.status, 200);
      assert.equal(ledger.body.data.length, 1);
      const entry = ledger.body.data[0];
      assert.equal(entry.id, topUp.body.ledgerEntryId);
      assert.equal(entry.type, 'topup');
      assert.equal(entry.amount, 2_500);
      assert.equal(entry.currency, 'GBP');
      assert.equal(entry.transactionId, topUp.body.transactionId);
      assert.ok(!Number.isNaN(Date.parse(entry.createdAt)));
    });

    it('refuses to top up a closed card with 409 ErrCardClosed', async () => {
      const card = await issueCard(sandbox);
      await call(sandbox, 'POST', `/v1/cards/${card.id}/close`);
      const answer = await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 100, currency: 'GBP' } });
      assertError(answer, 409, 'ErrCardClosed');
    });

    it('answers 422 ErrInsufficientFunds when the master account cannot cover a top-up', async () => {
      const card = await issueCard(sandbox);
      const funded = await admin(sandbox, 'PUT', '/_sim/accounts/acc_gbp_main', { balance: 1_000 });
      assert.equal(funded.body.available.amount, 1_000);
      const answer = await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 1_001, currency: 'GBP' } });
      assertError(answer, 422, 'ErrInsufficientFunds');
      assert.equal((await call(sandbox, 'GET', '/v2/accounts')).body.data[0].balance.amount, 1_000);
    });

    it('answers 403 ErrForbidden when the master account is suspended', async () => {
      await admin(sandbox, 'PUT', '/_sim/accounts/acc_gbp_main', { balance: 5_000_000, status: 'suspended' });
      const answer = await call(sandbox, 'POST', '/v1/cards', {
        body: { accountId: 'acc_gbp_main', externalRef: 'x', holderName: 'Ada', currency: 'GBP' },
      });
      assertError(answer, 403, 'ErrForbidden');
    });

    it('rejects bad bodies and queries with 422 ErrValidation naming the field', async () => {
      const missing = await call(sandbox, 'POST', '/v1/cards', { body: { accountId: 'acc_gbp_main', externalRef: 'x', currency: 'GBP' } });
      assertError(missing, 422, 'ErrValidation');
      assert.match(missing.body.message, /holderName/);

      const card = await issueCard(sandbox);
      const wrongCurrency = await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 100, currency: 'EUR' } });
      assertError(wrongCurrency, 422, 'ErrValidation');
      assert.match(wrongCurrency.body.message, /currency/);

      const fractional = await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 1.5, currency: 'GBP' } });
      assertError(fractional, 422, 'ErrValidation');
      assert.match(fractional.body.message, /amount/);

      const notJson = await call(sandbox, 'POST', '/v1/cards', { rawBody: '{oops', headers: { 'content-type': 'application/json' } });
      assertError(notJson, 422, 'ErrValidation');

      const noCardId = await call(sandbox, 'GET', '/v1/ledger');
      assertError(noCardId, 422, 'ErrValidation');
      assert.match(noCardId.body.message, /cardId/);

      const badUrl = await call(sandbox, 'POST', '/v1/webhooks', { body: { url: 'not a url', events: ['card.topup'] } });
      assertError(badUrl, 422, 'ErrValidation');
      assert.match(badUrl.body.message, /url/);
    });
  });

  describe('idempotency', () => {
    it('replays the first answer with idempotent-replayed: true and moves money once', async () => {
      const card = await issueCard(sandbox);
      const send = () =>
        call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 700, currency: 'GBP' }, idempotencyKey: 'topup-1' });
      const first = await send();
      const second = await send();
      assert.equal(first.status, 201);
      assert.equal(first.headers.get('idempotent-replayed'), null);
      assert.equal(second.status, 201);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(second.body, first.body);
      assert.notEqual(second.headers.get('x-request-id'), first.headers.get('x-request-id'));

      assert.equal((await call(sandbox, 'GET', '/v2/accounts')).body.data[0].balance.amount, 5_000_000 - 700);
      const counters = (await admin(sandbox, 'GET', '/_sim/counters')).body;
      assert.equal(counters.topUps, 1);
      assert.equal(counters.idempotentReplays, 1);
    });

    it('treats the same JSON in another key order as the same body', async () => {
      const card = await issueCard(sandbox);
      const path = `/v1/cards/${card.id}/topup`;
      await call(sandbox, 'POST', path, { rawBody: '{"amount":5,"currency":"GBP"}', idempotencyKey: 'k' });
      const again = await call(sandbox, 'POST', path, { rawBody: '{"currency":"GBP","amount":5}', idempotencyKey: 'k' });
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
    });

    it('answers 409 ErrIdempotencyConflict for the same key with a different body', async () => {
      const card = await issueCard(sandbox);
      const path = `/v1/cards/${card.id}/topup`;
      await call(sandbox, 'POST', path, { body: { amount: 100, currency: 'GBP' }, idempotencyKey: 'same-key' });
      const answer = await call(sandbox, 'POST', path, { body: { amount: 200, currency: 'GBP' }, idempotencyKey: 'same-key' });
      assertError(answer, 409, 'ErrIdempotencyConflict');
    });

    it('answers 409 ErrIdempotencyInFlight while the first request with the key is still executing', async () => {
      const card = await issueCard(sandbox);
      await admin(sandbox, 'POST', '/_sim/faults', { latencyMs: 300 });
      const send = () =>
        call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 100, currency: 'GBP' }, idempotencyKey: 'slow' });
      const first = send();
      await new Promise((resolve) => setTimeout(resolve, 80));
      const second = await send();
      assertError(second, 409, 'ErrIdempotencyInFlight');
      assert.equal((await first).status, 201);
      await admin(sandbox, 'DELETE', '/_sim/faults');
      const third = await send();
      assert.equal(third.headers.get('idempotent-replayed'), 'true');
    });

    it('rejects an Idempotency-Key longer than 255 characters with 422 ErrValidation', async () => {
      const answer = await call(sandbox, 'POST', '/v1/webhooks', {
        body: { url: receiver.url, events: ['card.topup'] },
        idempotencyKey: 'k'.repeat(256),
      });
      assertError(answer, 422, 'ErrValidation');
      assert.equal(sandbox.state.subscriptions.size, 0);
    });
  });

  describe('rate limiting', () => {
    it('answers 429 ErrRateLimited with Retry-After once the bucket is empty', async () => {
      await admin(sandbox, 'POST', '/_sim/faults', { rateLimit: { perSecond: 0.5, burst: 2 } });
      const first = await call(sandbox, 'GET', '/v1/bins');
      const second = await call(sandbox, 'GET', '/v1/bins');
      const third = await call(sandbox, 'GET', '/v1/bins');
      assert.equal(first.headers.get('x-ratelimit-limit'), '2');
      assert.equal(first.headers.get('x-ratelimit-remaining'), '1');
      assert.equal(second.headers.get('x-ratelimit-remaining'), '0');
      assertError(third, 429, 'ErrRateLimited');
      assert.equal(third.headers.get('retry-after'), '2');
      assert.equal(third.headers.get('x-ratelimit-remaining'), '0');
      assert.ok(Number(third.headers.get('x-ratelimit-reset')) >= 1);
    });

    it('limits each client id separately', async () => {
      const custom = await startSimulator({
        mode: 'sandbox',
        rateLimit: { perSecond: 1, burst: 1 },
        credentials: { clientId: 'other-client', clientSecret: 'other-secret' },
      });
      try {
        assert.equal((await call(custom, 'GET', '/v1/bins')).status, 200);
        assertError(await call(custom, 'GET', '/v1/bins'), 429, 'ErrRateLimited');
        assert.equal((await call(sandbox, 'GET', '/v1/bins')).status, 200);
      } finally {
        await custom.close();
      }
    });

    it('runs before idempotency, so a replay is refused while the bucket is empty', async () => {
      const card = await issueCard(sandbox);
      const send = () =>
        call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 1, currency: 'GBP' }, idempotencyKey: 'rl' });
      assert.equal((await send()).status, 201);
      await admin(sandbox, 'POST', '/_sim/faults', { rateLimit: { perSecond: 0.5, burst: 1 } });
      assert.equal((await send()).headers.get('idempotent-replayed'), 'true');
      assertError(await send(), 429, 'ErrRateLimited');
    });
  });

  describe('webhooks', () => {
    it('creates, lists (without the secret) and deletes subscriptions', async () => {
      const created = await call(sandbox, 'POST', '/v1/webhooks', { body: { url: receiver.url, events: ['card.topup', 'card.closed'] } });
      assert.equal(created.status, 201);
      assert.match(created.body.id, /^wh_/);
      assert.equal(created.body.url, receiver.url);
      assert.deepEqual(created.body.events, ['card.topup', 'card.closed']);
      assert.equal(created.body.status, 'active');
      assert.match(created.body.signingSecret, /^whsec_/);

      const listed = await call(sandbox, 'GET', '/v1/webhooks');
      assert.equal(listed.status, 200);
      assert.equal(listed.body.data.length, 1);
      assert.equal(listed.body.data[0].id, created.body.id);
      assert.equal(listed.body.data[0].signingSecret, undefined);

      const deleted = await call(sandbox, 'DELETE', `/v1/webhooks/${created.body.id}`);
      assert.equal(deleted.status, 204);
      assert.equal(deleted.text, '');
      assert.equal((await call(sandbox, 'GET', '/v1/webhooks')).body.data.length, 0);
      const counters = (await admin(sandbox, 'GET', '/_sim/counters')).body;
      assert.equal(counters.webhookSubscriptionsCreated, 1);
      assert.equal(counters.webhookSubscriptionsDeleted, 1);
    });

    it('delivers a signed webhook.test event and logs the delivery as succeeded', async () => {
      const created = await call(sandbox, 'POST', '/v1/webhooks', { body: { url: `${receiver.url}/hooks`, events: ['card.topup'] } });
      const test = await call(sandbox, 'POST', `/v1/webhooks/${created.body.id}/test`);
      assert.equal(test.status, 202);
      assert.match(test.body.deliveryId, /^dlv_/);

      const [delivery] = await finishedDeliveries(sandbox, created.body.id);
      assert.deepEqual(
        { ...delivery, lastAttemptAt: undefined, createdAt: undefined, eventId: undefined },
        {
          id: test.body.deliveryId,
          eventType: 'webhook.test',
          status: 'succeeded',
          responseStatus: 204,
          attempts: 1,
          lastAttemptAt: undefined,
          createdAt: undefined,
          eventId: undefined,
        },
      );
      const [event] = receiver.events;
      assert.equal(event?.type, 'webhook.test');
      assert.equal(event?.path, '/hooks');
      assert.equal(event?.verified, true);
    });

    it('retries a failing delivery and shows the attempts in the delivery log', async () => {
      const created = await call(sandbox, 'POST', '/v1/webhooks', { body: { url: receiver.url, events: ['card.topup'] } });
      const fail = await fetch(`${receiver.url}/_receiver/fail`, { method: 'POST', body: JSON.stringify({ count: 2, status: 503 }) });
      assert.equal(fail.status, 200);
      await call(sandbox, 'POST', `/v1/webhooks/${created.body.id}/test`);
      const [recovered] = await finishedDeliveries(sandbox, created.body.id);
      assert.equal((recovered as any).status, 'succeeded');
      assert.equal((recovered as any).attempts, 3);
      assert.equal((recovered as any).responseStatus, 204);

      receiver.failNext(5, 500);
      await call(sandbox, 'POST', `/v1/webhooks/${created.body.id}/test`);
      const deliveries = await finishedDeliveries(sandbox, created.body.id, 2);
      const failed = deliveries[1] as any;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attempts, 3);
      assert.equal(failed.responseStatus, 500);
      const counters = (await admin(sandbox, 'GET', '/_sim/counters')).body;
      assert.deepEqual(counters.webhookDeliveries, { succeeded: 1, failed: 1, pending: 0 });
    });

    it('gives up on a receiver that does not answer within the timeout', async () => {
      const hanging: Server = createServer(() => undefined);
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = hanging.address() as AddressInfo;
        const created = await call(sandbox, 'POST', '/v1/webhooks', { body: { url: `http://127.0.0.1:${port}/`, events: ['card.topup'] } });
        await call(sandbox, 'POST', `/v1/webhooks/${created.body.id}/test`);
        const [delivery] = (await finishedDeliveries(sandbox, created.body.id)) as any[];
        assert.equal(delivery.status, 'failed');
        assert.equal(delivery.attempts, 3);
        assert.equal(delivery.responseStatus, null);
      } finally {
        hanging.closeAllConnections();
        await new Promise((resolve) => hanging.close(resolve));
      }
    });

    it('sends card.topup only to subscriptions that include it', async () => {
      const topups = await call(sandbox, 'POST', '/v1/webhooks', { body: { url: `${receiver.url}/topups`, events: ['card.topup'] } });
      const closes = await call(sandbox, 'POST', '/v1/webhooks', { body: { url: `${receiver.url}/closes`, events: ['card.closed'] } });
      const card = await issueCard(sandbox);
      const topUp = await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 900, currency: 'GBP' } });
      await finishedDeliveries(sandbox, topups.body.id);
      const closeLog = await call(sandbox, 'GET', `/v1/webhooks/${closes.body.id}/deliveries`);
      assert.equal(closeLog.body.data.length, 0);
      const event = receiver.events.find((received) => received.type === 'card.topup');
      assert.equal(event?.path, '/topups');
      assert.equal(event?.verified, true);
      assert.equal((event?.data as { transactionId?: string }).transactionId, topUp.body.transactionId);
    });

    it('stops delivering on close() so nothing keeps the process alive', async () => {
      const hanging: Server = createServer(() => undefined);
      await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      const sim = await startSimulator({ mode: 'sandbox', webhookTimeoutMs: 5_000, webhookRetryDelaysMs: [60_000] });
      try {
        const { port } = hanging.address() as AddressInfo;
        const created = await call(sim, 'POST', '/v1/webhooks', { body: { url: `http://127.0.0.1:${port}/`, events: ['card.topup'] } });
        await call(sim, 'POST', `/v1/webhooks/${created.body.id}/test`);
        await waitFor(async () => (sim.state.deliveries[0]?.attempts === 1 ? true : undefined));
        const started = Date.now();
        await sim.close();
        assert.ok(Date.now() - started < 1_000, 'close() does not wait for the slow receiver');
      } finally {
        hanging.closeAllConnections();
        await new Promise((resolve) => hanging.close(resolve));
      }
    });
  });

  describe('sandbox transactions and reports', () => {
    it('approves and declines sandbox authorizations', async () => {
      const card = await issueCard(sandbox);
      await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 1_000, currency: 'GBP' } });
      const authorize = (amount: number, mcc: string, country = 'GB') =>
        call(sandbox, 'POST', '/sandbox/transactions', {
          body: { cardId: card.id, amount, currency: 'GBP', merchant: { name: 'Corner Shop', mcc, country } },
        });

      const approved = await authorize(400, '5411');
      assert.equal(approved.status, 201);
      assert.match(approved.body.authorizationId, /^auth_/);
      assert.equal(approved.body.status, 'approved');
      assert.equal(approved.body.declineReason, undefined);

      assert.deepEqual(
        { ...(await authorize(10, '7995')).body, authorizationId: undefined },
        {
          authorizationId: undefined,
          status: 'declined',
          declineReason: 'mcc_blocked',
        },
      );
      assert.equal((await authorize(10, '5411', 'US')).body.declineReason, 'country_not_allowed');
      assert.equal((await authorize(700, '5411')).body.declineReason, 'insufficient_funds');
      assert.equal((await call(sandbox, 'GET', `/v1/cards/${card.id}`)).body.balance.amount, 600);
    });

    it('reads an authorization by id, sandbox-simulated or recorded at production through the admin API', async () => {
      const card = await issueCard(sandbox);
      await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 1_000, currency: 'GBP' } });
      const merchant = { name: 'Corner Shop', mcc: '5411', country: 'GB' };
      const simulated = await call(sandbox, 'POST', '/sandbox/transactions', {
        body: { cardId: card.id, amount: 400, currency: 'GBP', merchant },
      });
      const read = await call(sandbox, 'GET', `/v1/authorizations/${simulated.body.authorizationId}`);
      assert.equal(read.status, 200, read.text);
      assert.deepEqual(
        { ...read.body, createdAt: undefined },
        {
          id: simulated.body.authorizationId,
          cardId: card.id,
          status: 'approved',
          amount: { amount: 400, currency: 'GBP' },
          merchant,
          createdAt: undefined,
        },
      );

      const recorded = await admin(production, 'POST', '/_sim/authorizations', {
        amount: 150,
        status: 'declined',
        at: '2026-12-01T09:05:00Z',
      });
      assert.equal(recorded.status, 201, recorded.text);
      const fromProduction = await call(production, 'GET', `/v1/authorizations/${recorded.body.id}`);
      assert.equal(fromProduction.body.status, 'declined');
      assert.equal(fromProduction.body.declineReason, 'do_not_honour');
      assert.equal(fromProduction.body.createdAt, '2026-12-01T09:05:00.000Z');
      const programmeCard = await call(production, 'GET', `/v1/cards/${fromProduction.body.cardId}`);
      assert.equal(programmeCard.body.accountId, 'acc_gbp_main', "without a card id it goes on a card of the currency's account");
      assert.equal((await admin(production, 'GET', '/_sim/counters')).body.cardsIssued, 0, 'that card stands in for one the programme had');

      assertError(await call(production, 'GET', '/v1/authorizations/auth_nowhere'), 404, 'ErrNotFound');
      await admin(production, 'POST', '/_sim/inject/authorizations', { approved: 1 });
      assertError(await call(production, 'GET', '/v1/authorizations/auth_synthetic_1'), 404, 'ErrNotFound');
    });

    it('finds the cards issued under an external reference', async () => {
      const card = await issueCard(production);
      const found = await call(production, 'GET', '/v1/cards?externalRef=ext-1');
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(
        found.body.data.map((c: { id: string }) => c.id),
        [card.id],
      );
      assert.deepEqual((await call(production, 'GET', '/v1/cards?externalRef=nobody')).body.data, []);
      assertError(await call(production, 'GET', '/v1/cards'), 422, 'ErrValidation');
    });

    it('answers 404 ErrNotAvailableInProduction for sandbox transactions in production', async () => {
      const answer = await call(production, 'POST', '/sandbox/transactions', {
        body: { cardId: 'card_x', amount: 1, currency: 'GBP', merchant: { name: 'Shop', mcc: '5411', country: 'GB' } },
      });
      assertError(answer, 404, 'ErrNotAvailableInProduction');
    });

    it('reports metrics for a time window and the day’s fee statement', async () => {
      const from = new Date(Date.now() - 60_000).toISOString();
      const card = await issueCard(sandbox);
      await call(sandbox, 'POST', `/v1/cards/${card.id}/topup`, { body: { amount: 10_000, currency: 'GBP' } });
      await call(sandbox, 'POST', '/sandbox/transactions', {
        body: { cardId: card.id, amount: 300, currency: 'GBP', merchant: { name: 'Shop', mcc: '5411', country: 'GB' } },
      });
      await call(sandbox, 'POST', '/sandbox/transactions', {
        body: { cardId: card.id, amount: 300, currency: 'GBP', merchant: { name: 'Casino', mcc: '7995', country: 'GB' } },
      });
      await admin(sandbox, 'POST', '/_sim/faults', { force: { count: 1, code: 'ErrRateLimited', path: '/v1/bins' } });
      await call(sandbox, 'GET', '/v1/bins');
      await admin(sandbox, 'POST', '/_sim/activity', { refunds: { count: 2, amount: 150 } });
      const to = new Date(Date.now() + 60_000).toISOString();

      const report = await call(sandbox, 'GET', `/v1/reports/metrics?from=${from}&to=${to}`);
      assert.equal(report.status, 200, report.text);
      assert.deepEqual(report.body, {
        from,
        to,
        authorizations: { approved: 1, declined: 1 },
        settlements: { count: 1, amount: 300 },
        refunds: { count: 2, amount: 150 },
        fees: { amount: 150 + 25, currency: 'GBP' },
        feesByCurrency: { GBP: 150 + 25 },
        webhooks: { succeeded: 0, failed: 0 },
        rateLimited: 1,
      });
      assertError(await call(sandbox, 'GET', `/v1/reports/metrics?from=${from}`), 422, 'ErrValidation');

      const today = new Date().toISOString().slice(0, 10);
      const statement = await call(sandbox, 'GET', `/v1/statements/${today}`);
      assert.deepEqual(statement.body, {
        date: today,
        currency: 'GBP',
        fees: { total: 175, byType: { issuance: 150, topup: 25 } },
        // A line per currency the programme holds and fee type, in the currency's own minor units.
        lines: [
          { currency: 'EUR', type: 'issuance', amount: 0 },
          { currency: 'EUR', type: 'topup', amount: 0 },
          { currency: 'GBP', type: 'issuance', amount: 150 },
          { currency: 'GBP', type: 'topup', amount: 25 },
        ],
      });
      assertError(await call(sandbox, 'GET', '/v1/statements/2024-02-30'), 422, 'ErrValidation');
    });
  });

  describe('admin API', () => {
    it('forces error answers on matching requests, counting down', async () => {
      await admin(sandbox, 'POST', '/_sim/faults', {
        force: [
          { count: 2, code: 'ErrUnavailable', path: '/v2/accounts' },
          { count: 1, code: 'ErrInternal', path: '/v1/bins', method: 'get' },
          { count: 1, code: 'ErrForbidden', path: '/v1/program' },
        ],
      });
      assertError(await call(sandbox, 'GET', '/v2/accounts'), 503, 'ErrUnavailable');
      assertError(await call(sandbox, 'GET', '/v2/accounts'), 503, 'ErrUnavailable');
      assert.equal((await call(sandbox, 'GET', '/v2/accounts')).status, 200);
      assertError(await call(sandbox, 'GET', '/v1/bins'), 500, 'ErrInternal');
      assertError(await call(sandbox, 'GET', '/v1/program/config'), 403, 'ErrForbidden');
      assert.deepEqual((await admin(sandbox, 'GET', '/_sim/faults')).body.force, []);

      await admin(sandbox, 'POST', '/_sim/faults', { force: { count: 1, code: 'ErrRateLimited', retryAfterSeconds: 3 } });
      const limited = await call(sandbox, 'GET', '/v1/bins');
      assertError(limited, 429, 'ErrRateLimited');
      assert.equal(limited.headers.get('retry-after'), '3');
    });

    it('answers malformed 200s that are not JSON or not the documented shape', async () => {
      await admin(sandbox, 'POST', '/_sim/faults', {
        malformed: [
          { count: 1, kind: 'invalid-json', path: '/v1/bins' },
          { count: 1, kind: 'wrong-shape', path: '/v2/accounts' },
        ],
      });
      const invalid = await call(sandbox, 'GET', '/v1/bins');
      assert.equal(invalid.status, 200);
      assert.equal(invalid.body, undefined);
      assert.ok(invalid.headers.get('x-request-id'));
      const wrongShape = await call(sandbox, 'GET', '/v2/accounts');
      assert.equal(wrongShape.status, 200);
      assert.ok(!Array.isArray(wrongShape.body.data));
      assert.ok(wrongShape.headers.get('x-request-id'));
      assert.equal((await call(sandbox, 'GET', '/v1/bins')).body.data.length, 2);
    });

    it('carries out a request and then spoils its answer for a spoil-answer fault, keeping status and request id', async () => {
      await admin(production, 'POST', '/_sim/faults', {
        force: { count: 1, kind: 'spoil-answer', body: 'invalid-json', path: '/v1/cards', method: 'POST' },
      });
      const spoiled = await call(production, 'POST', '/v1/cards', {
        body: { accountId: 'acc_gbp_main', externalRef: 'spoiled-1', holderName: 'A', currency: 'GBP' },
        idempotencyKey: 'spoil-1',
      });
      assert.equal(spoiled.status, 201);
      assert.equal(spoiled.body, undefined, 'the body is not JSON');
      assert.ok(spoiled.headers.get('x-request-id'));
      assert.equal(production.state.cards.size, 1, 'PayCA acted');
      const counters = (await admin(production, 'GET', '/_sim/counters')).body;
      assert.equal(counters.answersByCode.AnswerSpoiled, 1);
      const replay = await call(production, 'POST', '/v1/cards', {
        body: { accountId: 'acc_gbp_main', externalRef: 'spoiled-1', holderName: 'A', currency: 'GBP' },
        idempotencyKey: 'spoil-1',
      });
      assert.equal(replay.headers.get('idempotent-replayed'), 'true');
      assert.equal(replay.body.externalRef, 'spoiled-1', 'the key remembers what PayCA did, not the spoiled body');
    });

    it('answers 503 ErrUnavailable during an outage, health included', async () => {
      await admin(sandbox, 'POST', '/_sim/faults', { outage: { durationMs: 200 } });
      const down = await call(sandbox, 'GET', '/health', { credentials: null });
      assertError(down, 503, 'ErrUnavailable');
      assert.equal(down.headers.get('retry-after'), '1');
      await new Promise((resolve) => setTimeout(resolve, 250));
      assert.equal((await call(sandbox, 'GET', '/health', { credentials: null })).status, 200);
    });

    it('drops the connection without an answer for a reset fault', async () => {
      await admin(sandbox, 'POST', '/_sim/faults', { force: { count: 1, kind: 'reset', path: '/v2/accounts' } });
      await assert.rejects(call(sandbox, 'GET', '/v2/accounts'));
      assert.equal((await call(sandbox, 'GET', '/v2/accounts')).status, 200);
    });

    it('delays answers by latencyMs until the faults are cleared', async () => {
      await admin(sandbox, 'POST', '/_sim/faults', { latencyMs: 150 });
      let started = Date.now();
      await call(sandbox, 'GET', '/v1/bins');
      assert.ok(Date.now() - started >= 140);
      const cleared = await admin(sandbox, 'DELETE', '/_sim/faults');
      assert.equal(cleared.body.latencyMs, 0);
      started = Date.now();
      await call(sandbox, 'GET', '/v1/bins');
      assert.ok(Date.now() - started < 140);
    });

    it('rejects an unusable fault with 422 ErrValidation', async () => {
      const answer = await admin(sandbox, 'POST', '/_sim/faults', { force: { count: 1 } });
      assertError(answer, 422, 'ErrValidation');
      assert.match(answer.body.message, /code/);
    });

    it('counts requests, replays and answers by status and by error code', async () => {
      await call(sandbox, 'GET', '/v1/bins');
      await call(sandbox, 'GET', '/v1/bins', { credentials: null });
      await call(sandbox, 'POST', '/v1/webhooks', { body: { url: receiver.url, events: ['card.topup'] }, idempotencyKey: 'c' });
      await call(sandbox, 'POST', '/v1/webhooks', { body: { url: receiver.url, events: ['card.topup'] }, idempotencyKey: 'c' });
      const counters = (await admin(sandbox, 'GET', '/_sim/counters')).body;
      assert.equal(counters.requests, 4);
      assert.equal(counters.idempotentReplays, 1);
      assert.deepEqual(counters.answersByCode, { '200': 1, '201': 2, ErrUnauthorized: 1 });
      assert.equal(counters.webhookSubscriptionsCreated, 1);
      for (const key of ['cardsIssued', 'cardsClosed', 'topUps', 'ledgerEntries', 'webhookSubscriptionsDeleted', 'jobChanges']) {
        assert.equal(counters[key], 0, key);
      }
    });

    it('sets balances and settings, dumps state, and resets to the initial world', async () => {
      const created = await admin(sandbox, 'PUT', '/_sim/accounts/acc_usd_new', { balance: 10, currency: 'USD' });
      assert.equal(created.status, 200);
      assertError(await admin(sandbox, 'PUT', '/_sim/accounts/acc_missing', { balance: 10 }), 404, 'ErrNotFound');
      const config = await admin(sandbox, 'PUT', '/_sim/config', { settings: { threeDSecure: 'optional', programName: null } });
      assert.equal(config.body.settings.threeDSecure, 'optional');
      assert.equal(config.body.settings.programName, undefined);
      await issueCard(sandbox);

      const dump = (await admin(sandbox, 'GET', '/_sim/state')).body;
      assert.equal(dump.mode, 'sandbox');
      assert.equal(dump.cards.length, 1);
      assert.equal(dump.accounts.length, 3);
      assert.ok(Array.isArray(dump.subscriptions));

      await admin(sandbox, 'POST', '/_sim/reset');
      assert.equal(sandbox.state.cards.size, 0);
      assert.equal(sandbox.state.accounts.size, 2);
      assert.equal(sandbox.state.settings['threeDSecure'], 'required');
      assert.equal((await admin(sandbox, 'GET', '/_sim/counters')).body.requests, 0);
    });

    it('disables and enables sandbox automation jobs, creating unknown ones enabled', async () => {
      const fresh = await admin(sandbox, 'GET', '/_sim/jobs/nightly-card-sweep');
      assert.deepEqual(fresh.body, { name: 'nightly-card-sweep', enabled: true });
      const disabled = await admin(sandbox, 'POST', '/_sim/jobs/nightly-card-sweep/disable');
      assert.deepEqual(disabled.body, { name: 'nightly-card-sweep', enabled: false, wasEnabled: true });
      assert.equal((await admin(sandbox, 'GET', '/_sim/jobs/nightly-card-sweep')).body.enabled, false);
      const listed = (await admin(sandbox, 'GET', '/_sim/jobs')).body.data as { name: string; enabled: boolean }[];
      assert.deepEqual(
        listed.find((job) => job.name === 'nightly-card-sweep'),
        { name: 'nightly-card-sweep', enabled: false },
      );
      await admin(sandbox, 'POST', '/_sim/jobs/nightly-card-sweep/enable');
      await admin(sandbox, 'POST', '/_sim/jobs/brand-new/disable');
      assert.equal((await admin(sandbox, 'GET', '/_sim/jobs/brand-new')).body.enabled, false);
      assert.equal((await admin(sandbox, 'GET', '/_sim/counters')).body.jobChanges, 3);
    });
  });

  describe('webhook receiver', () => {
    it('lists received events over HTTP and fails the next N on request', async () => {
      const body = JSON.stringify({ id: 'evt_1', type: 'webhook.test', createdAt: new Date().toISOString(), data: {} });
      const secret = 'whsec_local';
      const local = await startWebhookReceiver({ signingSecrets: [secret], failNext: 1 });
      try {
        const post = (signature: string) =>
          fetch(`${local.url}/any/path`, { method: 'POST', body, headers: { 'payca-signature': signature } });
        const signature = signWebhook(secret, body, Math.floor(Date.now() / 1000));
        assert.equal((await post(signature)).status, 500);
        assert.equal((await post(signature)).status, 204);
        assert.equal((await post('t=1,v1=00')).status, 204);
        const listed = (await (await fetch(`${local.url}/_receiver/events`)).json()) as { data: { verified: boolean }[] };
        assert.deepEqual(
          listed.data.map((event) => event.verified),
          [true, false],
        );
        assert.equal(local.attempts, 3);
      } finally {
        await local.close();
      }
    });
  });
});

describe('PayCA webhook signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"evt_1","type":"card.topup"}';
  const t = 1_700_000_000;
  const at = (seconds: number) => () => new Date(seconds * 1000);

  it('signs as t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    assert.match(signWebhook(secret, body, t), /^t=1700000000,v1=[0-9a-f]{64}$/);
  });

  it('verifies its own signature within the tolerance', () => {
    assert.equal(verifyWebhookSignature(secret, body, signWebhook(secret, body, t), { now: at(t + 10) }), true);
  });

  it('rejects a tampered body, another secret, an old timestamp and a garbled header', () => {
    const header = signWebhook(secret, body, t);
    assert.equal(verifyWebhookSignature(secret, `${body} `, header, { now: at(t) }), false);
    assert.equal(verifyWebhookSignature('whsec_other', body, header, { now: at(t) }), false);
    assert.equal(verifyWebhookSignature(secret, body, header, { now: at(t + 301) }), false);
    assert.equal(verifyWebhookSignature(secret, body, header, { now: at(t + 1_000), toleranceSeconds: 2_000 }), true);
    assert.equal(verifyWebhookSignature(secret, body, 'v1=abc', { now: at(t) }), false);
    assert.equal(verifyWebhookSignature(secret, body, undefined), false);
  });
});
