/**
 * Readiness, runbook section 3 (Engineering): seed the programme's initial card records at PayCA from a
 * CSV, with an optional dry run on a sample that verifies the ID mapping and closes its cards again.
 *
 * Seeding keys each card on the record, not on the Temporal activity: a retry, a crash and re-schedule, or
 * a second run of the whole batch sends the same Idempotency-Key for the same record, so PayCA replays the
 * first answer instead of issuing a second card. PayCA keeps keys for 24 h; a re-run later than that would
 * issue again, so a batch that failed part-way is best re-run the same day.
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES, PAYCA_CODE } from '../../errors.js';
import { paycaCall } from '../../payca/activity-failure.js';
import { idempotencyKeyFromActivity } from '../../payca/idempotency.js';
import { heartbeat } from '../heartbeat.js';
import type { PaycaClients } from '../payca-clients.js';
import { type SeedCsvResult, type SeedRecord, seedRecordsFromCsv } from './seed-csv.js';

export { SEED_COLUMNS, seedRecordsFromCsv, type SeedCsvResult, type SeedRecord } from './seed-csv.js';

export type SeedPurpose = 'seed' | 'dry-run';

export interface SeedCardRecordInput {
  baseUrl: string;
  programme: string;
  record: SeedRecord;
  purpose: SeedPurpose;
}

export interface SeededCard {
  externalRef: string;
  cardId: string;
  requestId: string;
  /** True when PayCA answered from an earlier call with the same key: no new card was issued. */
  replayed: boolean;
}

export interface CardMappingCheck {
  externalRef: string;
  cardId: string;
  matches: boolean;
  /** What PayCA holds for the card, so a mismatch can be shown next to what was expected. */
  actualExternalRef: string;
  requestId: string;
}

/** Bumped if the key recipe changes, so keys of an old recipe can never replay answers for a new one. */
const SEED_KEY_VERSION = 'seed-v1';

/**
 * The Idempotency-Key for issuing `externalRef`'s card. Parts may not contain the NUL separator, so two
 * different (programme, purpose, ref) triples never hash alike; `purpose` keeps a dry-run card apart from
 * the real one for the same record.
 */
export function seedIdempotencyKey(programme: string, purpose: SeedPurpose, externalRef: string): string {
  const parts = { programme, purpose, externalRef };
  for (const [name, value] of Object.entries(parts)) {
    if (typeof value !== 'string' || value.length === 0 || value.includes('\u0000')) {
      throw new TypeError(`seedIdempotencyKey needs a non-empty ${name} without NUL characters`);
    }
  }
  const digest = createHash('sha256').update(`${programme}\u0000${purpose}\u0000${externalRef}`).digest('hex');
  return `${SEED_KEY_VERSION}:${digest}`;
}

/** The activity's cancellation signal, or none when called outside an activity (tests, scripts). */
function activitySignal(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}

export interface CloseSeededCardsInput {
  baseUrl: string;
  programme: string;
  /** One bounded batch of the seeded cards, in the order to close them. */
  cardIds: string[];
}

export interface CloseSeededCardsResult {
  closed: number;
  /** PayCA request ids of the first and last close in the batch. */
  requestIds: string[];
}

/**
 * The Idempotency-Key for closing a seeded card. It depends on the card alone, not on the activity, so a
 * roll-back, its retries and a later `cutover undo` all send the same key for the same card.
 */
export function closeSeededCardKey(programme: string, cardId: string): string {
  return `close-seed-v1:${createHash('sha256').update(`${programme}\u0000${cardId}`).digest('hex')}`;
}

/** At most this many CSV problems travel back to the workflow; the rest are counted, so the payload stays small. */
const MAX_SEED_PROBLEMS = 50;

export interface SeedCsvScanInput {
  csv: string;
  /** How many records from the top of the file to return, for the dry run. */
  sample: number;
}

/** What the workflow keeps of the CSV: its size and digest, never its records (bar the dry-run sample). */
export interface SeedCsvScan {
  total: number;
  /** sha256 of the file; every later read checks it, so a file changed mid-seeding is refused, not mixed. */
  digest: string;
  problems: string[];
  sample: SeedRecord[];
}

export interface SeedRangeInput {
  baseUrl: string;
  programme: string;
  csv: string;
  digest: string;
  /** Records [from, to) of the file's good records, in file order. */
  from: number;
  to: number;
  /** PayCA calls this activity keeps in flight; the worker's rate limiter paces them. */
  concurrency: number;
  /** Look each record up by externalRef before issuing it: set when an earlier run may have issued it. */
  lookUpFirst: boolean;
}

export interface SeedRangeResult {
  from: number;
  to: number;
  /** New cards PayCA issued for this range. */
  issued: number;
  /** Records PayCA already held a card for, found by externalRef, and not issued again. */
  found: number;
  /** Records PayCA answered from an earlier call with the same key. */
  replayed: number;
  requestIds: string[];
}

/** The same records as a seeding range names, closed instead of issued. */
export type CloseSeededRangeInput = Pick<SeedRangeInput, 'baseUrl' | 'programme' | 'csv' | 'digest' | 'from' | 'to'>;

export interface CloseSeededRangeResult {
  closed: number;
  /** Records PayCA holds no open card for (never issued, or closed already). */
  absent: number;
  requestIds: string[];
}

interface SeedRangeCursor {
  /** Every record of the range below this offset is done. */
  next: number;
  /** Offsets past `next` that are done too (at most the calls in flight), so a retry redoes none of them. */
  ahead: number[];
  issued: number;
  found: number;
  replayed: number;
  first?: string;
  last?: string;
}

/** The good records of one CSV file, parsed once per worker while its digest stays the same. */
let parsedCsv: { csv: string; digest: string; result: SeedCsvResult } | undefined;

async function readSeedFile(csv: string): Promise<{ digest: string; result: SeedCsvResult }> {
  const bytes = await readFile(csv);
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (parsedCsv?.csv === csv && parsedCsv.digest === digest) return parsedCsv;
  const result = seedRecordsFromCsv(bytes.toString('utf8'), csv);
  parsedCsv = { csv, digest, result };
  return parsedCsv;
}

async function seedRange(csv: string, digest: string, from: number, to: number): Promise<SeedRecord[]> {
  const file = await readSeedFile(csv);
  if (file.digest !== digest) {
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.SEED_CSV_CHANGED,
      nonRetryable: true,
      message: `the seed CSV ${csv} changed since seeding began (sha256 ${digest.slice(0, 12)}…, now ${file.digest.slice(0, 12)}…); restore the file as it was, or retry the item to start over with the new file`,
    });
  }
  return file.result.records.slice(from, to);
}

/** Tries of one record inside a range before the range itself fails and Temporal retries it from its cursor. */
const RECORD_TRIES = 8;

/**
 * One record's calls again after a retryable failure (a 429, a 503, a timeout), waiting out Retry-After or
 * a backoff: a range holds hundreds of records, and failing all of them for one throttled call would redo
 * lookups for every record past the cursor. `whileWaiting` keeps the activity's heartbeat going.
 */
async function retryRecord<T>(work: () => Promise<T>, signal: AbortSignal | undefined, whileWaiting: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ApplicationFailure) || err.nonRetryable || attempt >= RECORD_TRIES || signal?.aborted) throw err;
      const waitMs =
        err.nextRetryDelay !== undefined && err.nextRetryDelay !== null ? msFrom(err.nextRetryDelay) : Math.min(30_000, 500 * 2 ** attempt);
      whileWaiting();
      await sleep(waitMs, undefined, signal ? { signal } : undefined);
    }
  }
}

/** PayCA failures carry Retry-After in milliseconds; any other form waits a second. */
function msFrom(delay: NonNullable<ApplicationFailure['nextRetryDelay']>): number {
  return typeof delay === 'number' ? delay : 1_000;
}

/** Runs `work` on indexes [0, count) with at most `lanes` at once; the first failure stops new work and is thrown. */
async function inLanes(count: number, lanes: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < count) {
      const index = next;
      next += 1;
      try {
        await work(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, count)) }, () => lane()));
  if (failure !== undefined) throw failure.error;
}

export function createSeedCardActivities({ payca }: { payca: PaycaClients }) {
  const production = (baseUrl: string) => payca.get('production', baseUrl);

  const activities = {
    /** Problems come back as data, not failures: retrying cannot fix a CSV, and its owner needs them all at once. */
    async readSeedCsv(input: { csv: string }): Promise<SeedCsvResult> {
      try {
        return (await readSeedFile(input.csv)).result;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return { records: [], problems: [`cannot read the seed CSV ${input.csv} on the worker: ${reason}`] };
      }
    },

    /** Reads the whole file on the worker and answers with counts, a digest and the dry-run sample only. */
    async scanSeedCsv(input: SeedCsvScanInput): Promise<SeedCsvScan> {
      let file;
      try {
        file = await readSeedFile(input.csv);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        return { total: 0, digest: '', problems: [`cannot read the seed CSV ${input.csv} on the worker: ${reason}`], sample: [] };
      }
      const { records, problems } = file.result;
      const shown = problems.slice(0, MAX_SEED_PROBLEMS);
      if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more problems in ${input.csv}`);
      return { total: records.length, digest: file.digest, problems: shown, sample: records.slice(0, Math.max(0, input.sample)) };
    },

    /**
     * Seeds one range of the CSV with several calls in flight. The heartbeat carries the cursor (every record
     * below it is done), so a retry resumes there; records past the cursor that the lost attempt may have
     * issued are looked up by externalRef first, as are all records when the workflow says an earlier run
     * may have issued them, so a resumption after PayCA's 24-hour key window issues nothing twice.
     */
    async seedCardRange(input: SeedRangeInput): Promise<SeedRangeResult> {
      const context = asyncLocalStorage.getStore();
      const records = await seedRange(input.csv, input.digest, input.from, input.to);
      // Every call in flight listens on the one cancellation signal.
      const signal = activitySignal();
      if (signal) setMaxListeners(input.concurrency * 2 + 10, signal);
      const recorded = context?.info.heartbeatDetails as SeedRangeCursor | undefined;
      const resumed = recorded !== undefined || (context?.info.attempt ?? 1) > 1;
      const cursor: SeedRangeCursor =
        recorded && typeof recorded.next === 'number'
          ? { ...recorded, ahead: Array.isArray(recorded.ahead) ? recorded.ahead : [] }
          : { next: 0, ahead: [], issued: 0, found: 0, replayed: 0 };
      const lookUpFirst = input.lookUpFirst || resumed;
      const doneAhead = new Set(cursor.ahead);
      const todo: number[] = [];
      for (let index = cursor.next; index < records.length; index++) if (!doneAhead.has(index)) todo.push(index);
      const note = (requestId: string) => {
        cursor.first ??= requestId;
        cursor.last = requestId;
      };
      await inLanes(todo.length, input.concurrency, async (position) => {
        const index = todo[position] as number;
        const record = records[index] as SeedRecord;
        const keepAlive = () => {
          if (context) heartbeat(context, cursor);
        };
        let held = false;
        if (lookUpFirst) {
          const answer = await retryRecord(
            () => paycaCall(() => production(input.baseUrl).findCards(record.externalRef, { signal })),
            signal,
            keepAlive,
          );
          // The dry run's card carries the same externalRef but is closed: only an open card is the seeded one.
          held = answer.body.data.some((card) => card.externalRef === record.externalRef && card.status !== 'closed');
        }
        if (held) {
          cursor.found += 1;
        } else {
          const seeded = await retryRecord(
            () => activities.seedCardRecord({ baseUrl: input.baseUrl, programme: input.programme, record, purpose: 'seed' }),
            signal,
            keepAlive,
          );
          if (seeded.replayed) cursor.replayed += 1;
          else cursor.issued += 1;
          note(seeded.requestId);
        }
        doneAhead.add(index);
        while (doneAhead.has(cursor.next)) {
          doneAhead.delete(cursor.next);
          cursor.next += 1;
        }
        cursor.ahead = [...doneAhead];
        if (context) heartbeat(context, cursor);
      });
      return {
        from: input.from,
        to: input.to,
        issued: cursor.issued,
        found: cursor.found,
        replayed: cursor.replayed,
        requestIds: [cursor.first, cursor.last].filter((id): id is string => id !== undefined),
      };
    },

    /**
     * Closes the open cards PayCA holds for records [from, to), newest record first, finding each by
     * externalRef: the workflow keeps no card ids. The cursor goes into the heartbeat after each record.
     */
    async closeSeededRange(input: CloseSeededRangeInput): Promise<CloseSeededRangeResult> {
      const context = asyncLocalStorage.getStore();
      const records = (await seedRange(input.csv, input.digest, input.from, input.to)).reverse();
      const recorded = context?.info.heartbeatDetails as { next?: number; closed?: number; absent?: number; first?: string } | undefined;
      let next = typeof recorded?.next === 'number' ? recorded.next : 0;
      let closed = recorded?.closed ?? 0;
      let absent = recorded?.absent ?? 0;
      let first = recorded?.first;
      let last: string | undefined;
      while (next < records.length) {
        const record = records[next] as SeedRecord;
        const found = await paycaCall(() => production(input.baseUrl).findCards(record.externalRef, { signal: activitySignal() }));
        const open = found.body.data.filter((card) => card.externalRef === record.externalRef && card.status !== 'closed');
        if (open.length === 0) absent += 1;
        for (const card of open) {
          const answer = await paycaCall(() =>
            production(input.baseUrl).closeCard(card.id, {
              idempotencyKey: closeSeededCardKey(input.programme, card.id),
              signal: activitySignal(),
            }),
          );
          first ??= answer.requestId;
          last = answer.requestId;
          closed += 1;
        }
        next += 1;
        if (context) heartbeat(context, { next, closed, absent, first });
      }
      return { closed, absent, requestIds: [first, last].filter((id): id is string => id !== undefined) };
    },

    async seedCardRecord(input: SeedCardRecordInput): Promise<SeededCard> {
      const { record } = input;
      const idempotencyKey = seedIdempotencyKey(input.programme, input.purpose, record.externalRef);
      let answer;
      try {
        answer = await paycaCall(() =>
          production(input.baseUrl).issueCard(
            { accountId: record.accountId, externalRef: record.externalRef, holderName: record.holderName, currency: record.currency },
            { idempotencyKey, signal: activitySignal() },
          ),
        );
      } catch (err) {
        // The key is the record's, so a conflict means the CSV row changed since PayCA first saw it.
        if (err instanceof ApplicationFailure && err.type === PAYCA_CODE.ErrIdempotencyConflict) {
          throw ApplicationFailure.create({
            type: FAILURE_TYPES.SEED_RECORD_CHANGED,
            nonRetryable: true,
            message: `record ${record.externalRef} was already sent for ${input.purpose} with other details (holderName, accountId or currency); PayCA refuses to issue it again with this key. Restore the row as first sent, or give the changed record a new externalRef`,
            details: err.details ?? undefined,
            cause: err,
          });
        }
        throw err;
      }
      return {
        externalRef: answer.body.externalRef,
        cardId: answer.body.id,
        requestId: answer.requestId,
        replayed: answer.replayed,
      };
    },

    async verifyCardMapping(input: { baseUrl: string; externalRef: string; cardId: string }): Promise<CardMappingCheck> {
      const answer = await paycaCall(() => production(input.baseUrl).getCard(input.cardId, { signal: activitySignal() }));
      return {
        externalRef: input.externalRef,
        cardId: input.cardId,
        matches: answer.body.externalRef === input.externalRef,
        actualExternalRef: answer.body.externalRef,
        requestId: answer.requestId,
      };
    },

    /**
     * Closes a batch of seeded cards in order. The cursor goes into the heartbeat after each card, so a
     * retry (a crash, a rate limit) starts where the last attempt stopped instead of at the top.
     */
    async closeSeededCards(input: CloseSeededCardsInput): Promise<CloseSeededCardsResult> {
      const context = asyncLocalStorage.getStore();
      const recorded = context?.info.heartbeatDetails as { next?: number; first?: string } | undefined;
      let next = typeof recorded?.next === 'number' ? recorded.next : 0;
      let first = recorded?.first;
      let last: string | undefined;
      while (next < input.cardIds.length) {
        const cardId = input.cardIds[next] as string;
        const answer = await paycaCall(() =>
          production(input.baseUrl).closeCard(cardId, {
            idempotencyKey: closeSeededCardKey(input.programme, cardId),
            signal: activitySignal(),
          }),
        );
        first ??= answer.requestId;
        last = answer.requestId;
        next += 1;
        if (context) heartbeat(context, { next, first });
      }
      return { closed: input.cardIds.length, requestIds: [first, last].filter((id): id is string => id !== undefined) };
    },

    /**
     * `idempotencyKey` lets a caller outside an activity (tests, scripts) supply one; inside an activity the
     * key comes from the activity's identity, which is stable across its retries.
     */
    async closeDryRunCard(input: { baseUrl: string; cardId: string; idempotencyKey?: string }) {
      const idempotencyKey = input.idempotencyKey ?? idempotencyKeyFromActivity('close-dry-run-card');
      const answer = await paycaCall(() => production(input.baseUrl).closeCard(input.cardId, { idempotencyKey, signal: activitySignal() }));
      return { cardId: answer.body.id, status: answer.body.status, requestId: answer.requestId };
    },
  };
  return activities;
}

export type SeedCardActivities = ReturnType<typeof createSeedCardActivities>;
