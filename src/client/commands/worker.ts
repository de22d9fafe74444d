/** `cutover worker`: the cutover worker in the foreground, until SIGINT or SIGTERM drains it. */
import { Command } from 'commander';
import { examples } from '../help.js';

export function workerCommand(): Command {
  return new Command('worker')
    .description('run the cutover worker (workflow and PayCA activities) against TEMPORAL_ADDRESS')
    .option('--payca-rate <n>', 'PayCA calls per second across all workers (default: $CUTOVER_PAYCA_RATE or 20)')
    .addHelpText(
      'after',
      `${examples('cutover worker', 'TEMPORAL_ADDRESS=temporal.internal:7233 cutover worker --payca-rate 10')}
PayCA credentials come from PAYCA_PRODUCTION_CLIENT_ID / _SECRET and PAYCA_SANDBOX_CLIENT_ID / _SECRET
(or their _FILE variants). Notifications go to CUTOVER_NOTIFY_URL when the plan names no webhook.
CUTOVER_LOG_LEVEL=DEBUG (or TRACE, INFO, WARN, ERROR) sets how much the worker and the SDK log, on stderr.
Temporal: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* or a TOML profile
(TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE). A worker that cannot connect exits 1 saying whether the address,
the TLS handshake, the credentials or the namespace is at fault.
`,
    )
    .action(async (options: { paycaRate?: string }) => {
      const { paycaRateFromEnv, runWorker } = await import('../../worker/main.js');
      // The argument parsers load the plan's schemas: only when there is an argument to parse.
      const rate =
        options.paycaRate === undefined
          ? paycaRateFromEnv()
          : (await import('../arguments.js')).parsePositiveNumber(options.paycaRate, '--payca-rate');
      await runWorker({ paycaActivitiesPerSecond: rate });
    });
}
