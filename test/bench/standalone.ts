/**
 * Runs one benchmark on its own (`node dist/test/bench/whole-cutover.js [--short]`): prints its result as
 * JSON and exits 1 when the goal was missed.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { BenchResult, BenchRunOptions } from './cutover-bench-result.js';

export function runStandalone(run: (options: BenchRunOptions) => Promise<BenchResult>): void {
  // The SDK logs at WARN what the benchmark provokes on purpose; the benchmark's own lines say what matters.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { forward: {}, filter: 'ERROR' } } });
  const short = process.argv.includes('--short');
  run({ short, log: (line) => console.error(line) }).then(
    (result) => {
      console.log(JSON.stringify(result, null, 2));
      process.exit(result.goalMet ? 0 : 1);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(2);
    },
  );
}
