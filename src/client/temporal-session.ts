/** Connects, runs one command's work against Temporal, and always closes the connection afterwards. */
import type { Client } from '@temporalio/client';
import { connectClient, type TemporalTarget } from '../temporal/connection.js';
import { translateTemporalError } from '../operations/temporal-errors.js';

export async function withTemporal<T>(work: (client: Client, target: TemporalTarget) => Promise<T>, workflowId?: string): Promise<T> {
  const { client, target } = await connectClient();
  try {
    return await work(client, target);
  } catch (err) {
    throw translateTemporalError(err, workflowId);
  } finally {
    await client.connection.close();
  }
}
