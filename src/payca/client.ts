/**
 * The PayCA client: one method per endpoint of docs/payca-contract.md, each returning the parsed body together with
 * the request id the workflow keeps as evidence. Every failure becomes a PaycaError whose `code` says
 * whether retrying can help; the client itself never retries, because Temporal's activity retry policy
 * (with `nextRetryDelay` honouring Retry-After) is the one place that decides. The HTTP exchange itself is in
 * exchange.ts; what an answer other than a success means, in answer-errors.ts.
 */
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import { paycaErrorFor, type PaycaError, type PaycaErrorFields } from '../errors.js';
import { describeIssues, errorFromAnswer, parseAnswerJson } from './answer-errors.js';
import type { CallPermits } from './call-rate.js';
import type { PaycaCredentials, PaycaEnvironment } from './credentials.js';
import { exchange, type Answer, type HttpMethod } from './exchange.js';
import {
  AccountList,
  Authorization,
  BinList,
  Card,
  CardList,
  CardClosed,
  DeliveryList,
  Health,
  LedgerList,
  Metrics,
  ProgramConfig,
  SandboxAuthorization,
  Statement,
  TopUp,
  WebhookList,
  WebhookSubscriptionCreated,
  WebhookTestAccepted,
} from './schemas.js';

export interface PaycaClientOptions {
  /** Root URL of the environment's API, without a trailing path for the endpoints. */
  baseUrl: string;
  environment: PaycaEnvironment;
  credentials: PaycaCredentials;
  /** Whole-call budget (connect, headers and body), default 10 s; past it the call fails with ErrTimeout. */
  timeoutMs?: number;
  /** undici dispatcher (pool, agent, proxy); the global one when left out. */
  dispatcher?: Dispatcher;
  /**
   * Asked before every HTTP call, the health check included (the worker's share of CUTOVER_PAYCA_RATE);
   * the wait for a permit is not part of `timeoutMs`. None: calls go out at once.
   */
  permits?: CallPermits;
}

export interface PaycaCallOptions {
  /** Aborts the call; pass the activity's `Context.current().cancellationSignal`. */
  signal?: AbortSignal;
}

export interface PaycaPostOptions extends PaycaCallOptions {
  /** Sent as `Idempotency-Key`; reuse it on every retry of the same operation (see idempotency.ts). */
  idempotencyKey: string;
}

/** A successful answer and the facts about it that the cutover report keeps as evidence. */
export interface PaycaResult<T> {
  body: T;
  requestId: string;
  status: number;
  /** True when PayCA replayed an earlier answer for the same idempotency key instead of acting again. */
  replayed: boolean;
  method: string;
  path: string;
}

export interface IssueCardInput {
  accountId: string;
  externalRef: string;
  holderName: string;
  currency: string;
}

export interface TopUpInput {
  /** Integer minor units. */
  amount: number;
  currency: string;
}

export interface CreateWebhookInput {
  url: string;
  events: string[];
}

export interface SimulateTransactionInput {
  cardId: string;
  amount: number;
  currency: string;
  merchant: { name: string; mcc: string; country: string };
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** The contract's limit for `Idempotency-Key`. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const REDACTED = '[redacted]';

interface CallSpec<S extends z.ZodType | null> {
  method: HttpMethod;
  path: string;
  /** Null for answers without a body (204). */
  schema: S;
  auth?: boolean;
  body?: unknown;
  idempotencyKey?: string;
}

type Parsed<S> = S extends z.ZodType ? z.infer<S> : void;

export class PaycaClient {
  readonly baseUrl: string;
  readonly environment: PaycaEnvironment;
  readonly timeoutMs: number;
  // Private fields stay out of JSON.stringify and util.inspect, so logging the client cannot leak them.
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #permits: CallPermits | undefined;
  /** What #scrub removes from server text: each credential as sent, and as an echoed query string carries it. */
  readonly #echoes: RegExp[];

  constructor(options: PaycaClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`PayCA baseUrl "${options.baseUrl}" is not a URL: give e.g. https://api.payca.example`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new TypeError(`PayCA baseUrl "${options.baseUrl}" must be http(s)`);
    }
    if (parsed.username !== '' || parsed.password !== '') {
      throw new TypeError('PayCA baseUrl must not carry user info; credentials go in options.credentials');
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(`PayCA timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
    }
    if (!options.credentials.clientId || !options.credentials.clientSecret) {
      throw new TypeError('PayCA credentials need both clientId and clientSecret');
    }
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.environment = options.environment;
    this.timeoutMs = timeoutMs;
    this.#clientId = options.credentials.clientId;
    this.#clientSecret = options.credentials.clientSecret;
    this.#dispatcher = options.dispatcher;
    this.#permits = options.permits;
    this.#echoes = [this.#clientSecret, this.#clientId].flatMap(echoedForms);
  }

  /** Connectivity check; the only call sent without credentials. */
  async health(options?: PaycaCallOptions): Promise<PaycaResult<Health>> {
    return this.#call({ method: 'GET', path: '/health', schema: Health, auth: false }, options);
  }

  async listAccounts(options?: PaycaCallOptions): Promise<PaycaResult<AccountList>> {
    return this.#call({ method: 'GET', path: '/v2/accounts', schema: AccountList }, options);
  }

  async getProgramConfig(options?: PaycaCallOptions): Promise<PaycaResult<ProgramConfig>> {
    return this.#call({ method: 'GET', path: '/v1/program/config', schema: ProgramConfig }, options);
  }

  async listBins(options?: PaycaCallOptions): Promise<PaycaResult<BinList>> {
    return this.#call({ method: 'GET', path: '/v1/bins', schema: BinList }, options);
  }

  async issueCard(input: IssueCardInput, options: PaycaPostOptions): Promise<PaycaResult<Card>> {
    const { accountId, externalRef, holderName, currency } = input;
    return this.#call(
      {
        method: 'POST',
        path: '/v1/cards',
        schema: Card,
        body: { accountId, externalRef, holderName, currency },
        idempotencyKey: options.idempotencyKey,
      },
      options,
    );
  }

  async getCard(id: string, options?: PaycaCallOptions): Promise<PaycaResult<Card>> {
    return this.#call({ method: 'GET', path: `/v1/cards/${segment('card id', id)}`, schema: Card }, options);
  }

  /** Cards PayCA issued under one external reference: how a caller finds a card whose issue answer it lost. */
  async findCards(externalRef: string, options?: PaycaCallOptions): Promise<PaycaResult<CardList>> {
    const query = new URLSearchParams({ externalRef: nonEmpty('external reference', externalRef) });
    return this.#call({ method: 'GET', path: `/v1/cards?${query.toString()}`, schema: CardList }, options);
  }

  /** One authorization by id, e.g. the real low-risk authorization an approver ran by hand at go-live. */
  async getAuthorization(id: string, options?: PaycaCallOptions): Promise<PaycaResult<Authorization>> {
    return this.#call({ method: 'GET', path: `/v1/authorizations/${segment('authorization id', id)}`, schema: Authorization }, options);
  }

  /** Loads funds onto a card and debits the master account: send it with the same key on every retry. */
  async topUp(cardId: string, input: TopUpInput, options: PaycaPostOptions): Promise<PaycaResult<TopUp>> {
    const { amount, currency } = input;
    return this.#call(
      {
        method: 'POST',
        path: `/v1/cards/${segment('card id', cardId)}/topup`,
        schema: TopUp,
        body: { amount, currency },
        idempotencyKey: options.idempotencyKey,
      },
      options,
    );
  }

  async closeCard(cardId: string, options: PaycaPostOptions): Promise<PaycaResult<CardClosed>> {
    return this.#call(
      {
        method: 'POST',
        path: `/v1/cards/${segment('card id', cardId)}/close`,
        schema: CardClosed,
        idempotencyKey: options.idempotencyKey,
      },
      options,
    );
  }

  async listLedger(cardId: string, options?: PaycaCallOptions): Promise<PaycaResult<LedgerList>> {
    const query = new URLSearchParams({ cardId: nonEmpty('card id', cardId) });
    return this.#call({ method: 'GET', path: `/v1/ledger?${query.toString()}`, schema: LedgerList }, options);
  }

  /** The answer holds the signing secret, returned only this once: keep it out of logs and history. */
  async createWebhook(input: CreateWebhookInput, options: PaycaPostOptions): Promise<PaycaResult<WebhookSubscriptionCreated>> {
    const { url, events } = input;
    return this.#call(
      {
        method: 'POST',
        path: '/v1/webhooks',
        schema: WebhookSubscriptionCreated,
        body: { url, events },
        idempotencyKey: options.idempotencyKey,
      },
      options,
    );
  }

  async listWebhooks(options?: PaycaCallOptions): Promise<PaycaResult<WebhookList>> {
    return this.#call({ method: 'GET', path: '/v1/webhooks', schema: WebhookList }, options);
  }

  async deleteWebhook(id: string, options?: PaycaCallOptions): Promise<PaycaResult<void>> {
    return this.#call({ method: 'DELETE', path: `/v1/webhooks/${segment('webhook id', id)}`, schema: null }, options);
  }

  async testWebhook(id: string, options: PaycaPostOptions): Promise<PaycaResult<WebhookTestAccepted>> {
    return this.#call(
      {
        method: 'POST',
        path: `/v1/webhooks/${segment('webhook id', id)}/test`,
        schema: WebhookTestAccepted,
        idempotencyKey: options.idempotencyKey,
      },
      options,
    );
  }

  async listDeliveries(subscriptionId: string, options?: PaycaCallOptions): Promise<PaycaResult<DeliveryList>> {
    return this.#call(
      {
        method: 'GET',
        path: `/v1/webhooks/${segment('webhook id', subscriptionId)}/deliveries`,
        schema: DeliveryList,
      },
      options,
    );
  }

  /** Sandbox only: production answers ErrNotAvailableInProduction. */
  async simulateTransaction(input: SimulateTransactionInput, options: PaycaPostOptions): Promise<PaycaResult<SandboxAuthorization>> {
    const { cardId, amount, currency, merchant } = input;
    return this.#call(
      {
        method: 'POST',
        path: '/sandbox/transactions',
        schema: SandboxAuthorization,
        body: { cardId, amount, currency, merchant: { name: merchant.name, mcc: merchant.mcc, country: merchant.country } },
        idempotencyKey: options.idempotencyKey,
      },
      options,
    );
  }

  async getMetrics(fromIso: string, toIso: string, options?: PaycaCallOptions): Promise<PaycaResult<Metrics>> {
    const query = new URLSearchParams({ from: nonEmpty('from', fromIso), to: nonEmpty('to', toIso) });
    return this.#call({ method: 'GET', path: `/v1/reports/metrics?${query.toString()}`, schema: Metrics }, options);
  }

  /** `date` is the statement day as `yyyy-mm-dd`. */
  async getStatement(date: string, options?: PaycaCallOptions): Promise<PaycaResult<Statement>> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw clientSideError(`statement date "${date}" is not yyyy-mm-dd`);
    }
    return this.#call({ method: 'GET', path: `/v1/statements/${date}`, schema: Statement }, options);
  }

  async #call<S extends z.ZodType | null>(spec: CallSpec<S>, options: PaycaCallOptions | undefined): Promise<PaycaResult<Parsed<S>>> {
    const { method, path } = spec;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.auth !== false) {
      headers['x-client-id'] = this.#clientId;
      headers['x-client-secret'] = this.#clientSecret;
    }
    if (spec.idempotencyKey !== undefined) {
      checkIdempotencyKey(spec.idempotencyKey, method, path);
      headers['idempotency-key'] = spec.idempotencyKey;
    }
    let payload: string | undefined;
    if (spec.body !== undefined) {
      payload = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }

    const answer = await this.#send(method, path, headers, payload, options?.signal);
    const fields: PaycaErrorFields = { status: answer.status, requestId: answer.requestId, method, path };
    const where = `${method} ${path}`;

    if (answer.status >= 200 && answer.status < 300) {
      if (answer.requestId === undefined) {
        throw paycaErrorFor(
          'ErrBadResponse',
          `PayCA answered ${where} with HTTP ${answer.status} but no x-request-id header; the contract promises one on every response`,
          fields,
        );
      }
      let body: unknown;
      if (spec.schema !== null) {
        const json = parseAnswerJson(answer, where, fields, (text) => this.#scrub(text));
        const result = spec.schema.safeParse(json);
        if (!result.success) {
          throw paycaErrorFor(
            'ErrBadResponse',
            `PayCA answered ${where} with HTTP ${answer.status}, request ${answer.requestId}, and a body that breaks the contract: ${describeIssues(result.error)}`,
            fields,
          );
        }
        body = result.data;
      }
      return {
        body: body as Parsed<S>,
        requestId: answer.requestId,
        status: answer.status,
        replayed: answer.replayed,
        method,
        path,
      };
    }

    throw errorFromAnswer(answer, where, fields, (text) => this.#scrub(text));
  }

  /** A permit first, when calls are limited, held until the answer has been read or the call has failed. */
  async #send(
    method: HttpMethod,
    path: string,
    headers: Record<string, string>,
    payload: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Answer> {
    if (signal?.aborted) throw signal.reason;
    const release = await this.#permits?.acquire({ signal });
    try {
      return await exchange({
        baseUrl: this.baseUrl,
        method,
        path,
        headers,
        payload,
        signal,
        timeoutMs: this.timeoutMs,
        dispatcher: this.#dispatcher,
        scrub: (text) => this.#scrub(text),
      });
    } finally {
      release?.();
    }
  }

  /** Server text goes into error messages; make sure it cannot carry our credentials with it. */
  #scrub(text: string): string {
    return this.#echoes.reduce((scrubbed, echo) => scrubbed.replace(echo, REDACTED), text);
  }
}

/**
 * A credential as it can come back inside an error body or a gateway page: as sent in the header, or
 * URL- or form-encoded when the answer quotes a request line or form. Percent escapes match in either
 * case, since servers differ in the hex digits they print.
 */
function echoedForms(value: string): RegExp[] {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const encoded = new Set([encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]);
  encoded.delete(value);
  return [new RegExp(escape(value), 'g'), ...[...encoded].map((form) => new RegExp(escape(form), 'gi'))];
}

function checkIdempotencyKey(key: string, method: string, path: string): void {
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw clientSideError(
      `Idempotency-Key for ${method} ${path} is ${key.length} characters; PayCA accepts 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} (idempotencyKeyFor hashes long keys)`,
      { method, path },
    );
  }
  // Header values must be plain ASCII; idempotencyKeyFor percent-encodes anything else.
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw clientSideError(
      `Idempotency-Key for ${method} ${path} has characters outside printable ASCII; use idempotencyKeyFor to build it`,
      { method, path },
    );
  }
}

/**
 * Input the client refuses before sending. It is ErrValidation like PayCA's own 422, so Temporal does not
 * retry it, but carries no status or request id because PayCA never saw it.
 */
function clientSideError(problem: string, fields: PaycaErrorFields = {}): PaycaError {
  return paycaErrorFor('ErrValidation', `Not sent to PayCA: ${problem}`, fields);
}

function nonEmpty(name: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0) throw clientSideError(`${name} is empty`);
  return value;
}

function segment(name: string, value: string): string {
  return encodeURIComponent(nonEmpty(name, value));
}
