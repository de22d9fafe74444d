/**
 * `npm run bench`: runs every registered benchmark against real servers, prints a table and writes
 * bench/results.json with the machine the figures came from. `--short` or BENCH_SHORT=1 runs tiny sizes
 * that only prove the benchmarks work; `--only <name>` (repeatable) runs the named ones.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { machineInfo, type MachineInfo } from './machine.js';
import { BENCHMARKS } from './registry.js';
import { markdownTable, textTable } from './table.js';
import type { Benchmark, BenchResult } from './types.js';

export const RESULTS_PATH = join(resolve(__dirname, '..', '..', '..'), 'bench', 'results.json');

export interface BenchReport {
  machine: MachineInfo;
  short: boolean;
  results: BenchResult[];
}

export interface RunBenchOptions {
  short: boolean;
  only?: string[];
  benchmarks?: Benchmark[];
  resultsPath?: string;
  log?: (line: string) => void;
}

export async function runBenchmarks(options: RunBenchOptions): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const chosen = (options.benchmarks ?? BENCHMARKS).filter((b) => !options.only?.length || options.only.includes(b.name));
  const unknown = (options.only ?? []).filter((name) => !(options.benchmarks ?? BENCHMARKS).some((b) => b.name === name));
  if (unknown.length > 0) throw new Error(`no benchmark named ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  const results: BenchResult[] = [];
  for (const benchmark of chosen) {
    log(`${benchmark.name}${options.short ? ' (short)' : ''}…`);
    const started = Date.now();
    results.push(...(await benchmark.run({ short: options.short, log })));
    log(`  done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const report: BenchReport = { machine: await machineInfo(), short: options.short, results };
  const path = options.resultsPath ?? RESULTS_PATH;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(report, null, 2) + '\n');
  return report;
}

function parseArgs(argv: string[]): { short: boolean; only: string[]; markdown: boolean } {
  const only: string[] = [];
  let short = process.env.BENCH_SHORT === '1' || process.env.BENCH_SHORT === 'true';
  let markdown = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--short') short = true;
    else if (arg === '--markdown') markdown = true;
    else if (arg === '--only' && argv[i + 1]) only.push(argv[++i] as string);
    else throw new Error(`unknown argument ${arg}; use --short, --markdown or --only <name>`);
  }
  return { short, only, markdown };
}

if (require.main === module) {
  // The SDK's log lines would bury the table; errors still show.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { forward: {}, filter: 'ERROR' } } });
  const args = parseArgs(process.argv.slice(2));
  runBenchmarks(args)
    .then((report) => {
      const m = report.machine;
      console.log(
        `\n${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}, ${m.temporalCli}, load ${m.loadAverage1m}, ${m.date}\n`,
      );
      console.log(args.markdown ? markdownTable(report.results) : textTable(report.results));
      console.log(`\nwritten to ${RESULTS_PATH}`);
    })
    .catch((err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(1);
    });
}
