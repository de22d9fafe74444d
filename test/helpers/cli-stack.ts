/**
 * A dev stack for suites that drive the real `cutover` CLI: Temporal dev server, simulators, receiver and
 * a worker in this process, plus the example plan rewritten for the stack's ports, written to a file.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startDevStack, type DevStack, type DevStackOptions } from '../../src/dev/stack.js';
import { EXAMPLE_PLAN, ROOT, runCli, type CliResult } from './cli.js';

/** Files the example plan names relative to the checkout; the in-process worker may run elsewhere. */
const PLAN_FILES = ['plans/ci/sandbox.env', 'plans/ci/production.env', 'plans/data/seed-cards.csv'];

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

  before(async () => {
    ctx.dataDir = await mkdtemp(join(tmpdir(), `cutover-${name}-`));
    ctx.stack = await startDevStack({
      dataDir: ctx.dataDir,
      temporalPort: 0,
      uiPort: 0,
      productionSimPort: 0,
      sandboxSimPort: 0,
      receiverPort: 0,
      notifyWrite: options.notifyWrite ?? (() => undefined),
      ...options.stackOptions?.(),
    });
    let example = await readFile(EXAMPLE_PLAN, 'utf8');
    for (const file of PLAN_FILES) {
      if (!example.includes(file)) throw new Error(`the example plan no longer names ${file}`);
      example = example.replaceAll(file, JSON.stringify(join(ROOT, file)));
    }
    ctx.planFile = join(ctx.dataDir, 'plan.yaml');
    const plan = parseYaml(
      example
        .replaceAll('http://127.0.0.1:4010', ctx.stack.production.url)
        .replaceAll('http://127.0.0.1:4011', ctx.stack.sandbox.url)
        .replaceAll('http://127.0.0.1:4020', ctx.stack.receiver.url),
    ) as Record<string, Record<string, unknown> | undefined>;
    delete plan['goLive'];
    // After go-live, a one-hour watch and the fee reconciliation at T+2h30m keep a rolled-forward run short.
    plan['stages'] = { ...plan['stages'], 'fee-reconciliation': { offset: '2h30m' } };
    plan['postLaunch'] = { ...plan['postLaunch'], watch: { window: '3h' } };
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
    if (ctx.dataDir) await rm(ctx.dataDir, { recursive: true, force: true });
  });

  ctx.cutover = (args, env) => runCli(args, env ?? ctx.cliEnv);
  return ctx;
}
