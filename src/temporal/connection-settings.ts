/**
 * Where and how to reach Temporal, read once through @temporalio/envconfig: a TOML profile
 * (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE; otherwise the user's temporalio/temporal.toml when present)
 * overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and TEMPORAL_TLS_*.
 * envconfig is lenient where a cutover cannot afford it, so two of its silences are refused here.
 */
import { existsSync } from 'node:fs';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { CutoverError } from '../errors.js';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

export interface ConnectionSettings {
  address: string;
  namespace: string;
  /** What envconfig made of the profile and environment, passed to the connection unchanged. */
  connectionOptions: NativeConnectionOptions;
  tls: boolean;
  /** True when a client certificate and key are sent (mTLS). */
  clientCertificate: boolean;
  /** True when the server's certificate is checked against a configured CA rather than the system's. */
  customCa: boolean;
  apiKey: boolean;
  /** Where the settings came from, for messages: `TOML profile "cloud" in FILE` or `environment`. */
  source: string;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function invalid(why: string, source: string): CutoverError {
  return new CutoverError(
    'CONFIG_INVALID',
    `the Temporal connection settings (${source}) are invalid: ${why}. Fix the TOML profile or the TEMPORAL_* variables; see "Connecting to a Temporal cluster or Temporal Cloud" in docs/configuration.md.`,
    { source },
  );
}

function describeSource(env: Record<string, string>): string {
  const file = env.TEMPORAL_CONFIG_FILE;
  if (file) return `TOML profile "${env.TEMPORAL_PROFILE || 'default'}" in ${file}, then environment`;
  return env.TEMPORAL_PROFILE ? `TOML profile "${env.TEMPORAL_PROFILE}", then environment` : 'environment';
}

function readProfile(env: Record<string, string>, source: string): ClientConfigProfile {
  // envconfig treats a missing config file as "no file"; a named one that is missing is a typo to report.
  const file = env.TEMPORAL_CONFIG_FILE;
  if (file && !existsSync(file)) throw invalid(`TEMPORAL_CONFIG_FILE names ${file}, which does not exist`, source);
  try {
    return loadClientConfigProfile({ overrideEnvVars: env });
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err), source);
  }
}

export function loadConnectionSettings(processEnv: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const env = definedOnly(processEnv);
  const source = describeSource(env);
  const profile = readProfile(env, source);
  // envconfig drops a certificate without its key (or a key without its certificate) and connects without
  // mTLS, which a cluster then refuses with a less helpful message.
  if ((profile.tls?.clientCert === undefined) !== (profile.tls?.clientKey === undefined)) {
    throw invalid('a TLS client certificate and key go together; only one of them is set', source);
  }
  let connect: ClientConnectConfig;
  try {
    connect = toClientOptions(profile);
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err), source);
  }
  const options = connect.connectionOptions;
  const tls = typeof options.tls === 'object' ? options.tls : undefined;
  return {
    address: options.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: connect.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    connectionOptions: options,
    tls: options.tls !== undefined && options.tls !== false && options.tls !== null,
    clientCertificate: tls?.clientCertPair !== undefined,
    customCa: tls?.serverRootCACertificate !== undefined,
    apiKey: options.apiKey !== undefined && options.apiKey !== '',
    source,
  };
}
