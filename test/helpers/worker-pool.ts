/**
 * Cutover workers as separate deployments would run them: each with its own connection and identity,
 * all polling the same task queues of one server.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { RunningSimulator } from '../../src/simulator/server.js';
import { createCutoverWorkers } from '../../src/worker/create-workers.js';

export interface WorkerPool {
  identities: string[];
  stop(): Promise<void>;
}

export interface WorkerPoolOptions {
  address: string;
  namespace: string;
  client: Client;
  identities: string[];
  paycaActivitiesPerSecond: number;
  simulators: { production: RunningSimulator; sandbox: RunningSimulator };
  notifyWrite?: (line: string) => void;
  /** False: without the PayCA call limiter, as workers were before it (the rate test's control). */
  limitPaycaCalls?: boolean;
}

export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  const running: { connection: NativeConnection; shutdown(): void; done: Promise<void> }[] = [];
  const stop = async () => {
    for (const worker of running) worker.shutdown();
    await Promise.allSettled(running.map((worker) => worker.done));
    await Promise.allSettled(running.map((worker) => worker.connection.close()));
  };
  try {
    for (const identity of options.identities) {
      const connection = await NativeConnection.connect({ address: options.address });
      const workers = await createCutoverWorkers({
        connection,
        namespace: options.namespace,
        temporalClient: options.client,
        identity,
        paycaActivitiesPerSecond: options.paycaActivitiesPerSecond,
        ...(options.limitPaycaCalls === undefined ? {} : { limitPaycaCalls: options.limitPaycaCalls }),
        paycaCredentials: { production: options.simulators.production.credentials, sandbox: options.simulators.sandbox.credentials },
        notifyWrite: options.notifyWrite ?? (() => undefined),
      });
      running.push({ connection, shutdown: () => workers.shutdown(), done: workers.run() });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { identities: options.identities, stop };
}
