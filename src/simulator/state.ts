/**
 * The simulator's in-memory world. One object per simulator, mutated in place (also by reset) so a
 * test holding `sim.state` always sees the live data.
 */
import { CallRateMeter } from './call-rate.js';
import type { CounterTallies, SimulatorCounters } from './counters.js';
import { initialAccounts, initialBins, initialJobs, initialSettings } from './initial-data.js';

export type SimulatorMode = 'sandbox' | 'production';
export type SettingValue = string | number | boolean;

export interface Account {
  id: string;
  currency: string;
  balance: number;
  available: number;
  status: 'active' | 'suspended';
}

export interface Bin {
  bin: string;
  network: 'mastercard' | 'visa';
  currency: string;
  fees: { issuance: { amount: number; currency: string }; topupBps: number };
  restrictions: { countries: string[]; mccBlocked: string[] };
}

export interface Card {
  id: string;
  status: 'active' | 'closed';
  externalRef: string;
  accountId: string;
  currency: string;
  holderName: string;
  bin: string;
  last4: string;
  balance: number;
  createdAt: string;
  closedAt: string | null;
}

export interface LedgerEntry {
  id: string;
  cardId: string;
  type: 'topup' | 'authorization';
  amount: number;
  currency: string;
  transactionId: string;
  createdAt: string;
}

export interface WebhookSubscription {
  id: string;
  url: string;
  events: string[];
  status: 'active';
  signingSecret: string;
  createdAt: string;
}

export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  /** Null while no attempt has had an HTTP answer (not yet tried, timeout, refused). */
  responseStatus: number | null;
  attempts: number;
  lastAttemptAt: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface FeeRecord {
  type: 'issuance' | 'topup';
  cardId: string;
  amount: number;
  currency: string;
  at: string;
}

export interface AuthorizationRecord {
  id: string;
  /** Empty for synthetic authorizations injected for the metrics report; those cannot be read by id. */
  cardId: string;
  status: 'approved' | 'declined';
  declineReason?: string;
  amount: number;
  currency: string;
  merchant?: { name: string; mcc: string; country: string };
  at: string;
}

/** Money movements the reports count; settlements come from approved authorizations or `/_sim/activity`. */
export interface MovementRecord {
  count: number;
  amount: number;
  at: string;
}

/** One delivery attempt's outcome; the metrics count attempts, so a retried failure shows as it happens. */
export interface WebhookAttemptRecord {
  /** Null for attempts injected through `/_sim/inject/webhook-failures`. */
  deliveryId: string | null;
  outcome: 'succeeded' | 'failed';
  responseStatus: number | null;
  at: string;
}

/** A fee on the statement that no recorded traffic explains, for reconciliation tests. */
export interface StatementAdjustment {
  date: string;
  type: string;
  amount: number;
  currency: string;
  at: string;
}

/** What an admin injection did and when, so a test can see in `/_sim/state` why a metric moved. */
export interface InjectionRecord {
  kind: string;
  at: string;
  detail: Record<string, unknown>;
}

export interface SimulatorState {
  mode: SimulatorMode;
  accounts: Map<string, Account>;
  bins: Bin[];
  settings: Record<string, SettingValue>;
  cards: Map<string, Card>;
  ledger: LedgerEntry[];
  subscriptions: Map<string, WebhookSubscription>;
  deliveries: WebhookDelivery[];
  fees: FeeRecord[];
  authorizations: AuthorizationRecord[];
  settlements: MovementRecord[];
  refunds: MovementRecord[];
  /** When each ErrRateLimited answer went out (or was injected), for the metrics report. */
  rateLimitedAt: string[];
  webhookAttempts: WebhookAttemptRecord[];
  statementAdjustments: StatementAdjustment[];
  injections: InjectionRecord[];
  /** Sandbox automation jobs by name: true when enabled. */
  jobs: Map<string, boolean>;
  counters: CounterTallies;
  /** PayCA calls per second as they arrive. */
  callRate: CallRateMeter;
}

function zeroCounters(): CounterTallies {
  return {
    cardsIssued: 0,
    cardsClosed: 0,
    topUps: 0,
    ledgerEntries: 0,
    webhookSubscriptionsCreated: 0,
    webhookSubscriptionsDeleted: 0,
    answersByCode: {},
    requests: 0,
    idempotentReplays: 0,
    jobChanges: 0,
  };
}

export function createState(mode: SimulatorMode): SimulatorState {
  return {
    mode,
    accounts: new Map(initialAccounts().map((account) => [account.id, account])),
    bins: initialBins(),
    settings: initialSettings(mode),
    cards: new Map(),
    ledger: [],
    subscriptions: new Map(),
    deliveries: [],
    fees: [],
    authorizations: [],
    settlements: [],
    refunds: [],
    rateLimitedAt: [],
    webhookAttempts: [],
    statementAdjustments: [],
    injections: [],
    jobs: new Map(initialJobs().map((name) => [name, true])),
    counters: zeroCounters(),
    callRate: new CallRateMeter(),
  };
}

export function resetState(state: SimulatorState): void {
  Object.assign(state, createState(state.mode));
}

export function countAnswer(state: SimulatorState, key: string): void {
  state.counters.answersByCode[key] = (state.counters.answersByCode[key] ?? 0) + 1;
}

export function countersSnapshot(state: SimulatorState): SimulatorCounters {
  const webhookDeliveries = { succeeded: 0, failed: 0, pending: 0 };
  for (const delivery of state.deliveries) webhookDeliveries[delivery.status] += 1;
  const callRate = state.callRate.snapshot(state.counters.answersByCode.ErrRateLimited ?? 0);
  return { ...state.counters, answersByCode: { ...state.counters.answersByCode }, webhookDeliveries, callRate };
}

/** Plain JSON of the world, for `GET /_sim/state`. Signing secrets are included: this is a test double. */
export function stateSnapshot(state: SimulatorState) {
  return {
    mode: state.mode,
    accounts: [...state.accounts.values()],
    cards: [...state.cards.values()],
    ledger: state.ledger,
    subscriptions: [...state.subscriptions.values()],
    deliveries: state.deliveries,
    webhookAttempts: state.webhookAttempts,
    fees: state.fees,
    authorizations: state.authorizations,
    settlements: state.settlements,
    refunds: state.refunds,
    rateLimitedAt: state.rateLimitedAt,
    statementAdjustments: state.statementAdjustments,
    injections: state.injections,
    settings: state.settings,
    jobs: jobList(state),
  };
}

export function jobList(state: SimulatorState): { name: string; enabled: boolean }[] {
  return [...state.jobs].map(([name, enabled]) => ({ name, enabled }));
}
