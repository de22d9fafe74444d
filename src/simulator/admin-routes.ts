/**
 * The simulator's own control API under `/_sim/`: counters, faults, state tweaks, reset and the
 * sandbox automation jobs. Not PayCA: no credentials, no rate limit, no faults.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { publicAccount } from './account-routes.js';
import { FaultsInput, type FaultInjector } from './faults.js';
import { errorResponse, newRequestId, parseJsonBody, readRawBody, SimError, writeResponse, type SimResponse } from './http-io.js';
import { Router } from './router.js';
import { describeIssues } from './schemas.js';
import { countersSnapshot, jobList, stateSnapshot, type SimulatorState } from './state.js';

export interface AdminDeps {
  state: SimulatorState;
  faults: FaultInjector;
  now: () => Date;
  /** Back to the initial world: state, counters, faults, rate-limit buckets, idempotency keys, deliveries. */
  reset: () => void;
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

/** Synthetic traffic for the metrics report, e.g. a production decline spike for alert tests. */
const ActivityInput = z.object({
  at: z.iso.datetime({ offset: true }).optional(),
  authorizations: z
    .object({ approved: z.number().int().nonnegative().default(0), declined: z.number().int().nonnegative().default(0) })
    .optional(),
  settlements: MovementInput.optional(),
  refunds: MovementInput.optional(),
});

function parseAdmin<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new SimError('ErrValidation', `invalid request body: ${describeIssues(result.error)}`);
  return result.data;
}

const ok = (body: unknown, status = 200): SimResponse => ({ status, body });

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
    const at = input.at ? new Date(input.at).toISOString() : deps.now().toISOString();
    const { state } = deps;
    const synthetic = (status: 'approved' | 'declined', count: number) => {
      for (let i = 0; i < count; i += 1) {
        state.authorizations.push({ id: `auth_synthetic_${state.authorizations.length}`, cardId: '', status, amount: 0, currency: '', at });
      }
    };
    synthetic('approved', input.authorizations?.approved ?? 0);
    synthetic('declined', input.authorizations?.declined ?? 0);
    if (input.settlements) state.settlements.push({ ...input.settlements, at });
    if (input.refunds) state.refunds.push({ ...input.refunds, at });
    return ok({ recorded: true, at });
  })
  .add('GET', '/_sim/state', ({ deps }) => ok(stateSnapshot(deps.state)))
  .add('POST', '/_sim/reset', ({ deps }) => {
    deps.reset();
    return ok({ reset: true });
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
      const path = new URL(req.url ?? '/', 'http://simulator.invalid').pathname;
      const match = routes.match(method, path);
      if (!match) throw new SimError('ErrNotFound', `no simulator admin endpoint ${method} ${path}`);
      writeResponse(res, requestId, match.handler({ deps, params: match.params, body }));
    } catch (error) {
      const simError = error instanceof SimError ? error : new SimError('ErrInternal', String(error));
      writeResponse(res, requestId, errorResponse(simError));
    }
  };
}
