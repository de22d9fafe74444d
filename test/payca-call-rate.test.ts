/**
 * The PayCA call limiter on its own (real timers, real seconds), the worker's share of the rate, the
 * keep-alive heartbeats of a waiting activity, and the limiter in front of a PayCA client against the
 * simulator's per-second counters over HTTP.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Context } from '@temporalio/activity';
import { heartbeat, keepActivityAlive } from '../src/activities/heartbeat.js';
import { createPaycaClients } from '../src/activities/payca-clients.js';
import { createSeedCardActivities } from '../src/activities/readiness/seed-cards.js';
import { readSimulatorCounters } from '../src/dev/simulator-counters.js';
import { CallRateLimiter, CallRateLimiters, DEFAULT_WINDOW_MARGIN_MS, type Release } from '../src/payca/call-rate.js';
import { PaycaClient } from '../src/payca/client.js';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.js';
import { sharePaycaRate } from '../src/worker/payca-rate-share.js';

interface Span {
  grantedMs: number;
  /** When the fake PayCA saw it: somewhere between grant and release, as over a real network. */
  arrivedMs: number;
  releasedMs: number;
}

/** Runs `count` calls at once through the limiter; each arrives after a random delay and ends after another. */
async function burst(limiter: CallRateLimiter, count: number, maxDelayMs = 40): Promise<Span[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const release = await limiter.acquire();
      const grantedMs = performance.now();
      await delay(Math.random() * maxDelayMs);
      const arrivedMs = performance.now();
      await delay(Math.random() * maxDelayMs);
      release();
      return { grantedMs, arrivedMs, releasedMs: performance.now() };
    }),
  );
}

/** The most arrivals in any span of `spanMs` (the sliding second PayCA counts in). */
function busiest(times: number[], spanMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let from = 0;
  for (let to = 0; to < sorted.length; to++) {
    while ((sorted[to] as number) - (sorted[from] as number) >= spanMs) from += 1;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

describe('PayCA call limiter', function () {
  this.timeout(20_000);

  it('lets no more than floor(rate) calls reach PayCA in any one second, however late each arrives', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 8.7 });
    const started = performance.now();
    const spans = await burst(limiter, 30);
    const tookMs = performance.now() - started;
    assert.equal(busiest(spans.map((s) => s.arrivedMs)), 8, 'the busiest second holds exactly floor(8.7) calls');
    // 30 calls at 8 a window: the last batch starts after three windows and some call time.
    assert.ok(tookMs >= 3 * 1_000, `30 calls at 8 per second took ${Math.round(tookMs)} ms`);
    assert.ok(tookMs < 3 * 1_000 + 4 * (DEFAULT_WINDOW_MARGIN_MS + 200), `and not much longer: ${Math.round(tookMs)} ms`);
  });

  it('counts a call against its window from when it ended, so a slow call does not let a burst through', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 2 });
    const slow = await limiter.acquire();
    const quick = await limiter.acquire();
    quick();
    await delay(600);
    slow();
    const waitStarted = performance.now();
    const third = await limiter.acquire();
    const waitedMs = performance.now() - waitStarted;
    third();
    assert.ok(waitedMs >= 1_000 - 600 - 20 && waitedMs < 1_000, `the third waits for the quick call's window: ${Math.round(waitedMs)} ms`);
    const fourthStarted = performance.now();
    const fourth = await limiter.acquire();
    fourth();
    // The slow call ended 600 ms after the quick one: its window ends later, whatever it started with.
    assert.ok(performance.now() - waitStarted >= 1_000, 'the fourth waits for the slow call to be a window old');
    assert.ok(performance.now() - fourthStarted > 500);
  });

  it('grants waiting calls in the order they asked', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 1 });
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2].map(async (n) => {
        const release = await limiter.acquire();
        order.push(n);
        release();
      }),
    );
    assert.deepEqual(order, [0, 1, 2]);
  });

  it('makes one call per 1/rate seconds below one call a second', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 0.5 });
    const spans = await burst(limiter, 2, 5);
    const [first, second] = spans.sort((a, b) => a.grantedMs - b.grantedMs);
    assert.ok(first && second);
    assert.ok(second.grantedMs - first.releasedMs >= 2_000 - 5, `${Math.round(second.grantedMs - first.releasedMs)} ms apart`);
  });

  it('gives no permit while closed and opens at the time it is told', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 50, closed: true });
    let granted = false;
    const pending = limiter.acquire().then((release) => {
      granted = true;
      return release;
    });
    await delay(300);
    assert.equal(granted, false, 'a closed limiter grants nothing');
    const openAt = limiter.now() + 200;
    limiter.openAt(openAt);
    (await pending)();
    assert.ok(limiter.now() >= openAt - 1, 'granted once open');
  });

  it('holds new calls under a lowered budget until the earlier calls have aged out of its window', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 10 });
    const releases: Release[] = await Promise.all(Array.from({ length: 6 }, () => limiter.acquire()));
    for (const release of releases) release();
    limiter.setBudget(5);
    const started = performance.now();
    (await limiter.acquire())();
    assert.ok(performance.now() - started >= 1_000 - 20, 'six calls in the last second are already above five');
    assert.equal(limiter.view().permits, 5);
  });

  it('drops a wait its signal gives up on, with the signal reason, and serves the next caller', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 1 });
    const held = await limiter.acquire();
    const controller = new AbortController();
    const abandoned = limiter.acquire({ signal: controller.signal });
    const next = limiter.acquire();
    controller.abort(new Error('activity cancelled'));
    await assert.rejects(abandoned, /activity cancelled/);
    assert.equal(limiter.view().waiting, 1);
    held();
    (await next)();
  });

  it('keeps one limiter per PayCA host, whatever path or credentials a client uses, made with the current budget', () => {
    const group = new CallRateLimiters({ callsPerSecond: 10 });
    const production = group.for('https://api.payca.example/v1');
    assert.equal(group.for('https://api.payca.example'), production, 'the sandbox pair checked against production counts at production');
    assert.notEqual(group.for('https://sandbox.payca.example'), production);
    group.setBudget(3);
    assert.equal(production.view().permits, 3);
    assert.equal(group.for('https://other.payca.example').view().permits, 3);
  });

  it('calls whileWaiting when a call starts to wait and again while it waits', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 1, keepAliveMs: 100 });
    let beats = 0;
    (await limiter.acquire({ whileWaiting: () => (beats += 1) }))();
    assert.equal(beats, 0, 'a call that gets its permit at once does not wait');
    (await limiter.acquire({ whileWaiting: () => (beats += 1) }))();
    assert.ok(beats >= 8, `heartbeats while waiting about a second: ${beats}`);
  });
});

describe('a waiting PayCA activity heartbeats with its own progress', () => {
  it('repeats the details the attempt last sent, so the resume point survives the wait', async () => {
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000, heartbeatDetails: { next: 2 } });
    const sent: unknown[] = [];
    env.on('heartbeat', (details: unknown) => sent.push(details));
    await env.run(async () => {
      keepActivityAlive()?.();
      heartbeat(Context.current(), { next: 7, first: 'req_1' });
      keepActivityAlive()?.();
    });
    assert.deepEqual(sent, [{ next: 2 }, { next: 7, first: 'req_1' }, { next: 7, first: 'req_1' }]);
  });

  it('sends none from an activity without a heartbeat timeout or from a local activity', async () => {
    for (const info of [{ heartbeatTimeoutMs: undefined }, { heartbeatTimeoutMs: 30_000, isLocal: true }]) {
      const env = new MockActivityEnvironment(info);
      const keepAlive = await env.run(async () => keepActivityAlive());
      assert.equal(keepAlive, undefined, JSON.stringify(info));
    }
  });
});

describe("a worker's share of the PayCA rate", function () {
  this.timeout(10_000);
  const quiet = { info: () => undefined, warn: () => undefined };

  it('divides the rate by the workers Temporal lists and opens only a refresh and a window after it sees itself', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 12, closed: true });
    let pollers = ['other-worker'];
    const share = sharePaycaRate({
      rate: 12,
      identity: 'me',
      limiters: [limiter],
      listPollers: async () => pollers,
      refreshMs: 300,
      log: quiet,
    });
    share.start();
    try {
      await delay(400);
      assert.equal(share.workers(), 2, 'itself and the other, before Temporal lists it');
      assert.equal(limiter.view().permits, 6);
      assert.equal(limiter.view().open, false, 'not open before Temporal lists it');
      const listedAt = limiter.now();
      pollers = ['other-worker', 'me', 'third'];
      (await limiter.acquire())();
      const waited = limiter.now() - listedAt;
      assert.ok(waited >= 300 + 1_000, `opened ${Math.round(waited)} ms after being listed: a refresh period and a window`);
      assert.equal(share.workers(), 3);
      assert.equal(limiter.view().permits, 4);
    } finally {
      share.stop();
    }
  });

  it('takes the whole rate when the server cannot list pollers', async () => {
    const limiter = new CallRateLimiter({ callsPerSecond: 12, closed: true });
    const unimplemented = Object.assign(new Error('DescribeTaskQueue is not implemented'), { code: 12 });
    const warnings: string[] = [];
    const share = sharePaycaRate({
      rate: 12,
      identity: 'me',
      limiters: [limiter],
      listPollers: async () => Promise.reject(unimplemented),
      refreshMs: 200,
      log: { info: () => undefined, warn: (line) => warnings.push(line) },
    });
    share.start();
    try {
      (await limiter.acquire())();
      assert.equal(limiter.view().permits, 12);
      assert.match(warnings[0] ?? '', /UNIMPLEMENTED.*takes the whole 12 calls per second/);
    } finally {
      share.stop();
    }
  });
});

describe('PayCA client behind the limiter, counted at the simulator', function () {
  this.timeout(30_000);
  let sim: RunningSimulator;

  beforeEach(async () => {
    sim = await startSimulator({ mode: 'production', port: 0, rateLimit: { perSecond: 100, burst: 100 } });
  });
  afterEach(async () => {
    await sim?.close();
  });

  const readAccounts = async (client: PaycaClient, calls: number) => {
    await Promise.all(Array.from({ length: calls }, () => client.listAccounts()));
  };

  it('keeps every second at the simulator within the rate', async () => {
    const permits = new CallRateLimiter({ callsPerSecond: 6 });
    const client = new PaycaClient({ baseUrl: sim.url, environment: 'production', credentials: sim.credentials, permits });
    await readAccounts(client, 20);
    const { callRate } = await readSimulatorCounters(sim.url);
    assert.equal(callRate.calls, 20);
    assert.equal(callRate.maxCallsInOneSecond, 6, JSON.stringify(callRate.callsPerSecond));
    assert.equal(callRate.rateLimited, 0);
  });

  it('without it, the same calls arrive together (the control)', async () => {
    const client = new PaycaClient({ baseUrl: sim.url, environment: 'production', credentials: sim.credentials });
    await readAccounts(client, 20);
    const { callRate } = await readSimulatorCounters(sim.url);
    assert.ok(callRate.maxCallsInOneSecond > 6, `the simulator counts ${callRate.maxCallsInOneSecond} in its busiest second`);
  });

  it('keeps a batch of seeded-card closes heartbeating its cursor while each close waits for its permit', async () => {
    const issuer = new PaycaClient({ baseUrl: sim.url, environment: 'production', credentials: sim.credentials });
    const cardIds: string[] = [];
    for (const n of [1, 2, 3]) {
      const card = await issuer.issueCard(
        { accountId: 'acc_gbp_main', externalRef: `HB-${n}`, holderName: `Holder ${n}`, currency: 'GBP' },
        { idempotencyKey: `hb-${n}` },
      );
      cardIds.push(card.body.id);
    }
    const permits = new CallRateLimiters({ callsPerSecond: 1, keepAliveMs: 100 });
    const { closeSeededCards } = createSeedCardActivities({
      payca: createPaycaClients({ credentials: { production: sim.credentials }, permits }),
    });
    const env = new MockActivityEnvironment({ heartbeatTimeoutMs: 30_000 });
    const beats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => beats.push(details));
    let closed = 0;
    await env.run(async () => {
      closed = (await closeSeededCards({ baseUrl: sim.url, programme: 'Heartbeats', cardIds })).closed;
    });
    assert.equal(closed, 3);
    const cursors = beats.map((d) => (d as { next?: number } | undefined)?.next);
    // One heartbeat per close from the activity, and keep-alives between them that repeat the cursor.
    assert.ok(cursors.filter((n) => n === 1).length >= 5, `keep-alives repeat next=1 while the second close waits: ${cursors.join(',')}`);
    assert.ok(cursors.filter((n) => n === 2).length >= 5, `and next=2 while the third waits: ${cursors.join(',')}`);
    assert.deepEqual([...new Set(cursors)], [1, 2, 3], 'never a heartbeat without the cursor once there is one');
  });

  it('counts 429 answers', async () => {
    await sim.close();
    sim = await startSimulator({ mode: 'production', port: 0, rateLimit: { perSecond: 2, burst: 2 } });
    const client = new PaycaClient({ baseUrl: sim.url, environment: 'production', credentials: sim.credentials });
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => client.listAccounts()));
    const { callRate } = await readSimulatorCounters(sim.url);
    assert.equal(callRate.rateLimited, outcomes.filter((o) => o.status === 'rejected').length);
    assert.equal(callRate.rateLimited, 3);
  });
});
