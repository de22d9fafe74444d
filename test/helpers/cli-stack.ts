/**
 * A dev stack for suites that drive the real `cutover` CLI: Temporal dev server, simulators, receiver and
 * a worker in this process, plus the example plan rewritten for the stack's ports, written to a file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { startDevStack, type DevStack, type DevStackOptions } from '../../src/dev/stack.js';
import { runCli, type CliResult } from './cli.js';
import { shortExamplePlan } from './example-plan.js';
import { keepLog, suiteLog, suiteLogFile } from './suite-logs.js';

export interface CliStack {
  stack: DevStack;
  dataDir: string;
  /** The example plan for this stack, without a go-live (each test gives one). */
  planFile: string;
  cliEnv: NodeJS.ProcessEnv;
  cutover(args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
}

export interface CliStackOptions {
  notifyWrite?: (line: string) => void;
  /**
   * More stack options, read when the stack starts, so an earlier `before` can prepare them (a codec
   * server, a UI port it allows).
   */
  stackOptions?: () => DevStackOptions;
  /** Added to the CLI's environment, e.g. the payload keys the stack's worker uses. */
  env?: NodeJS.ProcessEnv;
}

export function useCliStack(name: string, options: CliStackOptions = {}): CliStack {
  const ctx = {} as CliStack;

  let serverLog: string | undefined;

  before(async () => {
    ctx.dataDir = await mkdtemp(join(tmpdir(), `cutover-${name}-`));
    serverLog = suiteLogFile('temporal-dev-server');
    ctx.stack = await startDevStack({
      dataDir: ctx.dataDir,
      temporalPort: 0,
      uiPort: 0,
      productionSimPort: 0,
      sandboxSimPort: 0,
      receiverPort: 0,
      notifyWrite: options.notifyWrite ?? (() => undefined),
      log: (line) => suiteLog('stack', line),
      ...options.stackOptions?.(),
    });
    ctx.planFile = join(ctx.dataDir, 'plan.yaml');
    const plan = await shortExamplePlan(ctx.stack);
    await writeFile(ctx.planFile, stringifyYaml(plan));
    ctx.cliEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: ctx.stack.temporal.address,
      TEMPORAL_NAMESPACE: ctx.stack.temporal.namespace,
      CUTOVER_UI_URL: ctx.stack.temporal.uiUrl,
      CUTOVER_DEBUG: '',
      ...options.env,
    };
  });

  after(async () => {
    await ctx.stack?.close();
    // The server's log lives in the data directory, which goes: the suite's logs keep a copy.
    if (serverLog) keepLog(ctx.stack?.temporal.logFile, serverLog);
    if (ctx.dataDir) await rm(ctx.dataDir, { recursive: true, force: true });
  });

  ctx.cutover = (args, env) => runCli(args, env ?? ctx.cliEnv);
  return ctx;
}
