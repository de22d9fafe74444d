/**
 * The project's one errors module. Every error a person or a program may see has a stable `code`.
 * PayCA errors mirror the contract's table (docs/payca-contract.md); cutover errors cover plans, CLI input and
 * refused messages. Messages never carry credentials.
 */

/** PayCA error codes, exactly as the provider sends them. */
export const PAYCA_ERROR_CODES = [
  'ErrRateLimited',
  'ErrUnavailable',
  'ErrInternal',
  'ErrIdempotencyInFlight',
  'ErrUnauthorized',
  'ErrForbidden',
  'ErrNotFound',
  'ErrNotAvailableInProduction',
  'ErrValidation',
  'ErrInsufficientFunds',
  'ErrIdempotencyConflict',
  'ErrCardClosed',
] as const;
export type PaycaErrorCode = (typeof PAYCA_ERROR_CODES)[number];

/** Codes the client adds for faults that are not PayCA answers. */
export const PAYCA_TRANSPORT_CODES = ['ErrNetwork', 'ErrTimeout', 'ErrBadResponse'] as const;
export type PaycaTransportCode = (typeof PAYCA_TRANSPORT_CODES)[number];

export const PAYCA_HTTP_STATUS: Record<PaycaErrorCode, number> = {
  ErrRateLimited: 429,
  ErrUnavailable: 503,
  ErrInternal: 500,
  ErrIdempotencyInFlight: 409,
  ErrUnauthorized: 401,
  ErrForbidden: 403,
  ErrNotFound: 404,
  ErrNotAvailableInProduction: 404,
  ErrValidation: 422,
  ErrInsufficientFunds: 422,
  ErrIdempotencyConflict: 409,
  ErrCardClosed: 409,
};

const RETRYABLE = new Set<string>([
  'ErrRateLimited',
  'ErrUnavailable',
  'ErrInternal',
  'ErrIdempotencyInFlight',
  'ErrNetwork',
  'ErrTimeout',
]);

/** Codes that must never be retried by Temporal: the activity retry policy lists exactly these. */
export const NON_RETRYABLE_PAYCA_CODES: string[] = [...PAYCA_ERROR_CODES, ...PAYCA_TRANSPORT_CODES].filter((code) => !RETRYABLE.has(code));

export function isRetryableCode(code: string): boolean {
  return RETRYABLE.has(code);
}

export interface PaycaErrorFields {
  status?: number;
  requestId?: string;
  method?: string;
  path?: string;
  /** Seconds, from `Retry-After`, on ErrRateLimited. */
  retryAfterSeconds?: number;
  /** The transport error behind ErrNetwork or ErrTimeout, kept for stack traces. */
  cause?: unknown;
}

/** Any failure talking to PayCA: an error answer, a transport fault or a body that breaks the contract. */
export class PaycaError extends Error {
  override name = 'PaycaError';
  readonly code: PaycaErrorCode | PaycaTransportCode;
  readonly status?: number;
  readonly requestId?: string;
  readonly method?: string;
  readonly path?: string;
  readonly retryAfterSeconds?: number;

  constructor(code: PaycaErrorCode | PaycaTransportCode, message: string, fields: PaycaErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = code;
    this.status = fields.status;
    this.requestId = fields.requestId;
    this.method = fields.method;
    this.path = fields.path;
    this.retryAfterSeconds = fields.retryAfterSeconds;
  }

  get retryable(): boolean {
    return isRetryableCode(this.code);
  }

  /** Plain fields safe to put in workflow history: no headers, no credentials. */
  toDetails(): Record<string, unknown> {
    return {
      code: this.code,
      status: this.status,
      requestId: this.requestId,
      method: this.method,
      path: this.path,
      retryAfterSeconds: this.retryAfterSeconds,
    };
  }
}

/*
 * One class per code, as undici does: callers may catch `PaycaRateLimitedError` by class, while
 * `instanceof PaycaError` and `err.code` keep working for code that handles every PayCA failure alike.
 */
export class PaycaRateLimitedError extends PaycaError {
  override name = 'PaycaRateLimitedError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrRateLimited', message, fields);
  }
}
export class PaycaUnavailableError extends PaycaError {
  override name = 'PaycaUnavailableError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrUnavailable', message, fields);
  }
}
export class PaycaInternalError extends PaycaError {
  override name = 'PaycaInternalError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrInternal', message, fields);
  }
}
export class PaycaIdempotencyInFlightError extends PaycaError {
  override name = 'PaycaIdempotencyInFlightError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrIdempotencyInFlight', message, fields);
  }
}
export class PaycaUnauthorizedError extends PaycaError {
  override name = 'PaycaUnauthorizedError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrUnauthorized', message, fields);
  }
}
export class PaycaForbiddenError extends PaycaError {
  override name = 'PaycaForbiddenError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrForbidden', message, fields);
  }
}
export class PaycaNotFoundError extends PaycaError {
  override name = 'PaycaNotFoundError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrNotFound', message, fields);
  }
}
export class PaycaNotAvailableInProductionError extends PaycaError {
  override name = 'PaycaNotAvailableInProductionError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrNotAvailableInProduction', message, fields);
  }
}
export class PaycaValidationError extends PaycaError {
  override name = 'PaycaValidationError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrValidation', message, fields);
  }
}
export class PaycaInsufficientFundsError extends PaycaError {
  override name = 'PaycaInsufficientFundsError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrInsufficientFunds', message, fields);
  }
}
export class PaycaIdempotencyConflictError extends PaycaError {
  override name = 'PaycaIdempotencyConflictError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrIdempotencyConflict', message, fields);
  }
}
export class PaycaCardClosedError extends PaycaError {
  override name = 'PaycaCardClosedError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrCardClosed', message, fields);
  }
}
export class PaycaNetworkError extends PaycaError {
  override name = 'PaycaNetworkError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrNetwork', message, fields);
  }
}
export class PaycaTimeoutError extends PaycaError {
  override name = 'PaycaTimeoutError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrTimeout', message, fields);
  }
}
export class PaycaBadResponseError extends PaycaError {
  override name = 'PaycaBadResponseError';
  constructor(message: string, fields: PaycaErrorFields = {}) {
    super('ErrBadResponse', message, fields);
  }
}

const PAYCA_ERROR_CLASSES: Record<PaycaErrorCode | PaycaTransportCode, new (message: string, fields?: PaycaErrorFields) => PaycaError> = {
  ErrRateLimited: PaycaRateLimitedError,
  ErrUnavailable: PaycaUnavailableError,
  ErrInternal: PaycaInternalError,
  ErrIdempotencyInFlight: PaycaIdempotencyInFlightError,
  ErrUnauthorized: PaycaUnauthorizedError,
  ErrForbidden: PaycaForbiddenError,
  ErrNotFound: PaycaNotFoundError,
  ErrNotAvailableInProduction: PaycaNotAvailableInProductionError,
  ErrValidation: PaycaValidationError,
  ErrInsufficientFunds: PaycaInsufficientFundsError,
  ErrIdempotencyConflict: PaycaIdempotencyConflictError,
  ErrCardClosed: PaycaCardClosedError,
  ErrNetwork: PaycaNetworkError,
  ErrTimeout: PaycaTimeoutError,
  ErrBadResponse: PaycaBadResponseError,
};

/** PayCA's codes by name, for code that matches a failure's `type` against one: `err.type === PAYCA_CODE.ErrNotFound`. */
export const PAYCA_CODE = Object.fromEntries([...PAYCA_ERROR_CODES, ...PAYCA_TRANSPORT_CODES].map((code) => [code, code])) as {
  readonly [C in PaycaErrorCode | PaycaTransportCode]: C;
};

export function isPaycaErrorCode(code: string): code is PaycaErrorCode {
  return (PAYCA_ERROR_CODES as readonly string[]).includes(code);
}

/** The error class for `code`: the one place that turns a code into an error. */
export function paycaErrorFor(code: PaycaErrorCode | PaycaTransportCode, message: string, fields: PaycaErrorFields = {}): PaycaError {
  return new PAYCA_ERROR_CLASSES[code](message, fields);
}

/** Codes of the cutover tool itself. */
export type CutoverErrorCode =
  | 'PLAN_INVALID'
  | 'PLAN_NOT_FOUND'
  | 'USAGE'
  | 'MESSAGE_REFUSED'
  | 'WORKFLOW_NOT_FOUND'
  | 'WORKFLOW_ALREADY_STARTED'
  /** The id names a cutover that ran before; a new run under it needs `--new-run`. */
  | 'WORKFLOW_ID_USED'
  /** Go-live is already past; starting would run every due stage at once, money included. */
  | 'GO_LIVE_PASSED'
  | 'CUTOVER_NOT_COMPLETED'
  | 'CONFIG_INVALID'
  | 'CREDENTIALS_MISSING'
  /** A plan names a PayCA base URL the worker does not send that environment's credentials to. */
  | 'PAYCA_TARGET_NOT_ALLOWED'
  /** A plan's webhook endpoint is not one the worker lets PayCA send signed test events to. */
  | 'WEBHOOK_TARGET_NOT_ALLOWED'
  | 'TEMPORAL_UNREACHABLE'
  | 'TEMPORAL_TLS_FAILED'
  | 'TEMPORAL_AUTH_REFUSED'
  | 'TEMPORAL_NAMESPACE_NOT_FOUND'
  | 'CODEC_CONFIG_INVALID'
  | 'IDENTITY_CONFIG_INVALID'
  | 'PAYLOAD_KEY_UNKNOWN'
  | 'PAYLOAD_DECRYPT_FAILED'
  | 'SIGNING_KEY_INVALID'
  | 'SIGNATURE_INVALID'
  | 'REPORT_INVALID'
  /** `--format pdf` needs Chromium, and none is configured or on PATH. */
  | 'REPORT_PDF_UNAVAILABLE'
  /** `cutover undo` found nothing it may undo: the cutover still runs, went live, or owes nothing. */
  | 'UNDO_REFUSED'
  /** An undo step failed past its retry budget and holds for Engineering. */
  | 'COMPENSATION_HELD'
  /** An activity ran out of time (its retry budget or an attempt's limit) without a failure of its own to name. */
  | 'ACTIVITY_TIMED_OUT';

export class CutoverError extends Error {
  override name = 'CutoverError';
  constructor(
    readonly code: CutoverErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * What kind of problem a plan file has, stable for scripts (`cutover plan validate --json`): the YAML
 * itself, a value missing or of the wrong kind, a key or value the plan does not allow, a bound, a format,
 * or one of the plan's own rules (a gate that cannot be staffed, a watch segment that is no whole number of
 * summaries…).
 */
export const PLAN_PROBLEM_CODES = [
  'PLAN_YAML_SYNTAX',
  'PLAN_YAML_DUPLICATE_KEY',
  'PLAN_YAML_ALIAS',
  'PLAN_NOT_A_MAPPING',
  'PLAN_VALUE_MISSING',
  'PLAN_WRONG_TYPE',
  'PLAN_UNKNOWN_KEY',
  'PLAN_INVALID_KEY',
  'PLAN_VALUE_NOT_ALLOWED',
  'PLAN_TOO_SMALL',
  'PLAN_TOO_BIG',
  'PLAN_INVALID_FORMAT',
  'PLAN_RULE_BROKEN',
] as const;
export type PlanProblemCode = (typeof PLAN_PROBLEM_CODES)[number];

/** One problem of a plan file: its kind, where (`stages.go-live.gate`, or a line and column for YAML), and what to write instead. */
export interface PlanProblem {
  code: PlanProblemCode;
  path: string;
  message: string;
}

/** Bad plan file: `problems` lists every issue with its path, for `cutover plan validate`. */
export class PlanInvalidError extends CutoverError {
  override name = 'PlanInvalidError';
  constructor(
    readonly file: string,
    readonly problems: PlanProblem[],
  ) {
    super(
      'PLAN_INVALID',
      `${file} is not a valid cutover plan:\n${problems.map((p) => `  - ${p.path || '(root)'}: ${p.message}`).join('\n')}`,
    );
  }
}

/** Bad command-line input; the CLI exits 2. */
export class UsageError extends CutoverError {
  override name = 'UsageError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** The workflow refused a message (approve, reject, decide, retry, abort). The CLI exits 1. */
export class MessageRefusedError extends CutoverError {
  override name = 'MessageRefusedError';
  constructor(message: string) {
    super('MESSAGE_REFUSED', message);
  }
}

/** Why a connection to Temporal failed: the address, the TLS handshake, the credentials, or a namespace it does not have. */
export type TemporalConnectCause = 'address' | 'tls' | 'auth' | 'namespace';

const CONNECT_CODES: Record<TemporalConnectCause, CutoverErrorCode> = {
  address: 'TEMPORAL_UNREACHABLE',
  tls: 'TEMPORAL_TLS_FAILED',
  auth: 'TEMPORAL_AUTH_REFUSED',
  namespace: 'TEMPORAL_NAMESPACE_NOT_FOUND',
};

/** The worker, the CLI or the codec server could not connect to Temporal; the message says why and what to check. */
export class TemporalConnectError extends CutoverError {
  override name = 'TemporalConnectError';
  constructor(
    readonly reason: TemporalConnectCause,
    readonly address: string,
    message: string,
  ) {
    super(CONNECT_CODES[reason], message, { address, reason });
  }
}

/** Credentials for a PayCA environment are missing from the worker's environment or files. */
export class CredentialsMissingError extends CutoverError {
  override name = 'CredentialsMissingError';
  constructor(environment: string, variable: string) {
    super(
      'CREDENTIALS_MISSING',
      `PayCA ${environment} credentials are missing: set ${variable} (or ${variable}_FILE pointing at a file holding it) in the worker's environment.`,
      { environment, variable },
    );
  }
}

/** Payload encryption keys are configured wrongly; the message names the variable and never the key material. */
export class CodecConfigError extends CutoverError {
  override name = 'CodecConfigError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('CODEC_CONFIG_INVALID', message, details);
  }
}

/** Sign-in settings are missing or wrong: issuer, client, session key, or a development provider asked to do what it must not. */
export class IdentityConfigError extends CutoverError {
  override name = 'IdentityConfigError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('IDENTITY_CONFIG_INVALID', message, details);
  }
}

/** An encrypted payload names a key this process was not given; `how` says where keys are configured. */
export class PayloadKeyUnknownError extends CutoverError {
  override name = 'PayloadKeyUnknownError';
  constructor(
    readonly keyId: string,
    how: string,
  ) {
    super('PAYLOAD_KEY_UNKNOWN', `payload was encrypted with key id "${keyId}", which is not configured here: ${how}`, { keyId });
  }
}

/** An encrypted payload failed its authentication check: tampered with, truncated, or under another key with the same id. */
export class PayloadDecryptError extends CutoverError {
  override name = 'PayloadDecryptError';
  constructor(keyId: string, why: string) {
    super('PAYLOAD_DECRYPT_FAILED', `encrypted payload (key id "${keyId}") cannot be decrypted: ${why}`, { keyId });
  }
}

/**
 * Every failure `type` the project's own activities and workflow raise (PayCA's are PayCA's codes, above:
 * `toActivityFailure` passes them through as the contract names them). One convention: the constant's name is
 * SCREAMING_SNAKE; its value is the string Temporal records. Values keep the spelling they were first recorded
 * with, because histories, stage hold reasons, `cutover status` and the workflow's own branches carry them: a
 * renamed value would make a cutover already running hold or refuse under a name its readers do not know.
 * A new type gets a SCREAMING_SNAKE value equal to its name.
 */
export const FAILURE_TYPES = {
  /** The plan names a PayCA base URL the worker does not send that environment's credentials to. */
  PAYCA_TARGET_NOT_ALLOWED: 'PAYCA_TARGET_NOT_ALLOWED',
  /** The plan's webhook endpoint is not one the worker lets PayCA send signed test events to. */
  WEBHOOK_TARGET_NOT_ALLOWED: 'WEBHOOK_TARGET_NOT_ALLOWED',
  /** The worker holds no PayCA credentials for the environment (CredentialsMissingError's code). */
  CREDENTIALS_MISSING: 'CREDENTIALS_MISSING',
  /** The worker's credential settings are malformed (a CutoverError's CONFIG_INVALID code). */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** An activity ran out of time with no failure of its own to name; given by the workflow, never raised. */
  ACTIVITY_TIMED_OUT: 'ACTIVITY_TIMED_OUT',
  /** The webhook URL of the TLS check is not a URL. */
  WEBHOOK_URL_INVALID: 'WebhookUrlInvalid',
  /** The TLS check could not reach the webhook endpoint; retried. */
  WEBHOOK_ENDPOINT_UNREACHABLE: 'WebhookEndpointUnreachable',
  /** PayCA gave up delivering the webhook smoke test's event. */
  WEBHOOK_DELIVERY_FAILED: 'WebhookDeliveryFailed',
  /** No successful delivery of the webhook smoke test's event within its time. */
  WEBHOOK_DELIVERY_TIMED_OUT: 'WebhookDeliveryTimedOut',
  /** The seed CSV's digest differs from the one seeding began with. */
  SEED_CSV_CHANGED: 'SeedCsvChanged',
  /** A seed record was already sent to PayCA with other details under its key. */
  SEED_RECORD_CHANGED: 'SeedRecordChanged',
  /** The production base URL answers as another PayCA environment. */
  WRONG_ENVIRONMENT: 'WrongEnvironment',
  /** The master account is not visible with the production credentials. */
  ACCOUNT_NOT_VISIBLE: 'AccountNotVisible',
  /** A smoke-test card's ledger does not show the one top-up it should. */
  LEDGER_MISMATCH: 'LedgerMismatch',
  /** A sandbox job's status URL could not be reached; retried. */
  SANDBOX_JOB_UNREACHABLE: 'SandboxJobUnreachable',
  /** A sandbox job's status URL answered something other than `{"enabled": true|false}`. */
  SANDBOX_JOB_BAD_STATUS: 'SandboxJobBadStatus',
  /** The workflow refused a message (update); the CLI turns it into MESSAGE_REFUSED and exit 1. */
  MESSAGE_REFUSED: 'MessageRefused',
  /** The workflow's start input cannot run: go-live is not a time, or the time scale is below 1. */
  INVALID_INPUT: 'InvalidInput',
} as const;
export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

/** The failure type for a CutoverError an activity passes on; only the codes registered above may become one. */
export function failureTypeOf(code: CutoverErrorCode): FailureType | undefined {
  return (Object.values(FAILURE_TYPES) as string[]).includes(code) ? (code as FailureType) : undefined;
}
