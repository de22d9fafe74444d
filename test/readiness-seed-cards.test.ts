/**
 * Seeding initial card records (runbook section 3) against the PayCA production simulator over HTTP.
 * The activity functions run directly, outside Temporal, the way a crash-and-reschedule or a second run
 * of the batch would call them again; faults are set through the simulator's admin API.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createPaycaClients } from '../src/activities/payca-clients.js';
import {
  createSeedCardActivities,
  seedIdempotencyKey,
  type SeedCardActivities,
  type SeedRecord,
} from '../src/activities/readiness/seed-cards.js';
import { runSeedBatch } from '../src/workflows/seed-batch.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';

const PROGRAMME = 'northwind-prepaid';

function records(count: number, prefix = 'cust'): SeedRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    externalRef: `${prefix}-${String(i + 1).padStart(3, '0')}`,
    holderName: `Holder ${i + 1}`,
    accountId: i % 2 === 0 ? 'acc_gbp_main' : 'acc_eur_main',
    currency: i % 2 === 0 ? 'GBP' : 'EUR',
  }));
}

describe('readiness: seeding card records', function () {
  this.timeout(20_000);

  let stack: PaycaStack;
  let activities: SeedCardActivities;
  let baseUrl: string;
  let dir: string;

  before(async () => {
    stack = await startPaycaStack();
    baseUrl = stack.production.url;
    // A short timeout so a lost answer fails fast instead of waiting out the default 10 s.
    activities = createSeedCardActivities({
      payca: createPaycaClients({ credentials: stack.credentials, timeoutMs: 2_000 }),
    });
    dir = mkdtempSync(join(tmpdir(), 'seed-cards-'));
  });

  after(async () => {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await stack.reset();
  });

  let fileCount = 0;
  function csvFile(text: string): string {
    fileCount += 1;
    const path = join(dir, `seed-${fileCount}.csv`);
    writeFileSync(path, text);
    return path;
  }

  describe('reading the CSV', () => {
    it('parses a good CSV with quoted commas, doubled quotes, CRLF and columns in any order', async () => {
      const path = csvFile(
        [
          'currency,holderName,externalRef,accountId',
          'GBP,"Smith, Jane",cust-001,acc_gbp_main',
          'EUR,"Dara ""DJ"" O\'Neill",cust-002,acc_eur_main',
          '"GBP","Line one\nline two", cust-003 ,acc_gbp_main',
          '',
        ].join('\r\n'),
      );
      const result = await activities.readSeedCsv({ csv: path });
      assert.deepEqual(result.problems, []);
      assert.deepEqual(result.records, [
        { externalRef: 'cust-001', holderName: 'Smith, Jane', accountId: 'acc_gbp_main', currency: 'GBP' },
        { externalRef: 'cust-002', holderName: 'Dara "DJ" O\'Neill', accountId: 'acc_eur_main', currency: 'EUR' },
        { externalRef: 'cust-003', holderName: 'Line one\nline two', accountId: 'acc_gbp_main', currency: 'GBP' },
      ]);
    });

    it('names each bad row by its line and says what is wrong, keeping the good rows', async () => {
      const path = csvFile(
        [
          'externalRef,holderName,accountId,currency', // line 1
          'cust-001,Jane Smith,acc_gbp_main,GBP', // 2: good
          'cust-002,,acc_gbp_main,GBP', // 3: missing holderName
          'cust-003,Ann Lee,acc_gbp_main,XYZ', // 4: not ISO 4217
          'cust-004,Bo Chan,acc_gbp_main,gbp', // 5: not a code as written
          'cust-001,Jane Again,acc_gbp_main,GBP', // 6: duplicate of line 2
          'cust-005,"Multi', // 7-8: quoted field spanning a line, then a short row
          'line",acc_gbp_main',
          'cust-006,Al Ng,acc_eur_main,EUR', // 9: good, after the multi-line record
          'cust-007,Bad"Quote,acc_gbp_main,GBP', // 10: stray quote
          'cust-008,Cy Park,acc_gbp_main,GBP,extra', // 11: too many fields
        ].join('\n'),
      );
      const { records: good, problems } = await activities.readSeedCsv({ csv: path });
      assert.deepEqual(
        good.map((r) => r.externalRef),
        ['cust-001', 'cust-006'],
      );
      assert.equal(problems.length, 7, problems.join('\n'));
      const about = (line: number) => problems.find((p) => p.includes(`line ${line}:`)) ?? `no problem on line ${line}`;
      assert.match(about(3), /missing holderName/);
      assert.match(about(4), /currency "XYZ" is not an ISO 4217 code/);
      assert.match(about(5), /currency "gbp" is not an ISO 4217 code/);
      assert.match(about(6), /duplicate externalRef "cust-001" \(first on line 2\)/);
      assert.match(about(7), /has 3 fields, the header has 4/);
      assert.match(about(10), /a " appears inside an unquoted field/);
      assert.match(about(11), /has 5 fields, the header has 4/);
      for (const problem of problems) assert.ok(problem.startsWith(path), `problem names the file: ${problem}`);
    });

    it('refuses a header that lacks or misnames a column', async () => {
      const path = csvFile('externalRef,holder,accountId\ncust-001,Jane,acc_gbp_main\n');
      const { records: good, problems } = await activities.readSeedCsv({ csv: path });
      assert.deepEqual(good, []);
      assert.equal(problems.length, 1);
      assert.match(problems[0] ?? '', /line 1 \(header\) lacks column holderName, currency; has unknown column "holder"/);
    });

    it('reports an unclosed quote and an empty file as problems', async () => {
      const unclosed = await activities.readSeedCsv({
        csv: csvFile('externalRef,holderName,accountId,currency\ncust-001,"Jane,acc_gbp_main,GBP\n'),
      });
      assert.deepEqual(unclosed.records, []);
      assert.match(unclosed.problems.join('\n'), /line 2: a quoted field is never closed/);

      const empty = await activities.readSeedCsv({ csv: csvFile('') });
      assert.match(empty.problems.join('\n'), /is empty: it needs a header row/);
    });

    it('returns an unreadable file as a problem naming the path, not a failure', async () => {
      const missing = join(dir, 'no-such-file.csv');
      const result = await activities.readSeedCsv({ csv: missing });
      assert.deepEqual(result.records, []);
      assert.equal(result.problems.length, 1);
      assert.ok(result.problems[0]?.includes(missing), result.problems[0]);
      assert.match(result.problems[0] ?? '', /cannot read the seed CSV/);
    });
  });

  describe('issuing cards', () => {
    it('derives the key from programme, purpose and externalRef only', () => {
      const key = seedIdempotencyKey(PROGRAMME, 'seed', 'cust-001');
      assert.match(key, /^seed-v1:[0-9a-f]{64}$/);
      assert.equal(seedIdempotencyKey(PROGRAMME, 'seed', 'cust-001'), key);
      assert.notEqual(seedIdempotencyKey(PROGRAMME, 'dry-run', 'cust-001'), key);
      assert.notEqual(seedIdempotencyKey('other-programme', 'seed', 'cust-001'), key);
      assert.notEqual(seedIdempotencyKey(PROGRAMME, 'seed', 'cust-002'), key);
      assert.throws(() => seedIdempotencyKey(PROGRAMME, 'seed', ''), /non-empty externalRef/);
    });

    it('issues one card per record and the mapping reads back', async () => {
      const batch = records(4);
      const seeded = [];
      for (const record of batch) {
        seeded.push(await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' }));
      }
      assert.equal((await stack.counters()).cardsIssued, 4);
      assert.deepEqual(
        seeded.map((s) => s.externalRef),
        batch.map((r) => r.externalRef),
      );
      assert.equal(new Set(seeded.map((s) => s.cardId)).size, 4);
      assert.ok(seeded.every((s) => !s.replayed && s.requestId.length > 0));

      for (const s of seeded) {
        const check = await activities.verifyCardMapping({ baseUrl, externalRef: s.externalRef, cardId: s.cardId });
        assert.equal(check.matches, true, `${s.externalRef} → ${s.cardId}`);
        assert.ok(check.requestId.length > 0);
      }
      const first = seeded[0];
      assert.ok(first);
      const wrong = await activities.verifyCardMapping({ baseUrl, externalRef: 'cust-999', cardId: first.cardId });
      assert.equal(wrong.matches, false);
      assert.equal(wrong.actualExternalRef, first.externalRef);
    });

    it('issues no new card when the same records are seeded again after a crash', async () => {
      const batch = records(3);
      const firstRun = [];
      for (const record of batch) {
        firstRun.push(await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' }));
      }
      const issued = (await stack.counters()).cardsIssued;
      assert.equal(issued, 3);

      const secondRun = [];
      for (const record of batch) {
        secondRun.push(await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' }));
      }
      assert.equal((await stack.counters()).cardsIssued, issued);
      assert.ok(
        secondRun.every((s) => s.replayed),
        'every second-run answer is a replay',
      );
      assert.deepEqual(
        secondRun.map((s) => s.cardId),
        firstRun.map((s) => s.cardId),
      );
    });

    it('issues exactly one card when the answer is lost and the same call is retried', async () => {
      const [record] = records(1);
      assert.ok(record);
      await stack.admin('faults', 'POST', { force: { count: 1, kind: 'lose-answer', path: '/v1/cards', method: 'POST' } });

      await assert.rejects(
        activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' }),
        (err: unknown) => err instanceof ApplicationFailure && err.type === 'ErrNetwork' && !err.nonRetryable,
      );
      assert.equal((await stack.counters()).cardsIssued, 1, 'PayCA issued the card before the answer was lost');

      const retried = await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' });
      assert.equal(retried.replayed, true);
      assert.equal((await stack.counters()).cardsIssued, 1);
      const check = await activities.verifyCardMapping({ baseUrl, externalRef: record.externalRef, cardId: retried.cardId });
      assert.equal(check.matches, true);
    });

    it('honours Retry-After when PayCA rate-limits a seed', async () => {
      const [record] = records(1);
      assert.ok(record);
      await stack.admin('faults', 'POST', {
        force: { count: 1, code: 'ErrRateLimited', retryAfterSeconds: 3, path: '/v1/cards', method: 'POST' },
      });
      await assert.rejects(activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' }), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure);
        assert.equal(err.type, 'ErrRateLimited');
        assert.equal(err.nonRetryable, false);
        assert.ok(typeof err.nextRetryDelay === 'number' && err.nextRetryDelay >= 3_000, String(err.nextRetryDelay));
        return true;
      });
      assert.equal((await stack.counters()).cardsIssued, 0);
    });

    it('refuses, without retrying, a record whose details changed since it was first seeded', async () => {
      const [record] = records(1);
      assert.ok(record);
      await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' });
      await assert.rejects(
        activities.seedCardRecord({
          baseUrl,
          programme: PROGRAMME,
          record: { ...record, holderName: 'Someone Else' },
          purpose: 'seed',
        }),
        (err: unknown) =>
          err instanceof ApplicationFailure &&
          err.type === 'SeedRecordChanged' &&
          err.nonRetryable &&
          err.message.includes(record.externalRef),
      );
      assert.equal((await stack.counters()).cardsIssued, 1);
    });

    it('keeps a dry-run card apart from the real one: the dry run is closed, the real card stays active', async () => {
      const [record] = records(1);
      assert.ok(record);
      const dry = await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'dry-run' });
      const mapping = await activities.verifyCardMapping({ baseUrl, externalRef: record.externalRef, cardId: dry.cardId });
      assert.equal(mapping.matches, true);
      const closed = await activities.closeDryRunCard({
        baseUrl,
        cardId: dry.cardId,
        idempotencyKey: `test-close-dry-run:${dry.cardId}`,
      });
      assert.equal(closed.status, 'closed');
      assert.equal(closed.cardId, dry.cardId);

      const real = await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' });
      assert.equal(real.replayed, false, 'the real seed must not replay the dry run');
      assert.notEqual(real.cardId, dry.cardId);
      const counters = await stack.counters();
      assert.equal(counters.cardsIssued, 2);
      assert.equal(counters.cardsClosed, 1);

      const client = createPaycaClients({ credentials: stack.credentials }).get('production', baseUrl);
      assert.equal((await client.getCard(dry.cardId)).body.status, 'closed');
      const realCard = (await client.getCard(real.cardId)).body;
      assert.deepEqual([realCard.status, realCard.externalRef], ['active', record.externalRef]);
    });

    it('needs a key for closeDryRunCard outside an activity', async () => {
      await assert.rejects(activities.closeDryRunCard({ baseUrl, cardId: 'card_x' }), /activity/i);
      assert.equal((await stack.counters()).cardsClosed, 0);
    });
  });

  describe('closing seeded cards on roll-back', () => {
    async function seedAll(count: number): Promise<string[]> {
      const ids: string[] = [];
      for (const record of records(count, 'undo')) {
        ids.push((await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' })).cardId);
      }
      return ids;
    }
    const statuses = async (ids: string[]) => {
      const client = createPaycaClients({ credentials: stack.credentials }).get('production', baseUrl);
      return Promise.all(ids.map(async (id) => (await client.getCard(id)).body.status));
    };

    it('closes a batch of seeded cards, and closing it again closes nothing twice', async () => {
      const ids = await seedAll(3);
      const first = await activities.closeSeededCards({ baseUrl, programme: PROGRAMME, cardIds: ids });
      assert.equal(first.closed, 3);
      assert.equal(first.requestIds.length, 2, 'the first and the last request id');
      assert.deepEqual(await statuses(ids), ['closed', 'closed', 'closed']);
      const before = await stack.counters();
      await activities.closeSeededCards({ baseUrl, programme: PROGRAMME, cardIds: ids });
      const after = await stack.counters();
      assert.equal(after.cardsClosed, 3);
      assert.equal(after.idempotentReplays - before.idempotentReplays, 3, 'the same key per card: PayCA replays each close');
    });

    it('fails at the card PayCA refuses, and the retry closes the rest', async () => {
      const ids = await seedAll(3);
      await stack.admin('faults', 'POST', {
        force: { count: 1, kind: 'answer', code: 'ErrUnavailable', status: 503, path: `/v1/cards/${ids[1]}/close` },
      });
      await assert.rejects(
        activities.closeSeededCards({ baseUrl, programme: PROGRAMME, cardIds: ids }),
        (err: unknown) => err instanceof ApplicationFailure && err.type === 'ErrUnavailable',
      );
      assert.deepEqual(await statuses(ids), ['closed', 'active', 'active']);
      await activities.closeSeededCards({ baseUrl, programme: PROGRAMME, cardIds: ids });
      assert.deepEqual(await statuses(ids), ['closed', 'closed', 'closed']);
      assert.equal((await stack.counters()).cardsClosed, 3);
    });
  });

  describe('seeding in ranges from the file', () => {
    const header = 'externalRef,holderName,accountId,currency';
    const rangeCsv = (count: number, prefix: string) =>
      csvFile(
        [header, ...records(count, prefix).map((r) => `${r.externalRef},${r.holderName},${r.accountId},${r.currency}`)].join('\n') + '\n',
      );
    const openRefs = async (prefix: string) => {
      const state = (await stack.admin('state')) as { cards: { externalRef: string; status: string }[] };
      return state.cards
        .filter((c) => c.externalRef.startsWith(prefix) && c.status === 'active')
        .map((c) => c.externalRef)
        .sort();
    };

    it('answers the scan with counts, a digest and the sample, never the records, and caps the problems', async () => {
      const good = await activities.scanSeedCsv({ csv: rangeCsv(30, 'scan'), sample: 2 });
      assert.equal(good.total, 30);
      assert.match(good.digest, /^[0-9a-f]{64}$/);
      assert.deepEqual(
        good.sample.map((r) => r.externalRef),
        ['scan-001', 'scan-002'],
      );
      assert.deepEqual(good.problems, []);
      const bad = await activities.scanSeedCsv({
        csv: csvFile([header, ...Array.from({ length: 80 }, (_, i) => `bad-${i},,acc_gbp_main,GBP`)].join('\n')),
        sample: 1,
      });
      assert.equal(bad.problems.length, 51);
      assert.match(bad.problems.at(-1) ?? '', /… and 30 more problems/);
    });

    it('seeds a range once, and a resumption that looks records up first issues nothing again', async () => {
      const csv = rangeCsv(10, 'rng');
      const { digest } = await activities.scanSeedCsv({ csv, sample: 0 });
      const first = await activities.seedCardRange({
        baseUrl,
        programme: PROGRAMME,
        csv,
        digest,
        from: 4,
        to: 10,
        concurrency: 4,
        lookUpFirst: false,
      });
      assert.deepEqual({ issued: first.issued, found: first.found, replayed: first.replayed }, { issued: 6, found: 0, replayed: 0 });
      const again = await activities.seedCardRange({
        baseUrl,
        programme: PROGRAMME,
        csv,
        digest,
        from: 0,
        to: 10,
        concurrency: 4,
        lookUpFirst: true,
      });
      assert.deepEqual({ issued: again.issued, found: again.found, replayed: again.replayed }, { issued: 4, found: 6, replayed: 0 });
      assert.equal((await stack.counters()).cardsIssued, 10);
      assert.equal((await openRefs('rng-')).length, 10);
    });

    it('waits out a 429 inside the range instead of failing it, and issues each record once', async () => {
      const csv = rangeCsv(5, 'thr');
      const { digest } = await activities.scanSeedCsv({ csv, sample: 0 });
      await stack.admin('faults', 'POST', {
        force: { count: 2, code: 'ErrRateLimited', retryAfterSeconds: 1, path: '/v1/cards', method: 'POST' },
      });
      const started = Date.now();
      const seeded = await activities.seedCardRange({
        baseUrl,
        programme: PROGRAMME,
        csv,
        digest,
        from: 0,
        to: 5,
        concurrency: 2,
        lookUpFirst: false,
      });
      assert.ok(Date.now() - started >= 1_000, 'Retry-After was waited out');
      assert.equal(seeded.issued + seeded.replayed, 5);
      assert.equal((await stack.counters()).cardsIssued, 5);
      assert.equal((await openRefs('thr-')).length, 5);
    });

    it('refuses, without retrying, a range of a file changed since the scan', async () => {
      const csv = rangeCsv(3, 'chg');
      const { digest } = await activities.scanSeedCsv({ csv, sample: 0 });
      writeFileSync(csv, `${header}\nchg-999,Someone Else,acc_gbp_main,GBP\n`);
      await assert.rejects(
        activities.seedCardRange({ baseUrl, programme: PROGRAMME, csv, digest, from: 0, to: 3, concurrency: 2, lookUpFirst: false }),
        (err: unknown) => err instanceof ApplicationFailure && err.type === 'SeedCsvChanged' && err.nonRetryable,
      );
      assert.equal((await stack.counters()).cardsIssued, 0);
    });

    it('closes the open cards of a range found by externalRef, skips records never issued, and closes nothing twice', async () => {
      const csv = rangeCsv(6, 'cls');
      const { digest } = await activities.scanSeedCsv({ csv, sample: 0 });
      await activities.seedCardRange({ baseUrl, programme: PROGRAMME, csv, digest, from: 0, to: 4, concurrency: 3, lookUpFirst: false });
      const closed = await activities.closeSeededRange({ baseUrl, programme: PROGRAMME, csv, digest, from: 0, to: 6 });
      assert.deepEqual({ closed: closed.closed, absent: closed.absent }, { closed: 4, absent: 2 });
      assert.deepEqual(await openRefs('cls-'), []);
      const again = await activities.closeSeededRange({ baseUrl, programme: PROGRAMME, csv, digest, from: 0, to: 6 });
      assert.deepEqual({ closed: again.closed, absent: again.absent }, { closed: 0, absent: 6 });
      assert.equal((await stack.counters()).cardsClosed, 4);
    });
  });

  describe('the workflow-side batch', () => {
    it('seeds at most `concurrency` at once, keeps input order and reports progress after each card', async () => {
      const batch = records(7, 'batch');
      let inFlight = 0;
      let peak = 0;
      const progress: [number, number][] = [];
      const result = await runSeedBatch({
        records: batch,
        concurrency: 3,
        seed: async (record) => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          try {
            return await activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' });
          } finally {
            inFlight -= 1;
          }
        },
        onProgress: (done, total) => progress.push([done, total]),
      });

      assert.equal(peak, 3);
      assert.deepEqual(
        result.mapping.map((m) => m.externalRef),
        batch.map((r) => r.externalRef),
      );
      assert.deepEqual(
        progress,
        batch.map((_, i) => [i + 1, batch.length]),
      );
      assert.equal((await stack.counters()).cardsIssued, batch.length);
      for (const entry of result.mapping) {
        assert.deepEqual(Object.keys(entry).sort(), ['cardId', 'externalRef', 'requestId']);
        const check = await activities.verifyCardMapping({ baseUrl, externalRef: entry.externalRef, cardId: entry.cardId });
        assert.equal(check.matches, true);
      }

      const again = await runSeedBatch({
        records: batch,
        concurrency: 3,
        seed: (record) => activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' }),
        onProgress: () => undefined,
      });
      assert.deepEqual(
        again.mapping.map((m) => m.cardId),
        result.mapping.map((m) => m.cardId),
      );
      assert.equal((await stack.counters()).cardsIssued, batch.length, 'a second run of the batch issues nothing');
    });

    it('starts no further seeds after a failure, waits for those in flight, then fails', async () => {
      const batch = records(6, 'fail');
      const started: string[] = [];
      const failing = batch[1]?.externalRef;
      await assert.rejects(
        runSeedBatch({
          records: batch,
          concurrency: 2,
          seed: async (record) => {
            started.push(record.externalRef);
            if (record.externalRef === failing) throw new Error(`seed of ${failing} failed`);
            return activities.seedCardRecord({ baseUrl, programme: PROGRAMME, record, purpose: 'seed' });
          },
          onProgress: () => undefined,
        }),
        new RegExp(`seed of ${failing} failed`),
      );
      assert.ok(started.length <= 3, `started ${started.join(', ')}`);
      assert.equal((await stack.counters()).cardsIssued, started.length - 1);
    });

    it('returns an empty mapping for no records and refuses a concurrency below 1', async () => {
      const none = await runSeedBatch({ records: [], concurrency: 2, seed: () => assert.fail('no seed'), onProgress: () => undefined });
      assert.deepEqual(none.mapping, []);
      await assert.rejects(
        runSeedBatch({ records: records(1), concurrency: 0, seed: () => assert.fail('no seed'), onProgress: () => undefined }),
        RangeError,
      );
    });
  });
});
