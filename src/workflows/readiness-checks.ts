/**
 * The automated readiness checks in workflow terms: which activities prove each item, what counts as a
 * problem and what evidence is kept. They start with the cutover and re-run on `retry-item`.
 */
import { patched } from '@temporalio/workflow';
import type { FeeReconciliationResult, FundingCheckResult } from '../activities/index.js';
import type { BinCatalogueEvidence } from '../activities/readiness/bin-catalogue.js';
import type { CicdEnvEvidence } from '../activities/readiness/cicd-env.js';
import type { CredentialsCheckEvidence } from '../activities/readiness/credentials-check.js';
import type { CardMappingCheck, SeedRecord } from '../activities/readiness/seed-cards.js';
import type { MutualTlsStatus, WebhookCertificateEvidence, WebhookTlsEvidence } from '../activities/readiness/webhook-tls.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { AutomatedCheck } from '../runbook/readiness-items.js';
import { ACTING_CALL, cutoverActivities, paycaActivities } from './activity-proxies.js';
import type { Compensation } from './compensations.js';
import { checkPrefunding } from './funding.js';
import { proveWebhookDelivery, type WebhookDeliveryProof } from './webhook-delivery.js';
import type { ChecklistItemState } from './cutover-state.js';
import type { WatchDecision } from './watch-protocol.js';
import { runSeedBatch, type SeedMappingEntry } from './seed-batch.js';
import { GUIDED_RANGES_IN_FLIGHT, guidedSeedRanges, SEEDING_TASK_QUEUE } from './seed-ranges.js';

/** A dry-run card: issued, read back, compared with its record and closed again. */
export interface DryRunCard extends CardMappingCheck {
  closed: boolean;
}

/**
 * Seeding keeps what it got to: the file and its size when the scan found problems, the cards when the
 * dry run did not map, and the counts once seeded (the card mapping itself only in cutovers that seeded
 * before seeding went by range).
 */
export interface SeedCardsEvidence {
  csv?: string;
  records?: number;
  digest?: string;
  dryRun?: DryRunCard[];
  seeded?: number;
  issued?: number;
  found?: number;
  replayed?: number;
  ranges?: number;
  /** The first and the last PayCA request of the batch. */
  requestIds?: string[];
  mapping?: SeedMappingEntry[];
}

/** What an item whose check the plan does not configure keeps: nothing, its problem says what is missing. */
export type NotConfigured = Record<never, never>;

/**
 * What each automated readiness check keeps as evidence, by check name. Indexed by `AutomatedCheck` in
 * `createReadinessChecks` and in the readers' decoders (`src/operations/evidence.ts`), so a check without
 * an entry here fails the build.
 */
export interface ReadinessEvidence {
  'production-credentials': CredentialsCheckEvidence;
  'cicd-env': CicdEnvEvidence | NotConfigured;
  /** Only the URL when it is not https, so nothing was probed. */
  'webhook-tls': WebhookTlsEvidence | { url: string };
  'mutual-tls': { mutualTls: MutualTlsStatus; certificate?: WebhookCertificateEvidence | null; by?: string } | { url: string };
  'bin-catalogue': BinCatalogueEvidence | NotConfigured;
  prefund: FundingCheckResult;
  'seed-cards': SeedCardsEvidence | NotConfigured;
  'webhook-subscriptions': WebhookDeliveryProof;
}

/** The watch item's evidence, which the cutover settles when its watch ends. */
export interface WatchItemEvidence {
  watch: 'ended-early' | 'completed';
  reads: number;
  summaries: number;
  alerts: number;
  /** Alerts still open when the watch ended. */
  stillOpen: string[];
  endedEarly?: WatchDecision;
}

/**
 * What a checklist item keeps: the words of the person who completed an attested item, an automated
 * check's findings, the watch's tally, or the day-1 fee reconciliation the stage recorded.
 */
export type ItemEvidence = string | ReadinessEvidence[AutomatedCheck] | WatchItemEvidence | FeeReconciliationResult;

export interface ReadinessOutcome<C extends AutomatedCheck = AutomatedCheck> {
  problems: string[];
  evidence: ReadinessEvidence[C];
}

export type ReadinessChecks = { [C in AutomatedCheck]: () => Promise<ReadinessOutcome<C>> };

export interface ReadinessContext {
  plan: CutoverPlan;
  compensations: Compensation[];
  /** Seeding reports progress through this, so `status` shows it while the batch runs. */
  item(id: string): ChecklistItemState | undefined;
  /** Told when seeding's progress changed, so the Temporal UI's current details follow it. */
  progressed?(): void;
}

/**
 * Seeds in flight at once. Eight lanes left the payca queue without a backlog whenever a lane's round trip
 * (task dispatch, the PayCA call, a workflow task to schedule the next) took longer than 8/R seconds, which it
 * does on a busy worker: the batch ran at about 16 calls a second against a rate of 20. Thirty-two keep a backlog
 * for the server's rate limiter to pace, and at 20/s none waits in the queue more than about 1.6 s.
 */
const SEED_CONCURRENCY = 32;
/** What cutovers started before the change keep using, so their histories replay unchanged. */
const SEED_CONCURRENCY_BEFORE_PATCH = 8;

/** Records one seeding activity works through, unless the file is so large that the range count cap widens them. */
export const SEED_RANGE_RECORDS = 500;
/**
 * At most this many seeding activities per run, whatever the file's size: the cutover's history grows with
 * the number of ranges, not of records, so a larger file gets wider ranges instead of more of them.
 */
export const MAX_SEED_RANGES = 48;
/** Ranges seeding at once in cutovers that planned their ranges before `seed-ranges-guided` (seed-ranges.ts). */
const SEED_RANGES_IN_FLIGHT = 4;
/** PayCA calls one range keeps in flight; the worker's rate limiter paces them. */
const SEED_CALLS_PER_RANGE = 16;

export function seedRanges(total: number): { from: number; to: number }[] {
  const width = Math.max(SEED_RANGE_RECORDS, Math.ceil(total / MAX_SEED_RANGES));
  const ranges: { from: number; to: number }[] = [];
  for (let from = 0; from < total; from += width) ranges.push({ from, to: Math.min(total, from + width) });
  return ranges;
}

/** The one close-seeded-cards step every run of seeding shares, created on first need. */
function seededCardsOwed(compensations: Compensation[]): Extract<Compensation, { step: 'close-seeded-cards' }> {
  let owed = compensations.find((c): c is Extract<Compensation, { step: 'close-seeded-cards' }> => c.step === 'close-seeded-cards');
  if (!owed) {
    owed = { step: 'close-seeded-cards', cardIds: [] };
    compensations.push(owed);
  }
  return owed;
}

/**
 * The dry run: issues a sample of records, reads each back, checks the mapping and closes the card again.
 * Problems name each card that does not map back to its record.
 */
async function seedDryRun(act: ReturnType<typeof paycaActivities>, production: string, programme: string, sample: SeedRecord[]) {
  const cards: DryRunCard[] = [];
  for (const record of sample) {
    const issued = await act.seedCardRecord({ baseUrl: production, programme, record, purpose: 'dry-run' });
    const mapping = await act.verifyCardMapping({ baseUrl: production, externalRef: record.externalRef, cardId: issued.cardId });
    await act.closeDryRunCard({ baseUrl: production, cardId: issued.cardId });
    cards.push({ ...mapping, closed: true });
  }
  const problems = cards.filter((d) => !d.matches).map((d) => `dry run: card ${d.cardId} does not map back to ${d.externalRef}`);
  return { cards, problems };
}

interface SeedInRangesInput {
  plan: CutoverPlan;
  csv: string;
  dryRunSample: number;
  compensations: Compensation[];
  item: ChecklistItemState | undefined;
  progressed?: () => void;
}

/**
 * Seeding whose cost in history and state does not grow with the file: the CSV stays on the worker, read by
 * range from a cursor; the workflow keeps counts, the digest and the range reached, never a card id.
 */
async function seedInRanges(input: SeedInRangesInput): Promise<ReadinessOutcome<'seed-cards'>> {
  const { plan, csv, item } = input;
  const production = plan.payca.production.baseUrl;
  const summary = 'readiness: seed initial card records (Engineering)';
  const act = paycaActivities(plan.paycaRetryBudgetMs, summary);
  const scan = await act.scanSeedCsv({ csv, sample: input.dryRunSample });
  if (scan.problems.length > 0) return { problems: scan.problems, evidence: { csv, records: scan.total } };

  const { cards: dryRun, problems: dryRunProblems } = await seedDryRun(act, production, plan.programme, scan.sample);
  if (dryRunProblems.length > 0) return { problems: dryRunProblems, evidence: { dryRun } };

  const owed = seededCardsOwed(input.compensations);
  // An earlier run (a retried item) may have issued cards days ago, past PayCA's key window: look them up.
  const lookUpFirst = owed.records !== undefined;
  const total = scan.total;
  // Cutovers that planned their ranges before keep the 48 equal ranges, four at a time, so they replay.
  const guided = patched('seed-ranges-guided');
  const ranges = guided ? guidedSeedRanges(total) : seedRanges(total);
  const inFlight = guided ? GUIDED_RANGES_IN_FLIGHT : SEED_RANGES_IN_FLIGHT;
  const startedAt = Date.now();
  const totals = { issued: 0, found: 0, replayed: 0, done: 0 };
  const requestIds: string[] = [];
  const report = () => {
    if (!item) return;
    const seconds = (Date.now() - startedAt) / 1000;
    const perSecond = seconds > 0 ? Math.round((totals.done / seconds) * 10) / 10 : undefined;
    const expectedEnd = perSecond ? new Date(Date.now() + ((total - totals.done) / perSecond) * 1000).toISOString() : undefined;
    item.progress = {
      done: totals.done,
      total,
      ...(perSecond === undefined ? {} : { perSecond }),
      ...(expectedEnd ? { expectedEnd } : {}),
    };
    input.progressed?.();
  };
  report();
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < ranges.length) {
      const range = ranges[next] as { from: number; to: number };
      next += 1;
      // Owed before the range starts: closing looks records up, so one never issued costs a lookup, not a miss.
      owed.records = { csv, digest: scan.digest, upTo: Math.max(owed.records?.upTo ?? 0, range.to) };
      try {
        const seeded = await paycaActivities(plan.paycaRetryBudgetMs, `${summary}: records ${range.from + 1}-${range.to} of ${total}`, {
          ...ACTING_CALL,
          startToCloseTimeout: 900_000,
          // Short, since it is how long a range whose worker died waits before another worker resumes it.
          heartbeatTimeout: '10s',
          // A guided range may also wait on its queue while up to three ranges ahead of it run on its worker.
          scheduleToCloseTimeout: plan.paycaRetryBudgetMs + 900_000 * (guided ? 4 : 1),
          ...(guided ? { taskQueue: SEEDING_TASK_QUEUE } : {}),
        }).seedCardRange({
          baseUrl: production,
          programme: plan.programme,
          csv,
          digest: scan.digest,
          ...range,
          concurrency: SEED_CALLS_PER_RANGE,
          lookUpFirst,
        });
        totals.issued += seeded.issued;
        totals.found += seeded.found;
        totals.replayed += seeded.replayed;
        totals.done += range.to - range.from;
        if (requestIds.length === 0 && seeded.requestIds[0]) requestIds.push(seeded.requestIds[0]);
        const lastId = seeded.requestIds[seeded.requestIds.length - 1];
        if (lastId) requestIds[1] = lastId;
        report();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, ranges.length) }, () => lane()));
  if (failure !== undefined) throw failure.error;
  return {
    problems: [],
    evidence: {
      csv,
      digest: scan.digest,
      dryRun,
      seeded: total,
      issued: totals.issued,
      found: totals.found,
      replayed: totals.replayed,
      ranges: ranges.length,
      requestIds,
    },
  };
}

/**
 * Records each seeded card as owed to a roll-back the moment PayCA answers, so a batch that fails or is
 * aborted part-way still has its cards closed. A re-run of the item replays the same cards (the keys are
 * per record) and adds each card once; one step covers every run.
 */
function oweSeededCards(compensations: Compensation[]): (cardId: string) => void {
  let owed: Extract<Compensation, { step: 'close-seeded-cards' }> | undefined;
  let known: Set<string> | undefined;
  return (cardId) => {
    if (!owed) {
      if (!patched('compensate-seeded-cards')) return;
      owed = seededCardsOwed(compensations);
      known = new Set(owed.cardIds);
    }
    if (known?.has(cardId)) return;
    known?.add(cardId);
    owed.cardIds.push(cardId);
  };
}

export function createReadinessChecks(ctx: ReadinessContext): ReadinessChecks {
  const { plan } = ctx;
  const production = plan.payca.production.baseUrl;
  const payca = (summary: string) => paycaActivities(plan.paycaRetryBudgetMs, summary);
  const local = cutoverActivities;
  const notConfigured = (what: string): { problems: string[]; evidence: NotConfigured } => ({
    problems: [`the plan has no ${what}; add it, or the programme lead can waive the item`],
    evidence: {},
  });

  return {
    async 'production-credentials'() {
      const result = await payca('readiness: production credentials accepted, sandbox refused (Engineering)').checkProductionCredentials({
        productionBaseUrl: production,
      });
      return { problems: result.problems, evidence: result.evidence };
    },

    async 'cicd-env'() {
      const files = plan.readiness.cicdEnv;
      if (!files) return notConfigured('readiness.cicdEnv (the sandbox and production env files)');
      const result = await local('readiness: CI/CD env files, sandbox vs production (DevOps)').compareCicdEnvFiles(files);
      return { problems: result.problems, evidence: result.evidence };
    },

    async 'webhook-tls'() {
      if (!plan.webhook.url.startsWith('https:')) {
        return {
          problems: [`the webhook endpoint ${plan.webhook.url} is not https; PayCA production needs TLS 1.2 or newer`],
          evidence: { url: plan.webhook.url },
        };
      }
      const result = await local('readiness: webhook endpoint TLS 1.2+ and certificate (Engineering)').checkWebhookTls({
        url: plan.webhook.url,
        minDaysValid: plan.readiness.webhookTls.minDaysValid,
        mutualTlsRequired: plan.readiness.webhookTls.mutualTlsRequired,
      });
      return { problems: result.problems, evidence: result.evidence };
    },

    async 'mutual-tls'() {
      if (!plan.readiness.webhookTls.mutualTlsRequired) {
        return { problems: [], evidence: { mutualTls: 'not-required', by: 'readiness.webhookTls.mutualTlsRequired in the plan' } };
      }
      if (!plan.webhook.url.startsWith('https:')) {
        return {
          problems: [`mutual TLS needs an https webhook endpoint; ${plan.webhook.url} is not one`],
          evidence: { url: plan.webhook.url },
        };
      }
      const result = await local('readiness: webhook endpoint requires a client certificate (Engineering)').checkWebhookTls({
        url: plan.webhook.url,
        minDaysValid: plan.readiness.webhookTls.minDaysValid,
        mutualTlsRequired: true,
      });
      const { mutualTls } = result.evidence;
      return {
        problems:
          mutualTls === 'enforced' ? [] : [`the webhook endpoint does not refuse clients without a certificate (mutual TLS ${mutualTls})`],
        evidence: { mutualTls, certificate: result.evidence.certificate },
      };
    },

    async 'bin-catalogue'() {
      if (plan.readiness.expectedBins.length === 0)
        return notConfigured('readiness.expectedBins (the BINs, fees and restrictions you expect)');
      const result = await payca('readiness: production BIN catalogue against the plan (Ops)').compareBinCatalogue({
        productionBaseUrl: production,
        expected: plan.readiness.expectedBins,
      });
      return { problems: result.problems, evidence: result.evidence };
    },

    async prefund() {
      const { problems, funding } = await checkPrefunding(plan, 'readiness: master accounts prefunded (Treasury)');
      return { problems, evidence: funding };
    },

    async 'seed-cards'() {
      const seeding = plan.readiness.seedCards;
      if (!seeding) return notConfigured('readiness.seedCards (the CSV of initial card records)');
      if (patched('seed-in-ranges')) {
        return seedInRanges({
          plan,
          csv: seeding.csv,
          dryRunSample: seeding.dryRunSample,
          compensations: ctx.compensations,
          item: ctx.item('seed-card-records'),
          progressed: ctx.progressed,
        });
      }
      const act = payca('readiness: seed initial card records (Engineering)');
      const { records, problems } = await act.readSeedCsv({ csv: seeding.csv });
      if (problems.length > 0) return { problems, evidence: { csv: seeding.csv, records: records.length } };

      const { cards: dryRun, problems: dryRunProblems } = await seedDryRun(
        act,
        production,
        plan.programme,
        records.slice(0, seeding.dryRunSample),
      );
      if (dryRunProblems.length > 0) return { problems: dryRunProblems, evidence: { dryRun } };

      const item = ctx.item('seed-card-records');
      const owe = oweSeededCards(ctx.compensations);
      const { mapping } = await runSeedBatch({
        records,
        concurrency: patched('seed-batch-32-lanes') ? SEED_CONCURRENCY : SEED_CONCURRENCY_BEFORE_PATCH,
        seed: async (record: SeedRecord) => {
          const seeded = await paycaActivities(
            plan.paycaRetryBudgetMs,
            'readiness: seed initial card records (Engineering)',
            ACTING_CALL,
          ).seedCardRecord({
            baseUrl: production,
            programme: plan.programme,
            record,
            purpose: 'seed',
          });
          owe(seeded.cardId);
          return seeded;
        },
        onProgress: (done, total) => {
          if (item) item.progress = { done, total };
        },
      });
      return { problems: [], evidence: { csv: seeding.csv, dryRun, seeded: mapping.length, mapping } };
    },

    async 'webhook-subscriptions'() {
      const proof = await proveWebhookDelivery(
        plan,
        ctx.compensations,
        'readiness: production webhook subscription and a 2xx delivery (Engineering)',
      );
      return { problems: [], evidence: proof };
    },
  };
}
