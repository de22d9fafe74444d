/**
 * The worker's log level, from CUTOVER_LOG_LEVEL (TRACE, DEBUG, INFO, WARN or ERROR; the SDK's INFO when
 * unset). The same level applies to the SDK's own lines and to its Rust core's, forwarded into one stream
 * on stderr, so a DEBUG run shows everything the worker can say: what an operator turns on to diagnose a
 * stuck cutover, and what the secret scan reads to prove no credential reaches the logs even then.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { CutoverError } from '../errors.js';

export const LOG_LEVEL_VARIABLE = 'CUTOVER_LOG_LEVEL';
const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel | undefined {
  const raw = env[LOG_LEVEL_VARIABLE]?.trim();
  if (!raw) return undefined;
  const level = LEVELS.find((candidate) => candidate === raw.toUpperCase());
  if (!level) {
    throw new CutoverError('CONFIG_INVALID', `${LOG_LEVEL_VARIABLE}=${raw} is not a log level: use one of ${LEVELS.join(', ')}`, {
      variable: LOG_LEVEL_VARIABLE,
    });
  }
  return level;
}

/** Must run before the first connection or worker of the process, which fixes the runtime for good. */
export function installWorkerLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel | undefined {
  const level = logLevelFromEnv(env);
  if (!level) return undefined;
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: { logging: { forward: {}, filter: { core: level, other: level } } },
  });
  return level;
}
