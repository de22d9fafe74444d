/**
 * Stage and checklist evidence as read back from a status (a query, or a finished cutover's result): the one
 * place the CLI and the dev stack decode it. Cutovers started by older workers kept other shapes (see
 * test/fixtures/histories), so every field is optional, and a field of another shape reads as not recorded
 * rather than failing the reader. Each reader lists every field of its producer's type, checked by the
 * compiler, so a field added, renamed or retyped there fails the build here until the reader follows.
 */
import { z } from 'zod';
import type {
  ConfigDiffResult,
  FeeReconciliationResult,
  FundingCheckResult,
  JobPriorState,
  VerifiedAuthorization,
} from '../activities/index.js';
import type { BinCatalogueEvidence, ImportedBin } from '../activities/readiness/bin-catalogue.js';
import type { CicdEnvEvidence, CicdEnvKey } from '../activities/readiness/cicd-env.js';
import type { CredentialsCheckEvidence } from '../activities/readiness/credentials-check.js';
import type { WebhookCertificateEvidence, WebhookTlsEvidence } from '../activities/readiness/webhook-tls.js';
import type {
  AccountsEvidence,
  ClosedCardEvidence,
  EarlierTestCard,
  HealthEvidence,
  LedgerEvidence,
  RecoveryEvidence,
  SmokeTestEvidence,
  TestCardEvidence,
  TopUpEvidence,
} from '../activities/smoke-tests.js';
import type { DeliveryEvidence, EnsureSubscriptionResult, TestWebhookSent } from '../activities/webhooks.js';
import type { CurrencyFees } from '../plan/fee-reconciliation.js';
import { RUNBOOK_ITEMS, FEE_RECONCILIATION_ITEM_ID, WATCH_ITEM_ID, type AutomatedCheck } from '../runbook/readiness-items.js';
import type { StageId } from '../runbook/stages.js';
import type { WatchDecision } from '../workflows/watch-protocol.js';
import type { ChecklistItemState, StageState } from '../workflows/cutover-state.js';
import type { DryRunCard, ReadinessEvidence, SeedCardsEvidence, WatchItemEvidence } from '../workflows/readiness-checks.js';
import type { SeedMappingEntry } from '../workflows/seed-batch.js';
import type { EvidenceOnEveryStage, GoLiveEvidence, ManualAuthorizationEvidence, StageEvidence } from '../workflows/stage-checks.js';
import type { WebhookDeliveryProof } from '../workflows/webhook-delivery.js';

/** A value as read back from a status: any field, at any depth, may be missing. */
export type Recorded<T> = T extends readonly (infer U)[] ? Recorded<U>[] : T extends object ? { [K in keyof T]?: Recorded<T[K]> } : T;

type Reader<T> = z.ZodType<Recorded<T>>;
/** A reader for each field of T: none left out, none extra. */
type Fields<T> = { [K in keyof T]-?: Reader<T[K]> };

/** Reads an object leniently: a missing field, or one of another shape, is left out; fields it does not know are kept. */
function lenient<T extends object>(fields: Fields<T>): Reader<T> {
  const shape = Object.fromEntries(Object.entries(fields).map(([key, reader]) => [key, (reader as z.ZodType).optional().catch(undefined)]));
  // Every field is optional and never fails, so the object reads as Recorded<T> whatever it held.
  return z.looseObject(shape) as unknown as Reader<T>;
}

const text = z.string();
const count = z.number();
const flag = z.boolean();
const texts = z.array(text);

// ---------- stages ----------

const configDiff = lenient<ConfigDiffResult>({
  keysCompared: count,
  differences: z.array(
    lenient<ConfigDiffResult['differences'][number]>({ key: text, sandbox: z.unknown(), production: z.unknown(), allowed: flag }),
  ),
  unexpected: texts,
  requestIds: lenient<ConfigDiffResult['requestIds']>({ sandbox: text, production: text }),
});

const cicdEnv = lenient<CicdEnvEvidence>({
  sandboxFile: text,
  productionFile: text,
  keys: z.array(
    lenient<CicdEnvKey>({
      key: text,
      sandbox: text,
      production: text,
      secret: flag,
      allowed: flag,
      status: z.enum(['same', 'differs', 'only-in-sandbox', 'only-in-production']),
      workerCredentials: z.enum(['matches', 'differs', 'is-sandbox-secret', 'not-held', 'reference', 'not-set']),
    }),
  ),
});

const account = lenient<FundingCheckResult['accounts'][number]>({ id: text, currency: text, available: count, status: text });

const funding = lenient<FundingCheckResult>({
  accounts: z.array(account),
  shortfalls: z.array(
    lenient<FundingCheckResult['shortfalls'][number]>({ currency: text, minimum: count, available: count, missing: count }),
  ),
  requestId: text,
});

const job = lenient<JobPriorState>({ name: text, kind: z.enum(['schedule', 'http']), wasActive: flag, changed: flag });

/** A delivery PayCA reported, in the webhook smoke test and in the go-live top-up's. */
const deliveryFields: Fields<DeliveryEvidence> = {
  deliveryId: text,
  eventType: text,
  status: z.literal('succeeded'),
  responseStatus: count,
  attempts: count,
  requestId: text,
};

const webhookDelivery = lenient<WebhookDeliveryProof>({
  subscription: lenient<EnsureSubscriptionResult>({ subscriptionId: text, created: flag, events: texts, requestIds: texts }),
  testEvent: lenient<TestWebhookSent>({ deliveryId: text, requestId: text, sentAt: text }),
  delivery: lenient<DeliveryEvidence>(deliveryFields),
});

const recovery: Fields<RecoveryEvidence> = {
  recovered: lenient<NonNullable<RecoveryEvidence['recovered']>>({ brokenAnswer: text.nullable(), foundBy: text }),
  reconciled: lenient<NonNullable<RecoveryEvidence['reconciled']>>({ foundBy: text }),
};

/** The smoke test's card.topup step: a delivery, or why it was skipped. */
type TopUpWebhookEvidence = DeliveryEvidence & { skipped: string };

const smokeTests = lenient<SmokeTestEvidence>({
  earlierTestCards: z.array(lenient<EarlierTestCard>({ externalRef: text, cardId: text, status: text, requestId: text })),
  health: lenient<HealthEvidence>({ status: text, environment: text, time: text, requestId: text }),
  accounts: lenient<AccountsEvidence>({ accounts: z.array(account), requestId: text }),
  issueCard: lenient<TestCardEvidence>({
    ...recovery,
    cardId: text,
    last4: text,
    status: text,
    externalRef: text,
    requestId: text,
    replayed: flag,
  }),
  topUp: lenient<TopUpEvidence>({
    ...recovery,
    transactionId: text,
    ledgerEntryId: text,
    cardBalance: count,
    requestId: text,
    replayed: flag,
    startedAt: text,
  }),
  ledger: lenient<LedgerEvidence>({ ledgerEntryId: text, entries: count, requestId: text }),
  topUpWebhook: lenient<TopUpWebhookEvidence>({ ...deliveryFields, skipped: text }),
  closeCard: lenient<ClosedCardEvidence>({ ...recovery, cardId: text, status: text, requestId: text }),
});

const verifiedAuthorization = lenient<VerifiedAuthorization>({
  authorizationId: text,
  cardId: text,
  accountId: text,
  last4: text,
  amount: count,
  currency: text,
  merchant: text.nullable(),
  createdAt: text,
  ageSeconds: count,
  requestIds: lenient<VerifiedAuthorization['requestIds']>({ authorization: text, card: text, accounts: text, clock: text }),
});

const onEveryStage: Fields<EvidenceOnEveryStage> = {
  lastCheckAt: text,
  lastCheckPlanTime: text,
  manualAuthorization: lenient<ManualAuthorizationEvidence>({
    authorizationId: text,
    confirmedBy: text,
    at: text,
    verified: verifiedAuthorization,
  }),
};

const currencyFees = lenient<CurrencyFees>({
  currency: text,
  expected: flag,
  onStatement: flag,
  metricsFees: count,
  statementFees: count,
  statementByType: z.record(z.string(), count),
  difference: count,
  matches: flag,
  finding: z.enum(['missing-from-statement', 'unexpected-currency', 'above-tolerance']),
});

/** Before it went per currency, a reconciliation recorded one currency's figures at its top level. */
interface SingleCurrencyFees {
  currency: string;
  metricsFees: number;
  statementFees: number;
  statementByType: Record<string, number>;
  difference: number;
}

/** The day-1 fee reconciliation in either shape it was recorded in: `feeRowsOf` reads the rows of both. */
export type FeeReconciliationOnRecord = FeeReconciliationResult & SingleCurrencyFees;

const feeReconciliation = lenient<FeeReconciliationOnRecord>({
  date: text,
  currency: text,
  currencies: texts,
  byCurrency: z.array(currencyFees),
  tolerance: count,
  matches: flag,
  requestIds: lenient<FeeReconciliationResult['requestIds']>({ metrics: text, statement: text }),
  metricsFees: count,
  statementFees: count,
  statementByType: z.record(z.string(), count),
  difference: count,
});

type StageOnRecord<S extends StageId> = StageEvidence[S] & EvidenceOnEveryStage;

/** One reader per stage id: a stage the runbook adds fails the build here until it has one. */
const STAGE_READERS: { [S in StageId]: Reader<StageOnRecord<S>> } = {
  'config-diff': lenient<StageOnRecord<'config-diff'>>({ ...onEveryStage, configDiff, cicdEnv }),
  'funding-check': lenient<StageOnRecord<'funding-check'>>({ ...onEveryStage, funding }),
  'disable-sandbox-jobs': lenient<StageOnRecord<'disable-sandbox-jobs'>>({ ...onEveryStage, jobs: z.array(job), note: text }),
  'webhook-smoke-test': lenient<StageOnRecord<'webhook-smoke-test'>>({
    ...onEveryStage,
    subscription: lenient<EnsureSubscriptionResult>({ subscriptionId: text, created: flag, events: texts, requestIds: texts }),
    testEvent: lenient<TestWebhookSent>({ deliveryId: text, requestId: text, sentAt: text }),
    delivery: lenient<DeliveryEvidence>({
      deliveryId: text,
      eventType: text,
      status: z.literal('succeeded'),
      responseStatus: count,
      attempts: count,
      requestId: text,
    }),
  }),
  'go-live': lenient<StageOnRecord<'go-live'>>({
    ...onEveryStage,
    changeWindowOpenedAt: text,
    changeWindowOpenedAtPayca: text,
    smokeTests,
    manualAuthorizationStep: text,
  } satisfies Fields<GoLiveEvidence & EvidenceOnEveryStage>),
  debrief: lenient<StageOnRecord<'debrief'>>({ ...onEveryStage }),
  'fee-reconciliation': lenient<StageOnRecord<'fee-reconciliation'>>({
    ...onEveryStage,
    feeReconciliation: feeReconciliation,
  }),
};

/** A stage's evidence as recorded, by its id. */
export type StageEvidenceRead<S extends StageId> = Recorded<StageOnRecord<S>>;

/** The evidence of a stage of this status, decoded; `{}` when it kept none or something that is not an object. */
export function stageEvidence<S extends StageId>(stage: StageState<S> | undefined): StageEvidenceRead<S> {
  if (!stage) return {} as StageEvidenceRead<S>;
  const reader = STAGE_READERS[stage.id] as Reader<StageOnRecord<S>> | undefined;
  // A newer worker's stage this reader does not know: nothing of it is read.
  const read = reader?.safeParse(stage.evidence);
  return (read?.success ? read.data : {}) as StageEvidenceRead<S>;
}

/** The fee reconciliation as recorded, in whichever shape; `feeRowsOf` gives the per-currency rows of both. */
export type FeeReconciliationRead = Recorded<FeeReconciliationOnRecord>;

// ---------- checklist items ----------

const certificate = lenient<WebhookCertificateEvidence>({
  subject: text,
  issuer: text,
  validFrom: text,
  validTo: text,
  daysLeft: count,
  fingerprint256: text,
  altNames: texts,
});

const mutualTls = z.enum(['not-required', 'enforced', 'not-enforced', 'unverified']);

const importedBin = lenient<ImportedBin>({
  bin: text,
  network: text,
  currency: text,
  fees: lenient<ImportedBin['fees']>({
    issuance: lenient<ImportedBin['fees']['issuance']>({ amount: count, currency: text }),
    topupBps: count,
  }),
  restrictions: lenient<ImportedBin['restrictions']>({ countries: texts, mccBlocked: texts }),
});

const dryRunCard = lenient<DryRunCard>({
  externalRef: text,
  cardId: text,
  matches: flag,
  actualExternalRef: text,
  requestId: text,
  closed: flag,
});

type Merged<T> = (T extends unknown ? (k: T) => void : never) extends (k: infer I) => void ? I : never;
type CheckOnRecord<C extends AutomatedCheck> = Merged<ReadinessEvidence[C]>;

/** One reader per automated check: a check the runbook adds fails the build here until it has one. */
const CHECK_READERS: { [C in AutomatedCheck]: Reader<CheckOnRecord<C>> } = {
  'production-credentials': lenient<CredentialsCheckEvidence>({
    productionAccepted: flag,
    productionRequestId: text,
    sandboxRefusedByProduction: flag,
    sandboxRequestId: text,
  }),
  'cicd-env': cicdEnv,
  'webhook-tls': lenient<CheckOnRecord<'webhook-tls'>>({
    url: text,
    negotiatedProtocol: text.nullable(),
    cipher: text.nullable(),
    tls10Refused: flag.nullable(),
    tls11Refused: flag.nullable(),
    certificate: certificate.nullable(),
    mutualTls,
  } satisfies Fields<WebhookTlsEvidence & { url: string }>),
  'mutual-tls': lenient<CheckOnRecord<'mutual-tls'>>({ url: text, mutualTls, certificate: certificate.nullable(), by: text }),
  'bin-catalogue': lenient<BinCatalogueEvidence>({
    requestId: text,
    catalogue: z.array(importedBin),
    notInPlan: texts,
  }),
  prefund: funding,
  'seed-cards': lenient<SeedCardsEvidence>({
    csv: text,
    records: count,
    digest: text,
    dryRun: z.array(dryRunCard),
    seeded: count,
    issued: count,
    found: count,
    replayed: count,
    ranges: count,
    requestIds: texts,
    mapping: z.array(lenient<SeedMappingEntry>({ externalRef: text, cardId: text, requestId: text })),
  }),
  'webhook-subscriptions': webhookDelivery,
};

const watchDecision = lenient<WatchDecision>({ kind: z.enum(['end', 'extend']), by: text, reason: text, extendByMs: count, at: text });

const watchItem = lenient<WatchItemEvidence>({
  watch: z.enum(['ended-early', 'completed']),
  reads: count,
  summaries: count,
  alerts: count,
  stillOpen: texts,
  endedEarly: watchDecision,
});

/** What a checklist item's evidence is, by what produced it. */
export type ItemEvidenceRead =
  | { kind: 'attested'; text: string | undefined }
  | { [C in AutomatedCheck]: { kind: 'check'; check: C; evidence: Recorded<CheckOnRecord<C>> } }[AutomatedCheck]
  | { kind: 'watch'; evidence: Recorded<WatchItemEvidence> }
  | { kind: 'fee-reconciliation'; evidence: FeeReconciliationRead }
  | { kind: 'unknown' };

const CHECK_OF_ITEM = new Map(RUNBOOK_ITEMS.flatMap((item) => (item.check ? [[item.id, item.check] as const] : [])));

function read<T>(reader: Reader<T>, value: unknown): Recorded<T> {
  const result = reader.safeParse(value);
  return result.success ? result.data : ({} as Recorded<T>);
}

/** A checklist item's evidence, decoded by what produced it: a person, an automated check, the watch or the fee reconciliation. */
export function itemEvidence(item: ChecklistItemState): ItemEvidenceRead {
  const value: unknown = item.evidence;
  if (item.kind === 'attested') return { kind: 'attested', text: typeof value === 'string' ? value : undefined };
  if (item.id === WATCH_ITEM_ID) return { kind: 'watch', evidence: read(watchItem, value) };
  if (item.id === FEE_RECONCILIATION_ITEM_ID) return { kind: 'fee-reconciliation', evidence: read(feeReconciliation, value) };
  const check = CHECK_OF_ITEM.get(item.id);
  if (!check) return { kind: 'unknown' };
  return { kind: 'check', check, evidence: read(CHECK_READERS[check] as Reader<object>, value) };
}

/** An automated check's evidence as recorded, by check name. */
export type CheckEvidenceRead<C extends AutomatedCheck> = Recorded<CheckOnRecord<C>>;

/** One currency of a reconciliation as recorded. */
export type CurrencyFeesRead = Recorded<CurrencyFees>;

/** The per-currency rows of a recorded reconciliation, whichever shape it was recorded in; undefined if neither. */
export function feeRowsOf(fees: FeeReconciliationRead | undefined): CurrencyFeesRead[] | undefined {
  if (!fees) return undefined;
  if (fees.byCurrency) return fees.byCurrency;
  if (fees.metricsFees === undefined || fees.statementFees === undefined) return undefined;
  return [
    {
      currency: fees.currency,
      expected: true,
      onStatement: true,
      metricsFees: fees.metricsFees,
      statementFees: fees.statementFees,
      statementByType: fees.statementByType,
      difference: fees.difference ?? fees.statementFees - fees.metricsFees,
      matches: fees.matches === true,
      ...(fees.matches !== true && { finding: 'above-tolerance' as const }),
    },
  ];
}

/** What a report or a progress line shows for a field the evidence does not hold. */
export const NOT_RECORDED = 'not recorded';

/** The value as text, or "not recorded". */
export function recorded(value: string | number | boolean | null | undefined): string {
  return value === undefined ? NOT_RECORDED : String(value);
}

/** The stage of this id in a status, typed by its id; undefined when the cutover's plan has none. */
export function findStage<S extends StageId>(status: { stages: readonly StageState[] }, id: S): StageState<S> | undefined {
  return status.stages.find((stage) => stage.id === id) as StageState<S> | undefined;
}
