/**
 * The worker process: `cutover worker`, or `node dist/src/worker/main.js` in a container.
 * Connection settings from @temporalio/envconfig; PayCA credentials from PAYCA_* variables.
 */
import { payloadCodecsFromEnv } from '../codec/payload-codecs.js';
import { connectClient, connectWorker } from '../temporal/connection.js';
import { createCutoverWorkers, DEFAULT_PAYCA_ACTIVITIES_PER_SECOND } from './create-workers.js';
import { installWorkerLogLevel } from './log-level.js';
import { emailStartLine, smtpSettingsFromEnv } from '../activities/smtp-settings.js';
import { CutoverError } from '../errors.js';

export interface RunWorkerOptions {
  paycaActivitiesPerSecond?: number;
  notifyUrl?: string;
}

export function paycaRateFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CUTOVER_PAYCA_RATE;
  if (raw === undefined || raw === '') return DEFAULT_PAYCA_ACTIVITIES_PER_SECOND;
  const rate = Number(raw);
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new CutoverError('CONFIG_INVALID', `CUTOVER_PAYCA_RATE=${raw} is not a positive number of PayCA calls per second`);
  }
  return rate;
}

/** Runs until SIGINT or SIGTERM, then drains and returns. */
export async function runWorker(options: RunWorkerOptions = {}): Promise<void> {
  installWorkerLogLevel();
  // Both connections at once: each waits on the server's answer to describeNamespace.
  const [workerSide, clientSide] = await Promise.allSettled([connectWorker(), connectClient()]);
  if (workerSide.status === 'rejected' || clientSide.status === 'rejected') {
    if (workerSide.status === 'fulfilled') await workerSide.value.connection.close();
    if (clientSide.status === 'fulfilled') await clientSide.value.client.connection.close();
    throw workerSide.status === 'rejected' ? workerSide.reason : (clientSide as PromiseRejectedResult).reason;
  }
  const { connection, target } = workerSide.value;
  const { client } = clientSide.value;
  const workers = await createCutoverWorkers({
    connection,
    namespace: target.namespace,
    temporalClient: client,
    paycaActivitiesPerSecond: options.paycaActivitiesPerSecond ?? paycaRateFromEnv(),
    notifyUrl: options.notifyUrl ?? process.env.CUTOVER_NOTIFY_URL,
    payloadCodecs: payloadCodecsFromEnv(),
    bundleAtStart: process.env.CUTOVER_BUNDLE_AT_START === '1',
  });
  const stop = () => workers.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`cutover worker polling ${target.address} (namespace ${target.namespace})`);
  console.log(emailStartLine(smtpSettingsFromEnv()));
  try {
    await workers.run();
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await connection.close();
    await client.connection.close();
  }
}

if (require.main === module) {
  runWorker().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
