/**
 * The worker SDK logs every state change at INFO, which buries the demo's own lines. Warnings and
 * errors still show. Only possible before the first worker or native connection exists in the
 * process; after that (say, a test suite that set up its own runtime) the existing one is kept.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';

let attempted = false;

export function preferQuietWorkerLogs(): void {
  if (attempted) return;
  attempted = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed or instantiated: keep what the process chose.
  }
}
