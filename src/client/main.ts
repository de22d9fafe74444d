/**
 * The `cutover` entry: runs one command and turns its outcome into an exit code
 * (0 done, 1 refused or invalid, 2 usage). bin/cutover.mjs calls `main` and exits with its answer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../temporal/binaries.js';
import { EXIT_OK, exitReportFor } from './exit-codes.js';
import { terminalSafe } from './terminal-text.js';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The worker loads its own command alone; everything else, the whole tree. */
async function programFor(argv: string[], version: string) {
  if (argv[2] === 'worker') return (await import('./worker-program.js')).buildWorkerProgram(version);
  return (await import('./program.js')).buildProgram(version);
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await (await programFor(argv, packageVersion())).parseAsync(argv);
    return EXIT_OK;
  } catch (err) {
    const report = exitReportFor(err);
    if (report.message) process.stderr.write(`${terminalSafe(report.message)}\n`);
    return report.code;
  }
}
