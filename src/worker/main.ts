/**
 * The worker process: `cutover worker`, or `node dist/src/worker/main.js` in a container.
 * Connection settings from @temporalio/envconfig; PayCA credentials from PAYCA_* variables.
 */
import { payloadCodecsFromEnv } from '../codec/payload-codecs.js';
import { connectClient, connectWorker } from '../temporal/connection.js';
import { createCutoverWorkers, DEFAULT_PAYCA_ACTIVITIES_PER_SECOND, type CutoverWorkers } from './create-workers.js';
import { installWorkerLogLevel } from './log-level.js';
import { emailStartLine, smtpSettingsFromEnv } from '../activities/smtp-settings.js';
import { CutoverError } from '../errors.js';

export interface RunWorkerOptions {
  paycaActivitiesPerSecond?: number;
  notifyUrl?: string;
}

/**
 * A number from the worker's environment: the fallback when the variable is unset or empty, otherwise the
 * value if `accepts` it, or a CONFIG_INVALID error naming the variable, its value and what it must be.
 */
function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, accepts: (n: number) => boolean, mustBe: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!accepts(value)) throw new CutoverError('CONFIG_INVALID', `${name}=${raw} is not ${mustBe}`);
  return value;
}

export function paycaRateFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return numberFromEnv(
    env,
    'CUTOVER_PAYCA_RATE',
    DEFAULT_PAYCA_ACTIVITIES_PER_SECOND,
    (rate) => Number.isFinite(rate) && rate > 0,
    'a positive number of PayCA calls per second',
  );
}

/**
 * Workflow tasks one worker process takes at once. Ten keeps a burst of cutover starts (each first task
 * parses and checks a whole plan) from queueing 40 deep on the workflow thread, which timed tasks out on a
 * busy cluster (docs/performance.md, On a cluster); more gains nothing with one workflow thread.
 */
export const DEFAULT_WORKFLOW_TASK_SLOTS = 10;

export function workflowTaskSlotsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  return numberFromEnv(
    env,
    'CUTOVER_WORKFLOW_TASK_SLOTS',
    DEFAULT_WORKFLOW_TASK_SLOTS,
    (slots) => Number.isInteger(slots) && slots >= 2,
    'a whole number of workflow tasks, 2 or more',
  );
}

/** Runs until SIGINT or SIGTERM, then drains and returns. */
export async function runWorker(options: RunWorkerOptions = {}): Promise<void> {
  installWorkerLogLevel();
  const { connection, target } = await connectWorker();
  // The client (activities, the rate share's count of workers) connects once the workflow worker polls.
  let clientSide: ReturnType<typeof connectClient> | undefined;
  const temporalClient = async () => (await (clientSide ??= connectClient())).client;
  let workers: CutoverWorkers;
  try {
    workers = await createCutoverWorkers({
      connection,
      namespace: target.namespace,
      temporalClient,
      paycaActivitiesPerSecond: options.paycaActivitiesPerSecond ?? paycaRateFromEnv(),
      notifyUrl: options.notifyUrl ?? process.env.CUTOVER_NOTIFY_URL,
      payloadCodecs: payloadCodecsFromEnv(),
      bundleAtStart: process.env.CUTOVER_BUNDLE_AT_START === '1',
      workflowTaskSlots: workflowTaskSlotsFromEnv(),
      pollWorkflowsFirst: true,
    });
  } catch (err) {
    await connection.close().catch(() => undefined);
    await clientSide?.then(({ client }) => client.connection.close()).catch(() => undefined);
    throw err;
  }
  const { client } = await (clientSide ??= connectClient());
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
