/** The PayCA client module: client, response schemas, credentials, idempotency keys, activity failures. */
export {
  DEFAULT_TIMEOUT_MS,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  PaycaClient,
  type CreateWebhookInput,
  type IssueCardInput,
  type PaycaCallOptions,
  type PaycaClientOptions,
  type PaycaPostOptions,
  type PaycaResult,
  type SimulateTransactionInput,
  type TopUpInput,
} from './client.js';
export { loadPaycaCredentials, RedactedCredentials, type PaycaCredentials, type PaycaEnvironment } from './credentials.js';
export {
  idempotencyKeyFor,
  idempotencyKeyFromActivity,
  moneyIdempotencyKeyFor,
  type IdempotencyKeyParts,
  type MoneyCallScope,
} from './idempotency.js';
export { paycaCall, toActivityFailure } from './activity-failure.js';
export {
  Account,
  AccountList,
  Authorization,
  Bin,
  BinList,
  Card,
  CardClosed,
  CardList,
  Delivery,
  DeliveryList,
  ErrorBody,
  Health,
  LedgerEntry,
  LedgerList,
  Metrics,
  Money,
  ProgramConfig,
  SandboxAuthorization,
  Statement,
  TopUp,
  WebhookList,
  WebhookSubscription,
  WebhookSubscriptionCreated,
  WebhookTestAccepted,
} from './schemas.js';
