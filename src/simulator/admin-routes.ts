/**
 * The simulator's own control API under `/_sim/`: counters, faults, state tweaks, reset, the
 * sandbox automation jobs, and `/_sim/inject/…` events that make each post-launch alert rule fire
 * and recover. `/_sim/authorizations` records a real card payment (the runbook's low-risk authorization)
 * for the go-live gate to read. Not PayCA: no credentials, no rate limit, no faults.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { publicAccount } from './account-routes.js';
import { publicAuthorization } from './authorization-routes.js';
import { writeDashboardPage } from './dashboard-page.js';
import { findCard, openCard } from './card-routes.js';
import { FaultsInput, type FaultInjector } from './faults.js';
import { errorResponse, newRequestId, parseJsonBody, readRawBody, SimError, writeResponse, type SimResponse } from './http-io.js';
import { Router } from './router.js';
import { describeIssues } from './schemas.js';
import { newId } from './ids.js';
import {
  countersSnapshot,
  jobList,
  stateSnapshot,
  type Account,
  type AuthorizationRecord,
  type Card,
  type SimulatorState,
} from './state.js';

export interface AdminDeps {
  state: SimulatorState;
  faults: FaultInjector;
  now: () => Date;
  /** Back to the initial world: state, counters, faults, rate-limit buckets, idempotency keys, deliveries. */
  reset: () => void;
  /** Forgets every remembered Idempotency-Key, as PayCA does 24 h after a key's first use. */
  expireIdempotencyKeys: () => void;
}

interface AdminContext {
  deps: AdminDeps;
  params: Record<string, string>;
  body: unknown;
}

type AdminHandler = (context: AdminContext) => SimResponse;

const AccountUpdate = z.object({
  balance: z.number().int(),
  /** Defaults to `balance`: a funding test usually wants both to move together. */
  available: z.number().int().optional(),
  status: z.enum(['active', 'suspended']).optional(),
  /** Needed only to create an account that does not exist yet. */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
});

const ConfigUpdate = z.object({
  /** Merged into the settings; `null` removes a key, for "missing setting" diffs. */
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

const MovementInput = z.object({ count: z.number().int().nonnegative(), amount: z.number().int().nonnegative() });

/** When an injected event happened; the metrics window decides whether it counts. Default now. */
const At = z.iso.datetime({ offset: true }).optional();
/** Bounded so one bad test cannot fill the simulator's memory. */
const InjectedCount = z.number().int().nonnegative().max(100_000);
const MinorUnits = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

const AuthorizationCounts = z.object({ approved: InjectedCount.default(0), declined: InjectedCount.default(0) });

/** Synthetic traffic for the metrics report, e.g. a production decline spike for alert tests. */
const ActivityInput = z.object({
  at: At,
  authorizations: AuthorizationCounts.optional(),
  settlements: MovementInput.optional(),
  refunds: MovementInput.optional(),
});

const InjectAuthorizations = AuthorizationCounts.extend({ at: At });

const InjectWebhookFailures = z.object({ count: InjectedCount, succeeded: InjectedCount.default(0), at: At });

const InjectRateLimited = z.object({ count: InjectedCount.min(1), at: At });

const BalanceDrain = z
  .object({ accountId: z.string().min(1), to: MinorUnits.optional(), by: MinorUnits.optional(), at: At })
  .refine((input) => (input.to === undefined) !== (input.by === undefined), {
    message: 'give exactly one of to (the available balance to leave) or by (the amount to take)',
    path: ['to'],
  });

const BalanceRestore = z.object({ accountId: z.string().min(1), at: At });

const StatementAdjustmentInput = z.object({
  date: z.iso.date(),
  /** Positive: a fee PayCA billed that our traffic does not explain. */
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  type: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'must be a lower-case fee type such as "adjustment"')
    .default('adjustment'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as "GBP"')
    .optional(),
});

const Merchant = z.object({
  name: z.string().min(1).max(200),
  mcc: z.string().regex(/^\d{4}$/, 'must be a 4-digit merchant category code'),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be a 2-letter ISO 3166 country code'),
});

/**
 * A real card payment at a merchant, as production would record it: what the runbook's low-risk
 * authorization leaves behind. Without a card id it goes on a programme card made for it on the currency's
 * account, standing in for a card the programme already had: no issuance fee, no card counted as issued.
 */
const AuthorizationInput = z.object({
  cardId: z.string().min(1).optional(),
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as "GBP"')
    .optional(),
  status: z.enum(['approved', 'declined']).default('approved'),
  declineReason: z.string().min(1).optional(),
  merchant: Merchant.default({ name: 'Low-risk test merchant', mcc: '5999', country: 'GB' }),
  at: At,
});

function parseAdmin<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new SimError('ErrValidation', `invalid request body: ${describeIssues(result.error)}`);
  return result.data;
}

const ok = (body: unknown, status = 200): SimResponse => ({ status, body });

function eventTime(deps: AdminDeps, at: string | undefined): string {
  return at ? new Date(at).toISOString() : deps.now().toISOString();
}

function recordInjection(state: SimulatorState, kind: string, at: string, detail: Record<string, unknown>): void {
  state.injections.push({ kind, at, detail });
}

function recordAuthorizations(state: SimulatorState, at: string, counts: { approved: number; declined: number }): void {
  for (const status of ['approved', 'declined'] as const) {
    for (let i = 0; i < counts[status]; i += 1) {
      state.authorizations.push({ id: `auth_synthetic_${state.authorizations.length}`, cardId: '', status, amount: 0, currency: '', at });
    }
  }
}

function findAccount(state: SimulatorState, accountId: string): Account {
  const account = state.accounts.get(accountId);
  if (!account) throw new SimError('ErrNotFound', `accountId: account ${accountId} not found`);
  return account;
}

/** What the drains since the account's last restore took, so a restore puts back exactly that. */
function outstandingDrain(state: SimulatorState, accountId: string): number {
  let drained = 0;
  for (const injection of state.injections) {
    if (injection.detail['accountId'] !== accountId) continue;
    if (injection.kind === 'balance-restore') drained = 0;
    if (injection.kind === 'balance-drain') drained += Number(injection.detail['drained']);
  }
  return drained;
}

function openCardFor(deps: AdminDeps, currency: string): Card {
  const account = [...deps.state.accounts.values()].find((candidate) => candidate.currency === currency);
  if (!account) throw new SimError('ErrValidation', `currency: no master account holds ${currency}`);
  return openCard(deps.state, deps.now, {
    accountId: account.id,
    externalRef: 'low-risk-authorization',
    holderName: 'Low-risk test',
    currency,
  });
}

function job(state: SimulatorState, name: string) {
  if (!state.jobs.has(name)) state.jobs.set(name, true);
  return { name, enabled: state.jobs.get(name) ?? true };
}

function setJob(state: SimulatorState, name: string, enabled: boolean) {
  const wasEnabled = job(state, name).enabled;
  state.jobs.set(name, enabled);
  state.counters.jobChanges += 1;
  return { name, enabled, wasEnabled };
}

const routes = new Router<AdminHandler>()
  .add('GET', '/_sim/counters', ({ deps }) => ok(countersSnapshot(deps.state)))
  .add('GET', '/_sim/faults', ({ deps }) => ok(deps.faults.view()))
  .add('POST', '/_sim/faults', ({ deps, body }) => {
    deps.faults.apply(parseAdmin(FaultsInput, body));
    return ok(deps.faults.view());
  })
  .add('DELETE', '/_sim/faults', ({ deps }) => {
    deps.faults.clear();
    return ok(deps.faults.view());
  })
  .add('PUT', '/_sim/accounts/:id', ({ deps, params, body }) => {
    const input = parseAdmin(AccountUpdate, body);
    const id = params['id'] ?? '';
    let account = deps.state.accounts.get(id);
    if (!account) {
      if (!input.currency) throw new SimError('ErrNotFound', `account ${id} not found; pass currency to create it`);
      account = { id, currency: input.currency, balance: 0, available: 0, status: 'active' };
      deps.state.accounts.set(id, account);
    }
    account.balance = input.balance;
    account.available = input.available ?? input.balance;
    if (input.status) account.status = input.status;
    return ok(publicAccount(account));
  })
  .add('PUT', '/_sim/config', ({ deps, body }) => {
    const input = parseAdmin(ConfigUpdate, body);
    for (const [key, value] of Object.entries(input.settings)) {
      if (value === null) delete deps.state.settings[key];
      else deps.state.settings[key] = value;
    }
    return ok({ environment: deps.state.mode, settings: deps.state.settings });
  })
  .add('POST', '/_sim/activity', ({ deps, body }) => {
    const input = parseAdmin(ActivityInput, body);
    const at = eventTime(deps, input.at);
    const { state } = deps;
    if (input.authorizations) recordAuthorizations(state, at, input.authorizations);
    if (input.settlements) state.settlements.push({ ...input.settlements, at });
    if (input.refunds) state.refunds.push({ ...input.refunds, at });
    return ok({ recorded: true, at });
  })
  .add('POST', '/_sim/inject/authorizations', ({ deps, body }) => {
    const { at: atInput, ...counts } = parseAdmin(InjectAuthorizations, body);
    const at = eventTime(deps, atInput);
    recordAuthorizations(deps.state, at, counts);
    recordInjection(deps.state, 'authorizations', at, counts);
    return ok({ recorded: true, at, ...counts });
  })
  .add('POST', '/_sim/inject/webhook-failures', ({ deps, body }) => {
    const input = parseAdmin(InjectWebhookFailures, body);
    const at = eventTime(deps, input.at);
    const { state } = deps;
    for (let i = 0; i < input.count; i += 1) state.webhookAttempts.push({ deliveryId: null, outcome: 'failed', responseStatus: 500, at });
    for (let i = 0; i < input.succeeded; i += 1) {
      state.webhookAttempts.push({ deliveryId: null, outcome: 'succeeded', responseStatus: 204, at });
    }
    recordInjection(state, 'webhook-failures', at, { failed: input.count, succeeded: input.succeeded });
    return ok({ recorded: true, at, failed: input.count, succeeded: input.succeeded });
  })
  .add('POST', '/_sim/inject/rate-limited', ({ deps, body }) => {
    const input = parseAdmin(InjectRateLimited, body);
    const at = eventTime(deps, input.at);
    // Only the report's count moves: the limiter and the answer counters keep describing real calls.
    for (let i = 0; i < input.count; i += 1) deps.state.rateLimitedAt.push(at);
    recordInjection(deps.state, 'rate-limited', at, { count: input.count });
    return ok({ recorded: true, at, count: input.count });
  })
  .add('POST', '/_sim/inject/balance-drain', ({ deps, body }) => {
    const input = parseAdmin(BalanceDrain, body);
    const at = eventTime(deps, input.at);
    const account = findAccount(deps.state, input.accountId);
    if (input.to !== undefined && input.to > account.available) {
      throw new SimError('ErrValidation', `to: ${input.to} is above the available ${account.available}; a drain only lowers it`);
    }
    const drained = input.by ?? account.available - (input.to ?? account.available);
    if (drained > account.available) {
      throw new SimError('ErrValidation', `by: ${drained} is more than the available ${account.available}`);
    }
    // Balance moves with available: the money has left the account, it is not merely held.
    account.available -= drained;
    account.balance -= drained;
    recordInjection(deps.state, 'balance-drain', at, { accountId: account.id, drained });
    return ok({ at, drained, account: publicAccount(account) });
  })
  .add('POST', '/_sim/inject/balance-restore', ({ deps, body }) => {
    const input = parseAdmin(BalanceRestore, body);
    const at = eventTime(deps, input.at);
    const account = findAccount(deps.state, input.accountId);
    const restored = outstandingDrain(deps.state, account.id);
    account.available += restored;
    account.balance += restored;
    recordInjection(deps.state, 'balance-restore', at, { accountId: account.id, restored });
    return ok({ at, restored, account: publicAccount(account) });
  })
  .add('POST', '/_sim/inject/statement-adjustment', ({ deps, body }) => {
    const input = parseAdmin(StatementAdjustmentInput, body);
    const at = deps.now().toISOString();
    const currency = input.currency ?? String(deps.state.settings['defaultCurrency'] ?? 'GBP');
    const adjustment = { date: input.date, type: input.type, amount: input.amount, currency, at };
    deps.state.statementAdjustments.push(adjustment);
    recordInjection(deps.state, 'statement-adjustment', at, { ...adjustment });
    return ok({ recorded: true, ...adjustment });
  })
  .add('POST', '/_sim/authorizations', ({ deps, body }) => {
    const input = parseAdmin(AuthorizationInput, body);
    const { state } = deps;
    const currency = input.currency ?? (input.cardId ? undefined : String(state.settings['defaultCurrency'] ?? 'GBP'));
    const card = input.cardId ? findCard(state, input.cardId) : openCardFor(deps, currency ?? 'GBP');
    if (currency !== undefined && currency !== card.currency) {
      throw new SimError('ErrValidation', `currency: ${currency} does not match card ${card.id} currency ${card.currency}`);
    }
    const record: AuthorizationRecord = {
      id: newId('auth'),
      cardId: card.id,
      status: input.status,
      ...(input.status === 'declined' && { declineReason: input.declineReason ?? 'do_not_honour' }),
      amount: input.amount,
      currency: card.currency,
      merchant: input.merchant,
      at: eventTime(deps, input.at),
    };
    state.authorizations.push(record);
    recordInjection(state, 'authorization', record.at, { authorizationId: record.id, cardId: card.id });
    return ok(publicAuthorization(record), 201);
  })
  .add('GET', '/_sim/state', ({ deps }) => ok(stateSnapshot(deps.state)))
  .add('POST', '/_sim/reset', ({ deps }) => {
    deps.reset();
    return ok({ reset: true });
  })
  .add('POST', '/_sim/idempotency/expire', ({ deps }) => {
    deps.expireIdempotencyKeys();
    return ok({ expired: true });
  })
  .add('GET', '/_sim/jobs', ({ deps }) => ok({ data: jobList(deps.state) }))
  .add('GET', '/_sim/jobs/:name', ({ deps, params }) => ok(job(deps.state, params['name'] ?? '')))
  .add('POST', '/_sim/jobs/:name/disable', ({ deps, params }) => ok(setJob(deps.state, params['name'] ?? '', false)))
  .add('POST', '/_sim/jobs/:name/enable', ({ deps, params }) => ok(setJob(deps.state, params['name'] ?? '', true)));

export function createAdminHandler(deps: AdminDeps) {
  return async function handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    try {
      const body = parseJsonBody(await readRawBody(req));
      const method = (req.method ?? 'GET').toUpperCase();
      const url = new URL(req.url ?? '/', 'http://simulator.invalid');
      const path = url.pathname;
      // The one page for people (and the worker's screenshots) rather than JSON.
      if (method === 'GET' && path === '/_sim/dashboard') return writeDashboardPage(res, url, deps.state, deps.now());
      const match = routes.match(method, path);
      if (!match) throw new SimError('ErrNotFound', `no simulator admin endpoint ${method} ${path}`);
      writeResponse(res, requestId, match.handler({ deps, params: match.params, body }));
    } catch (error) {
      const simError = error instanceof SimError ? error : new SimError('ErrInternal', String(error));
      writeResponse(res, requestId, errorResponse(simError));
    }
  };
}
