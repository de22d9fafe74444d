/**
 * The one place that turns an error into what the person sees and the process's exit code:
 * 0 done, 1 refused or invalid (the reason on stderr), 2 usage. Stack traces only with CUTOVER_DEBUG=1,
 * because the people running a cutover need the reason, not the call chain.
 */
import { CommanderError } from 'commander';
import { CutoverError, UsageError } from '../errors.js';

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

export interface ExitReport {
  code: number;
  /** Lines for stderr; empty when the error was already printed (commander does its own). */
  message?: string;
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CUTOVER_DEBUG === '1' || env.CUTOVER_DEBUG === 'true';
}

export function exitReportFor(err: unknown, env: NodeJS.ProcessEnv = process.env): ExitReport {
  const trace = debugEnabled(env) && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  if (err instanceof CommanderError) {
    // Help and --version arrive here as "errors" with exit code 0; commander already printed everything.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return { code: EXIT_OK };
    return { code: err.exitCode === 0 ? EXIT_OK : EXIT_USAGE };
  }
  if (err instanceof UsageError) {
    return { code: EXIT_USAGE, message: `error: ${err.message}\n(run with --help to see the arguments and examples)${trace}` };
  }
  if (err instanceof CutoverError) {
    return { code: EXIT_REFUSED, message: `error: ${err.message}${trace}` };
  }
  const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const hint = trace || '\n(set CUTOVER_DEBUG=1 to see the stack trace)';
  return { code: EXIT_REFUSED, message: `error: unexpected failure: ${what}${hint}` };
}
