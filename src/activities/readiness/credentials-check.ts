/**
 * Readiness, runbook section 1 (Engineering): the worker holds production credentials, PayCA production
 * accepts them, and production refuses the sandbox pair. What is wrong comes back as problems for the
 * item's owner; only faults that a retry can outlast (or that no retry can fix, such as a contract break)
 * are thrown, through the same failure mapping as every other PayCA call.
 *
 * No credential value is ever read into a message: problems name variables, request ids and HTTP codes.
 */
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { CutoverError, FAILURE_TYPES, PaycaError } from '../../errors.js';
import { toActivityFailure } from '../../payca/activity-failure.js';
import type { PaycaClient, PaycaResult } from '../../payca/client.js';
import { loadPaycaCredentials, type PaycaCredentials, type PaycaEnvironment } from '../../payca/credentials.js';
import type { AccountList } from '../../payca/schemas.js';
import type { PaycaClients } from '../payca-clients.js';

export interface CredentialsCheckDeps {
  payca: PaycaClients;
  /**
   * Where the worker's credentials come from: give the same `env` and `credentials` that built `payca`,
   * so the presence check and the calls look at the same pair. Default `process.env`.
   */
  env?: NodeJS.ProcessEnv;
  credentials?: Partial<Record<PaycaEnvironment, PaycaCredentials>>;
}

export interface CredentialsCheckInput {
  productionBaseUrl: string;
}

export interface CredentialsCheckEvidence {
  /** An authenticated read (`GET /v2/accounts`) with the production pair answered 200. */
  productionAccepted: boolean;
  /** The request id of that read, whether it was accepted or refused. */
  productionRequestId?: string;
  /** The same read against production with the sandbox pair answered 401 ErrUnauthorized. */
  sandboxRefusedByProduction: boolean;
  sandboxRequestId?: string;
}

export interface CredentialsCheckResult {
  passed: boolean;
  problems: string[];
  evidence: CredentialsCheckEvidence;
}

/** Answers that are the check's finding rather than a fault: the credentials were judged, not the transport. */
const VERDICT_CODES = new Set<string>(['ErrUnauthorized', 'ErrForbidden']);

/** Failure types payca-clients.ts throws when the worker's environment cannot supply a pair. */
const MISSING_CREDENTIAL_TYPES = new Set<string>([FAILURE_TYPES.CREDENTIALS_MISSING, FAILURE_TYPES.CONFIG_INVALID]);

type Verdict = { accepted: true; answer: PaycaResult<AccountList> } | { accepted: false; error: PaycaError };

/** The activity's cancellation signal, or none when called outside an activity (tests, scripts). */
function activitySignal(): AbortSignal | undefined {
  return asyncLocalStorage.getStore()?.cancellationSignal;
}

function describeAnswer(error: PaycaError): string {
  const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
  const request = error.requestId === undefined ? 'no request id' : `request ${error.requestId}`;
  return `${error.code}${status}, ${request}`;
}

function variablesFor(environment: PaycaEnvironment): string {
  const prefix = `PAYCA_${environment.toUpperCase()}`;
  return `${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET`;
}

export function createCredentialsCheckActivities(deps: CredentialsCheckDeps) {
  const { payca } = deps;

  /** Null when the worker holds the pair; otherwise the reason, which names variables and never values. */
  function missingReason(environment: PaycaEnvironment): string | null {
    if (deps.credentials?.[environment]) return null;
    try {
      loadPaycaCredentials(environment, deps.env);
      return null;
    } catch (err) {
      if (err instanceof CutoverError) return err.message;
      throw err;
    }
  }

  /**
   * The client for `environment`'s pair aimed at `baseUrl`, or the reason it cannot be built. The pool may
   * read the environment differently from `deps` (built by other wiring), so its refusal counts too.
   */
  function clientFor(environment: PaycaEnvironment, baseUrl: string): PaycaClient | string {
    try {
      return payca.get(environment, baseUrl);
    } catch (err) {
      if (err instanceof ApplicationFailure && err.type != null && MISSING_CREDENTIAL_TYPES.has(err.type)) {
        return err.message;
      }
      throw err;
    }
  }

  /** Reads the accounts; a refusal is returned as the verdict, every other failure is thrown for Temporal. */
  async function authenticatedRead(client: PaycaClient, signal: AbortSignal | undefined): Promise<Verdict> {
    try {
      return { accepted: true, answer: await client.listAccounts({ signal }) };
    } catch (err) {
      if (err instanceof PaycaError && VERDICT_CODES.has(err.code)) return { accepted: false, error: err };
      throw toActivityFailure(err);
    }
  }

  return {
    async checkProductionCredentials(input: CredentialsCheckInput): Promise<CredentialsCheckResult> {
      const signal = activitySignal();
      const url = input.productionBaseUrl;
      const problems: string[] = [];
      const evidence: CredentialsCheckEvidence = { productionAccepted: false, sandboxRefusedByProduction: false };

      const production = missingReason('production') ?? clientFor('production', url);
      if (typeof production === 'string') {
        problems.push(production);
      } else {
        // A plan whose production URL points at the sandbox would make both verdicts below meaningless.
        let health;
        try {
          health = await production.health({ signal });
        } catch (err) {
          throw toActivityFailure(err);
        }
        if (health.body.environment !== 'production') {
          problems.push(
            `${url} answers GET /health as ${health.body.environment}, not production (request ${health.requestId}): fix payca.production.baseUrl in the plan before judging credentials against it.`,
          );
          return { passed: false, problems, evidence };
        }
        const verdict = await authenticatedRead(production, signal);
        if (verdict.accepted) {
          evidence.productionAccepted = true;
          evidence.productionRequestId = verdict.answer.requestId;
        } else {
          evidence.productionRequestId = verdict.error.requestId;
          problems.push(
            verdict.error.code === 'ErrUnauthorized'
              ? `production credentials refused: GET /v2/accounts at ${url} answered ${describeAnswer(verdict.error)}. Check that ${variablesFor('production')} hold the production pair PayCA issued, not a sandbox or revoked one.`
              : `production credentials are recognised but may not read master accounts: GET /v2/accounts at ${url} answered ${describeAnswer(verdict.error)}. Ask the PayCA account manager to grant account access to the production client.`,
          );
        }
      }

      // The sandbox pair is sent to the production URL on purpose: production must not know it.
      const sandbox = missingReason('sandbox') ?? clientFor('sandbox', url);
      if (typeof sandbox === 'string') {
        problems.push(`cannot show that production refuses the sandbox credentials: ${sandbox}`);
      } else {
        const verdict = await authenticatedRead(sandbox, signal);
        if (verdict.accepted) {
          evidence.sandboxRequestId = verdict.answer.requestId;
          problems.push(
            `sandbox credentials work on production: GET /v2/accounts at ${url} answered HTTP ${verdict.answer.status} to the sandbox pair, request ${verdict.answer.requestId}. Rotate the sandbox keys and make sure ${variablesFor('production')} and ${variablesFor('sandbox')} hold different pairs.`,
          );
        } else {
          evidence.sandboxRequestId = verdict.error.requestId;
          if (verdict.error.code === 'ErrUnauthorized') {
            evidence.sandboxRefusedByProduction = true;
          } else {
            problems.push(
              `production recognises the sandbox credentials: GET /v2/accounts at ${url} answered ${describeAnswer(verdict.error)} instead of ErrUnauthorized (HTTP 401). Ask PayCA to revoke the sandbox client on production.`,
            );
          }
        }
      }

      return { passed: problems.length === 0, problems, evidence };
    },
  };
}
