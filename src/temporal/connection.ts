/**
 * One way to reach Temporal for the worker and the CLI alike: @temporalio/envconfig reads
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS paths and TOML profiles
 * (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE). Without any of them it is the local dev server.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';
import { CutoverError } from '../errors.js';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

function loadConfig() {
  const config = loadClientConnectConfig();
  const namespace = config.namespace ?? 'default';
  const address = config.connectionOptions.address ?? 'localhost:7233';
  return { config, namespace, address };
}

function unreachable(address: string, err: unknown): CutoverError {
  const why = err instanceof Error ? err.message : String(err);
  return new CutoverError(
    'TEMPORAL_UNREACHABLE',
    `cannot reach Temporal at ${address} (${why}). Start one with \`cutover dev\`, or set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY or TLS settings) for a cluster.`,
    { address },
  );
}

export async function connectClient(): Promise<{ client: Client; target: TemporalTarget }> {
  const { config, namespace, address } = loadConfig();
  try {
    const connection = await Connection.connect({ ...config.connectionOptions, address, connectTimeout: '5s' });
    return { client: new Client({ connection, namespace }), target: { address, namespace } };
  } catch (err) {
    throw unreachable(address, err);
  }
}

export async function connectWorker(): Promise<{ connection: NativeConnection; target: TemporalTarget }> {
  const { config, namespace, address } = loadConfig();
  try {
    const connection = await NativeConnection.connect({ ...config.connectionOptions, address });
    return { connection, target: { address, namespace } };
  } catch (err) {
    throw unreachable(address, err);
  }
}
