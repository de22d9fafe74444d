/**
 * Shapes of PayCA's response bodies (docs/payca-contract.md). Every answer is parsed with one of these before the
 * client hands it on, so a provider that breaks the contract fails loudly as ErrBadResponse instead of
 * leaking `undefined` into the workflow. Objects are loose: PayCA may add fields without breaking us,
 * but a documented field that is missing or of the wrong type is a fault.
 */
import { z } from 'zod';
import { Currency } from '../runbook/bins.js';

const Environment = z.enum(['sandbox', 'production']);
const Timestamp = z.iso.datetime({ offset: true });
const MinorUnits = z.number().int();
const Count = z.number().int().nonnegative();

/** Integer minor units plus currency: `{ amount: 1500, currency: 'GBP' }` is £15.00. */
export const Money = z.looseObject({ amount: MinorUnits, currency: Currency });
export type Money = z.infer<typeof Money>;

export const Health = z.looseObject({
  status: z.literal('ok'),
  environment: Environment,
  time: Timestamp,
});
export type Health = z.infer<typeof Health>;

export const Account = z.looseObject({
  id: z.string().min(1),
  currency: Currency,
  balance: Money,
  available: Money,
  status: z.string().min(1),
});
export type Account = z.infer<typeof Account>;

export const AccountList = z.looseObject({ data: z.array(Account) });
export type AccountList = z.infer<typeof AccountList>;

/** Settings are free-form: the config diff compares them key by key, whatever their values are. */
export const ProgramConfig = z.looseObject({
  environment: Environment,
  settings: z.record(z.string(), z.unknown()),
});
export type ProgramConfig = z.infer<typeof ProgramConfig>;

export const Bin = z.looseObject({
  bin: z.string().min(1),
  network: z.string().min(1),
  currency: Currency,
  fees: z.looseObject({ issuance: Money, topupBps: z.number().nonnegative() }),
  restrictions: z.looseObject({ countries: z.array(z.string()), mccBlocked: z.array(z.string()) }),
});
export type Bin = z.infer<typeof Bin>;

export const BinList = z.looseObject({ data: z.array(Bin) });
export type BinList = z.infer<typeof BinList>;

/** Status stays a string: a card read may show states the issue call never returns. */
export const Card = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  externalRef: z.string(),
  accountId: z.string().min(1),
  currency: Currency,
  last4: z.string().regex(/^\d{4}$/, 'expected four digits'),
  createdAt: Timestamp,
});
export type Card = z.infer<typeof Card>;

export const CardList = z.looseObject({ data: z.array(Card) });
export type CardList = z.infer<typeof CardList>;

/** The answer to a close: PayCA promises only the id and the closed status. */
export const CardClosed = z.looseObject({ id: z.string().min(1), status: z.literal('closed') });
export type CardClosed = z.infer<typeof CardClosed>;

export const TopUp = z.looseObject({
  transactionId: z.string().min(1),
  ledgerEntryId: z.string().min(1),
  cardId: z.string().min(1),
  amount: MinorUnits,
  currency: Currency,
  cardBalance: MinorUnits,
});
export type TopUp = z.infer<typeof TopUp>;

export const LedgerEntry = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  amount: MinorUnits,
  currency: Currency,
  transactionId: z.string().min(1),
  createdAt: Timestamp,
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const LedgerList = z.looseObject({ data: z.array(LedgerEntry) });
export type LedgerList = z.infer<typeof LedgerList>;

/** `signingSecret` is only ever returned by the create call; reads and lists leave it out. */
export const WebhookSubscription = z.looseObject({
  id: z.string().min(1),
  url: z.string().min(1),
  events: z.array(z.string()),
  status: z.string().min(1),
  signingSecret: z.string().min(1).optional(),
});
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;

/** The create answer, where the signing secret must be present: it is the only chance to get it. */
export const WebhookSubscriptionCreated = WebhookSubscription.extend({ signingSecret: z.string().min(1) });
export type WebhookSubscriptionCreated = z.infer<typeof WebhookSubscriptionCreated>;

export const WebhookList = z.looseObject({ data: z.array(WebhookSubscription) });
export type WebhookList = z.infer<typeof WebhookList>;

export const WebhookTestAccepted = z.looseObject({ deliveryId: z.string().min(1) });
export type WebhookTestAccepted = z.infer<typeof WebhookTestAccepted>;

/** A pending delivery may not have been attempted yet, so it has no response status or attempt time. */
export const Delivery = z.looseObject({
  id: z.string().min(1),
  eventType: z.string().min(1),
  status: z.enum(['succeeded', 'failed', 'pending']),
  responseStatus: z.number().int().nullable().optional(),
  attempts: Count,
  lastAttemptAt: Timestamp.nullable().optional(),
});
export type Delivery = z.infer<typeof Delivery>;

export const DeliveryList = z.looseObject({ data: z.array(Delivery) });
export type DeliveryList = z.infer<typeof DeliveryList>;

export const SandboxAuthorization = z.looseObject({
  authorizationId: z.string().min(1),
  status: z.enum(['approved', 'declined']),
  declineReason: z.string().optional(),
});
export type SandboxAuthorization = z.infer<typeof SandboxAuthorization>;

/** One authorization as PayCA recorded it; production has no other way to show a real card payment. */
export const Authorization = z.looseObject({
  id: z.string().min(1),
  cardId: z.string().min(1),
  status: z.enum(['approved', 'declined']),
  declineReason: z.string().optional(),
  amount: Money,
  merchant: z.looseObject({ name: z.string(), mcc: z.string(), country: z.string() }).nullable().optional(),
  createdAt: Timestamp,
});
export type Authorization = z.infer<typeof Authorization>;

const CountAndAmount = z.looseObject({ count: Count, amount: MinorUnits });

export const Metrics = z.looseObject({
  from: Timestamp,
  to: Timestamp,
  authorizations: z.looseObject({ approved: Count, declined: Count }),
  settlements: CountAndAmount,
  refunds: CountAndAmount,
  fees: Money,
  /** Fees per currency over the window, every currency with fees; `fees` is the programme's default currency. */
  feesByCurrency: z.record(Currency, MinorUnits).optional(),
  webhooks: z.looseObject({ succeeded: Count, failed: Count }),
  rateLimited: Count,
});
export type Metrics = z.infer<typeof Metrics>;

export const Statement = z.looseObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected yyyy-mm-dd'),
  currency: Currency,
  fees: z.looseObject({ total: MinorUnits, byType: z.record(z.string(), MinorUnits) }),
  /** Every line of the day in every currency billed; `currency` and `fees` are the default currency's. */
  lines: z.array(z.looseObject({ currency: Currency, type: z.string().min(1), amount: MinorUnits })).optional(),
});
export type Statement = z.infer<typeof Statement>;

/** Every error answer. `code` stays a string here; the client decides whether it is one it knows. */
export const ErrorBody = z.looseObject({
  code: z.string().min(1),
  message: z.string(),
  requestId: z.string().min(1),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
