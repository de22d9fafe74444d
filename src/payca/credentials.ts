/**
 * PayCA credentials from the worker's environment. Values come either straight from a variable or from a
 * file named by its `_FILE` twin (how Docker and Kubernetes secrets are usually mounted). The values
 * never appear in errors, JSON or `util.inspect` output: an accidental log line must not leak them.
 */
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { CredentialsMissingError, CutoverError } from '../errors.js';

export type PaycaEnvironment = 'sandbox' | 'production';

/** What the client needs. Any object with these two fields works (the simulator hands out plain ones). */
export interface PaycaCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

const REDACTED = '[redacted]';

/**
 * Credentials that keep their values in private fields behind getters, so `JSON.stringify`, object spread
 * and `util.inspect` see nothing but a redaction marker.
 */
export class RedactedCredentials implements PaycaCredentials {
  readonly #clientId: string;
  readonly #clientSecret: string;

  constructor(clientId: string, clientSecret: string) {
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
  }

  get clientId(): string {
    return this.#clientId;
  }

  get clientSecret(): string {
    return this.#clientSecret;
  }

  toJSON(): Record<string, string> {
    return { clientId: REDACTED, clientSecret: REDACTED };
  }

  toString(): string {
    return `PaycaCredentials { clientId: ${REDACTED}, clientSecret: ${REDACTED} }`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/**
 * Reads `PAYCA_<ENV>_CLIENT_ID` and `PAYCA_<ENV>_CLIENT_SECRET`, or their `_FILE` variants whose file holds
 * the value (trimmed). Setting both a variable and its `_FILE` twin is refused rather than silently
 * preferring one: two sources for one secret usually means one of them is stale.
 */
export function loadPaycaCredentials(environment: PaycaEnvironment, env: NodeJS.ProcessEnv = process.env): RedactedCredentials {
  if (environment !== 'sandbox' && environment !== 'production') {
    throw new CutoverError('CONFIG_INVALID', `Unknown PayCA environment "${String(environment)}": use "sandbox" or "production".`, {
      environment,
    });
  }
  const prefix = `PAYCA_${environment.toUpperCase()}`;
  const clientId = readSetting(environment, `${prefix}_CLIENT_ID`, env);
  const clientSecret = readSetting(environment, `${prefix}_CLIENT_SECRET`, env);
  return new RedactedCredentials(clientId, clientSecret);
}

function readSetting(environment: PaycaEnvironment, variable: string, env: NodeJS.ProcessEnv): string {
  const fileVariable = `${variable}_FILE`;
  // An empty variable counts as unset: `FOO=` in an env file is a common way of leaving it blank.
  const direct = nonEmpty(env[variable]);
  const file = nonEmpty(env[fileVariable]);
  if (direct !== undefined && file !== undefined) {
    throw new CutoverError(
      'CONFIG_INVALID',
      `Both ${variable} and ${fileVariable} are set for PayCA ${environment}: unset one of them so there is a single source for the value.`,
      { environment, variables: [variable, fileVariable] },
    );
  }
  if (direct !== undefined) return direct.trim();
  if (file === undefined) throw new CredentialsMissingError(environment, variable);

  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CutoverError(
      'CONFIG_INVALID',
      `${fileVariable} points at ${file}, which cannot be read (${reason}): fix the path or the file's permissions.`,
      { environment, variable: fileVariable, file, reason },
    );
  }
  const value = content.trim();
  if (value === '') {
    throw new CutoverError('CONFIG_INVALID', `${fileVariable} points at ${file}, which is empty: write the ${variable} value into it.`, {
      environment,
      variable: fileVariable,
      file,
    });
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
