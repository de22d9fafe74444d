/**
 * The worker SDK logs every state change at INFO, which buries the demo's own lines. Warnings and
 * errors still show, except the payca queue's "No workflows registered" warning: that worker runs
 * activities only, on purpose. Only possible before the first worker or native connection exists in
 * the process; after that (say, a test suite that set up its own runtime) the existing one is kept.
 */
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

const EXPECTED_WARNINGS = [/^No workflows registered/];

let attempted = false;

/** The SDK's own line format, for everything not filtered out. */
const standard = new DefaultLogger('WARN');

function logUnlessExpected(entry: LogEntry): void {
  if (EXPECTED_WARNINGS.some((pattern) => pattern.test(entry.message))) return;
  standard.log(entry.level, entry.message, entry.meta);
}

export function preferQuietWorkerLogs(): void {
  if (attempted) return;
  attempted = true;
  try {
    // No shutdown signals: the stack's owner stops the worker itself, in order, on Ctrl-C.
    Runtime.install({ logger: new DefaultLogger('WARN', logUnlessExpected), shutdownSignals: [] });
  } catch {
    // Already installed or instantiated: keep what the process chose.
  }
}
