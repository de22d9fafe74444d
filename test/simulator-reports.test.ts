/**
 * The simulator's reports as a post-launch watch reads them: metrics and statements that follow the
 * traffic the simulator saw, windowed by timestamp, and the `/_sim/inject/…` events that make each
 * alert rule fire and recover. Real HTTP on loopback; a settable business clock keeps windows exact.
 */
import assert from 'node:assert/strict';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.js';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../src/simulator/webhook-receiver.js';

interface Answer {
  status: number;
  body: any;
  text: string;
}

const DAY_1 = '2026-12-01';
const T0 = Date.parse(`${DAY_1}T09:00:00.000Z`);
const minutes = (count: number) => count * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('PayCA simulator reports and alert injections', function () {
  this.timeout(10_000);

  let sim: RunningSimulator;
  let receiver: RunningWebhookReceiver;
  let clockMs = T0;

  async function send(method: string, path: string, body?: unknown, withCredentials = true): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (withCredentials) {
      headers['x-client-id'] = sim.credentials.clientId;
      headers['x-client-secret'] = sim.credentials.clientSecret;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${sim.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), text };
  }

  const call = (method: string, path: string, body?: unknown) => send(method, path, body);
  const admin = (method: string, path: string, body?: unknown) => send(method, path, body, false);

  async function ok(answerPromise: Promise<Answer>, status = 200): Promise<any> {
    const answer = await answerPromise;
    assert.equal(answer.status, status, answer.text);
    return answer.body;
  }

  async function metrics(fromMs: number, toMs: number): Promise<any> {
    return ok(call('GET', `/v1/reports/metrics?from=${iso(fromMs)}&to=${iso(toMs)}`));
  }

  async function issueCard(): Promise<string> {
    const card = await ok(
      call('POST', '/v1/cards', { accountId: 'acc_gbp_main', externalRef: 'ext-1', holderName: 'Ada', currency: 'GBP' }),
      201,
    );
    return card.id as string;
  }

  const authorize = (cardId: string, mcc = '5411') =>
    ok(
      call('POST', '/sandbox/transactions', { cardId, amount: 100, currency: 'GBP', merchant: { name: 'Shop', mcc, country: 'GB' } }),
      201,
    );

  async function assertInvalid(path: string, body: unknown, field: string): Promise<void> {
    const answer = await admin('POST', path, body);
    assert.equal(answer.status, 422, answer.text);
    assert.equal(answer.body.code, 'ErrValidation');
    assert.match(answer.body.message, new RegExp(`\\b${field}\\b`), `${path} ${JSON.stringify(body)}: ${answer.text}`);
  }

  before(async () => {
    sim = await startSimulator({
      mode: 'sandbox',
      now: () => new Date(clockMs),
      rateLimit: { perSecond: 1_000, burst: 1_000 },
      webhookTimeoutMs: 300,
      webhookRetryDelaysMs: [20, 40],
    });
    receiver = await startWebhookReceiver();
  });

  after(async () => {
    await Promise.all([sim?.close(), receiver?.close()]);
  });

  beforeEach(async () => {
    clockMs = T0;
    await ok(admin('POST', '/_sim/reset'));
    receiver.failNext(0);
  });

  describe('metrics and statements from real traffic', () => {
    it('counts in a window only what happened inside it', async () => {
      const card = await issueCard();
      await ok(call('POST', `/v1/cards/${card}/topup`, { amount: 10_000, currency: 'GBP' }), 201);
      await authorize(card);
      await authorize(card, '7995');
      await ok(admin('POST', '/_sim/faults', { force: { count: 1, code: 'ErrRateLimited', path: '/v1/bins' } }));
      assert.equal((await call('GET', '/v1/bins')).status, 429);

      clockMs = T0 + minutes(7);
      await authorize(card, '7995');
      await authorize(card, '7995');
      await ok(admin('POST', '/_sim/activity', { refunds: { count: 1, amount: 40 } }));

      const first = await metrics(T0, T0 + minutes(5));
      assert.deepEqual(first.authorizations, { approved: 1, declined: 1 });
      assert.deepEqual(first.settlements, { count: 1, amount: 100 });
      assert.deepEqual(first.refunds, { count: 0, amount: 0 });
      assert.deepEqual(first.fees, { amount: 150 + 25, currency: 'GBP' });
      assert.equal(first.rateLimited, 1);

      const second = await metrics(T0 + minutes(5), T0 + minutes(10));
      assert.deepEqual(second.authorizations, { approved: 0, declined: 2 });
      assert.deepEqual(second.settlements, { count: 0, amount: 0 });
      assert.deepEqual(second.refunds, { count: 1, amount: 40 });
      assert.deepEqual(second.fees, { amount: 0, currency: 'GBP' });
      assert.equal(second.rateLimited, 0);
    });

    it('treats the window as half-open, so back-to-back windows never count an event twice', async () => {
      await ok(admin('POST', '/_sim/inject/authorizations', { declined: 1, at: iso(T0 + minutes(5)) }));
      assert.equal((await metrics(T0, T0 + minutes(5))).authorizations.declined, 0);
      assert.equal((await metrics(T0 + minutes(5), T0 + minutes(10))).authorizations.declined, 1);
    });

    it('records issuance and top-up fees in the metrics and in that day’s statement by type', async () => {
      const first = await issueCard();
      const second = await issueCard();
      await ok(call('POST', `/v1/cards/${first}/topup`, { amount: 10_000, currency: 'GBP' }), 201);
      await ok(call('POST', `/v1/cards/${second}/topup`, { amount: 4_000, currency: 'GBP' }), 201);
      clockMs = T0 + minutes(24 * 60);
      await issueCard();

      const day1 = await metrics(Date.parse(`${DAY_1}T00:00:00Z`), Date.parse(`${DAY_1}T00:00:00Z`) + minutes(24 * 60));
      assert.deepEqual(day1.fees, { amount: 300 + 25 + 10, currency: 'GBP' });
      const statement = await ok(call('GET', `/v1/statements/${DAY_1}`));
      assert.deepEqual(statement, {
        date: DAY_1,
        currency: 'GBP',
        fees: { total: 335, byType: { issuance: 300, topup: 35 } },
        lines: [
          { currency: 'EUR', type: 'issuance', amount: 0 },
          { currency: 'EUR', type: 'topup', amount: 0 },
          { currency: 'GBP', type: 'issuance', amount: 300 },
          { currency: 'GBP', type: 'topup', amount: 35 },
        ],
      });
      const day2 = await ok(call('GET', '/v1/statements/2026-12-02'));
      assert.deepEqual(day2.fees, { total: 150, byType: { issuance: 150, topup: 0 } });
    });

    it('counts every webhook delivery attempt by its outcome, including retries a failing receiver causes', async () => {
      const subscription = await ok(call('POST', '/v1/webhooks', { url: `${receiver.url}/hooks`, events: ['card.created'] }), 201);
      receiver.failNext(2);
      await issueCard();
      const deadline = Date.now() + 3_000;
      let deliveries: any[] = [];
      while (Date.now() < deadline) {
        deliveries = (await ok(call('GET', `/v1/webhooks/${subscription.id}/deliveries`))).data;
        if (deliveries.length === 1 && deliveries[0].status !== 'pending') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(deliveries[0]?.status, 'succeeded');
      assert.equal(deliveries[0]?.attempts, 3);

      assert.deepEqual((await metrics(T0, T0 + minutes(5))).webhooks, { succeeded: 1, failed: 2 });
      assert.deepEqual((await metrics(T0 + minutes(5), T0 + minutes(10))).webhooks, { succeeded: 0, failed: 0 });
    });
  });

  describe('alert injections', () => {
    it('injects webhook delivery failures into their window only, firing a >1% failure rate and then recovering', async () => {
      await ok(admin('POST', '/_sim/inject/webhook-failures', { count: 3, succeeded: 97, at: iso(T0 + minutes(1)) }));
      clockMs = T0 + minutes(6);
      const recovered = await ok(admin('POST', '/_sim/inject/webhook-failures', { count: 0, succeeded: 200 }));
      assert.equal(recovered.at, iso(T0 + minutes(6)));

      assert.deepEqual((await metrics(T0, T0 + minutes(5))).webhooks, { succeeded: 97, failed: 3 });
      assert.deepEqual((await metrics(T0 + minutes(5), T0 + minutes(10))).webhooks, { succeeded: 200, failed: 0 });
      const state = await ok(admin('GET', '/_sim/state'));
      assert.deepEqual(
        state.injections.map((injection: any) => injection.kind),
        ['webhook-failures', 'webhook-failures'],
      );
    });

    it('injects an ErrRateLimited spike into the metrics without blocking real calls', async () => {
      await ok(admin('POST', '/_sim/inject/rate-limited', { count: 25, at: iso(T0 + minutes(2)) }));
      assert.equal((await call('GET', '/v1/bins')).status, 200);

      assert.equal((await metrics(T0, T0 + minutes(5))).rateLimited, 25);
      assert.equal((await metrics(T0 + minutes(5), T0 + minutes(10))).rateLimited, 0);
      const counters = await ok(admin('GET', '/_sim/counters'));
      assert.equal(counters.answersByCode.ErrRateLimited, undefined);
    });

    it('injects authorizations for a decline-rate shift in their window only', async () => {
      await ok(admin('POST', '/_sim/inject/authorizations', { approved: 95, declined: 5 }));
      await ok(admin('POST', '/_sim/inject/authorizations', { approved: 40, declined: 60, at: iso(T0 + minutes(6)) }));

      assert.deepEqual((await metrics(T0, T0 + minutes(5))).authorizations, { approved: 95, declined: 5 });
      assert.deepEqual((await metrics(T0 + minutes(5), T0 + minutes(10))).authorizations, { approved: 40, declined: 60 });
      assert.deepEqual((await metrics(T0 + minutes(10), T0 + minutes(15))).authorizations, { approved: 0, declined: 0 });
    });

    it('drains a master account to or by an amount, and restores what the drains took', async () => {
      const balance = async () => {
        const accounts = await ok(call('GET', '/v2/accounts'));
        const account = accounts.data.find((candidate: any) => candidate.id === 'acc_gbp_main');
        return { balance: account.balance.amount as number, available: account.available.amount as number };
      };
      const drained = await ok(admin('POST', '/_sim/inject/balance-drain', { accountId: 'acc_gbp_main', to: 1_000 }));
      assert.equal(drained.drained, 4_999_000);
      assert.deepEqual(await balance(), { balance: 1_000, available: 1_000 });
      await ok(admin('POST', '/_sim/inject/balance-drain', { accountId: 'acc_gbp_main', by: 400 }));
      assert.deepEqual(await balance(), { balance: 600, available: 600 });

      const restored = await ok(admin('POST', '/_sim/inject/balance-restore', { accountId: 'acc_gbp_main' }));
      assert.equal(restored.restored, 4_999_400);
      assert.deepEqual(await balance(), { balance: 5_000_000, available: 5_000_000 });
      const again = await ok(admin('POST', '/_sim/inject/balance-restore', { accountId: 'acc_gbp_main' }));
      assert.equal(again.restored, 0);

      const state = await ok(admin('GET', '/_sim/state'));
      assert.deepEqual(
        state.injections.map((injection: any) => [injection.kind, injection.at]),
        [
          ['balance-drain', iso(T0)],
          ['balance-drain', iso(T0)],
          ['balance-restore', iso(T0)],
          ['balance-restore', iso(T0)],
        ],
      );
    });

    it('makes the day’s statement exceed the fees in the metrics by an injected adjustment', async () => {
      await issueCard();
      const adjustment = await ok(admin('POST', '/_sim/inject/statement-adjustment', { date: DAY_1, amount: 75, type: 'chargeback_fee' }));
      assert.equal(adjustment.currency, 'GBP');
      await ok(admin('POST', '/_sim/inject/statement-adjustment', { date: '2026-12-02', amount: 999 }));

      const dayStart = Date.parse(`${DAY_1}T00:00:00Z`);
      const metered = (await metrics(dayStart, dayStart + minutes(24 * 60))).fees.amount;
      const statement = await ok(call('GET', `/v1/statements/${DAY_1}`));
      assert.deepEqual(statement.fees, { total: 225, byType: { issuance: 150, topup: 0, chargeback_fee: 75 } });
      assert.equal(statement.fees.total - metered, 75);
      const nextDay = await ok(call('GET', '/v1/statements/2026-12-02'));
      assert.deepEqual(nextDay.fees.byType, { issuance: 0, topup: 0, adjustment: 999 });
    });

    it('itemises the statement and the metrics fees in every currency, not only the default one', async () => {
      await issueCard();
      await ok(admin('POST', '/_sim/inject/statement-adjustment', { date: DAY_1, amount: 987_654, type: 'scheme_fee', currency: 'EUR' }));
      await ok(admin('POST', '/_sim/inject/statement-adjustment', { date: DAY_1, amount: 40, currency: 'USD' }));

      const dayStart = Date.parse(`${DAY_1}T00:00:00Z`);
      const metered = await metrics(dayStart, dayStart + minutes(24 * 60));
      assert.deepEqual(metered.fees, { amount: 150, currency: 'GBP' }, 'the default currency keeps its place');
      assert.deepEqual(metered.feesByCurrency, { GBP: 150 });

      const statement = await ok(call('GET', `/v1/statements/${DAY_1}`));
      assert.equal(statement.currency, 'GBP');
      assert.deepEqual(statement.fees.byType, { issuance: 150, topup: 0 });
      assert.deepEqual(statement.lines, [
        { currency: 'EUR', type: 'issuance', amount: 0 },
        { currency: 'EUR', type: 'topup', amount: 0 },
        { currency: 'EUR', type: 'scheme_fee', amount: 987_654 },
        { currency: 'GBP', type: 'issuance', amount: 150 },
        { currency: 'GBP', type: 'topup', amount: 0 },
        { currency: 'USD', type: 'issuance', amount: 0 },
        { currency: 'USD', type: 'topup', amount: 0 },
        { currency: 'USD', type: 'adjustment', amount: 40 },
      ]);

      // A currency the programme dropped is not on a day's statement that billed nothing in it.
      await ok(admin('PUT', '/_sim/config', { settings: { supportedCurrencies: 'GBP' } }));
      const dropped = await ok(call('GET', '/v1/statements/2026-12-03'));
      assert.deepEqual(dropped.lines, [
        { currency: 'GBP', type: 'issuance', amount: 0 },
        { currency: 'GBP', type: 'topup', amount: 0 },
      ]);
    });

    it('answers 422 naming the field for bad injection bodies', async () => {
      await assertInvalid('/_sim/inject/webhook-failures', { count: -1 }, 'count');
      await assertInvalid('/_sim/inject/webhook-failures', { count: 1, succeeded: 'many' }, 'succeeded');
      await assertInvalid('/_sim/inject/webhook-failures', { count: 1, at: 'yesterday' }, 'at');
      await assertInvalid('/_sim/inject/rate-limited', {}, 'count');
      await assertInvalid('/_sim/inject/authorizations', { approved: 1.5 }, 'approved');
      await assertInvalid('/_sim/inject/balance-drain', { accountId: 'acc_gbp_main' }, 'to');
      await assertInvalid('/_sim/inject/balance-drain', { accountId: 'acc_gbp_main', to: 1, by: 1 }, 'to');
      await assertInvalid('/_sim/inject/balance-drain', { accountId: 'acc_gbp_main', to: 9_000_000 }, 'to');
      await assertInvalid('/_sim/inject/balance-drain', { accountId: 'acc_gbp_main', by: 9_000_000 }, 'by');
      await assertInvalid('/_sim/inject/balance-drain', { to: 1 }, 'accountId');
      await assertInvalid('/_sim/inject/balance-restore', {}, 'accountId');
      await assertInvalid('/_sim/inject/statement-adjustment', { date: '2026-02-30', amount: 5 }, 'date');
      await assertInvalid('/_sim/inject/statement-adjustment', { date: DAY_1, amount: 0 }, 'amount');
      await assertInvalid('/_sim/inject/statement-adjustment', { date: DAY_1, amount: 5, type: 'Bad Type' }, 'type');

      const unknown = await admin('POST', '/_sim/inject/balance-drain', { accountId: 'acc_nope', by: 1 });
      assert.equal(unknown.status, 404, unknown.text);
      const state = await ok(admin('GET', '/_sim/state'));
      assert.deepEqual(state.injections, []);
    });
  });
});
