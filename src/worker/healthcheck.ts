/**
 * The worker container's health: healthy while a worker on this host polls the cutover task queue, as
 * Temporal itself sees it. A live process that lost its connection, or is stuck before polling, is not.
 * `node dist/src/worker/healthcheck.js` exits 0 or 1 (the Dockerfile's HEALTHCHECK); it connects with the
 * same TEMPORAL_* settings as the worker.
 */
import { hostname } from 'node:os';
import { connectClient } from '../temporal/connection.js';
import { freshPollers, POLLER_FRESH_MS } from '../temporal/task-queue-pollers.js';
import { CUTOVER_TASK_QUEUE } from '../workflows/messages.js';

export interface WorkerHealth {
  healthy: boolean;
  detail: string;
}

/** Whether a worker whose identity ends with `@host` polled `taskQueue` recently (SDK identities are `pid@host`). */
export async function checkWorkerHealth(
  options: { host?: string; taskQueue?: string; env?: NodeJS.ProcessEnv; now?: () => number } = {},
): Promise<WorkerHealth> {
  const host = options.host ?? hostname();
  const taskQueue = options.taskQueue ?? CUTOVER_TASK_QUEUE;
  const now = options.now ?? Date.now;
  const { client, target } = await connectClient(options.env);
  try {
    const pollers = await freshPollers(client, { namespace: target.namespace, taskQueue, kind: 'workflow', now });
    const fresh = pollers.filter((poller) => poller.identity?.endsWith(`@${host}`));
    if (fresh.length > 0) return { healthy: true, detail: `${fresh.length} poller(s) from ${host} on ${taskQueue}` };
    return {
      healthy: false,
      detail: `no worker from ${host} polled task queue ${taskQueue} at ${target.address} in the last ${POLLER_FRESH_MS / 1000}s`,
    };
  } finally {
    await client.connection.close();
  }
}

if (require.main === module) {
  checkWorkerHealth().then(
    (health) => {
      console.log(health.detail);
      process.exit(health.healthy ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}
