/**
 * `npm run soak`: the full soak on demand. SOAK_RUNS (default 50) rehearsals at once, faults drawn from
 * SOAK_SEED (default: a fresh seed, printed so a run can be repeated); SOAK_TIME_SCALE and
 * SOAK_RETRY_BUDGET change the compression and the plans' PayCA retry budget. Exits 1 when any run ends
 * other than completed, rolled back or held with a named reason, or when money moved twice.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomInt } from 'node:crypto';
import { formatSoakReport, runSoak } from './soak-runner.js';

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name}=${raw} is not a positive integer`);
  }
  return value;
}

async function main(): Promise<number> {
  // The SDK logs every activity failure the faults provoke at WARN; the soak's own lines say what matters.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { forward: {}, filter: 'ERROR' } } });
  const seed = positiveInteger('SOAK_SEED', randomInt(1, 2 ** 31));
  const runs = positiveInteger('SOAK_RUNS', 50);
  console.log(`soak: ${runs} rehearsals with seed ${seed}`);
  const report = await runSoak({
    runs,
    seed,
    timeScale: positiveInteger('SOAK_TIME_SCALE', 3_000),
    retryBudget: process.env.SOAK_RETRY_BUDGET || undefined,
    log: (line) => console.log(line),
  });
  for (const line of formatSoakReport(report)) console.log(line);
  const bad = report.outcomes['held-unnamed'] + report.outcomes.stuck + report.outcomes.failed;
  return bad === 0 && report.duplicates === 0 && report.openCards === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
