/**
 * One way to reach Temporal for the worker, the CLI and the codec server alike: @temporalio/envconfig reads
 * TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* and TOML profiles
 * (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE). Without any of them it is the local dev server.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { dataConverterFor, payloadCodecsFromEnv } from '../codec/payload-codecs.js';
import { loadConnectionSettings } from './connection-settings.js';
import { connectFailure, requireNamespace } from './connect-failure.js';

export { loadConnectionSettings, type ConnectionSettings } from './connection-settings.js';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

export async function connectClient(env: NodeJS.ProcessEnv = process.env): Promise<{ client: Client; target: TemporalTarget }> {
  const settings = loadConnectionSettings(env);
  const { namespace, address } = settings;
  // Read before connecting, so a bad key configuration is reported as such and not as a connection failure.
  const dataConverter = dataConverterFor(payloadCodecsFromEnv(env));
  try {
    const connection = await Connection.connect({ ...settings.connectionOptions, address, connectTimeout: '5s' });
    await requireNamespace(
      settings,
      () => connection.workflowService.describeNamespace({ namespace }),
      () => connection.close(),
    );
    return { client: new Client({ connection, namespace, dataConverter }), target: { address, namespace } };
  } catch (err) {
    throw await connectFailure(settings, err);
  }
}

export async function connectWorker(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ connection: NativeConnection; target: TemporalTarget }> {
  const settings = loadConnectionSettings(env);
  const { namespace, address } = settings;
  try {
    const connection = await NativeConnection.connect({ ...settings.connectionOptions, address });
    await requireNamespace(
      settings,
      () => connection.workflowService.describeNamespace({ namespace }),
      () => connection.close(),
    );
    return { connection, target: { address, namespace } };
  } catch (err) {
    throw await connectFailure(settings, err);
  }
}
