/** Runs the real `cutover` CLI as a child process, the way a person would. */
import { execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..', '..');
export const CLI = join(ROOT, 'bin', 'cutover.mjs');
export const EXAMPLE_PLAN = join(ROOT, 'plans', 'example.yaml');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = { ...process.env, CUTOVER_DEBUG: '' }): Promise<CliResult> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

export interface UsageCase {
  args: string[];
  says: RegExp;
}

/** One test per case: the CLI exits 2 and says what was wrong. */
export function itRefusesUsage(cases: UsageCase[], run: (args: string[]) => Promise<CliResult> = runCli): void {
  for (const { args, says } of cases) {
    it(`exits 2 for \`cutover ${args.join(' ')}\``, async () => {
      const result = await run(args);
      if (result.code !== 2) throw new Error(`exit ${result.code}, expected 2:\n${result.stdout}${result.stderr}`);
      if (!says.test(result.stderr)) throw new Error(`stderr does not match ${says}:\n${result.stderr}`);
    });
  }
}

export interface CliService {
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Ctrl-C, then waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts a long-running `cutover` command and waits until it prints `ready` (30 s at most). */
export async function startCliService(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, what: string): Promise<CliService> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((done) => child.once('exit', done));
  const stop = async () => {
    child.kill('SIGINT');
    await exited;
  };
  const deadline = Date.now() + 30_000;
  while (!ready.test(output)) {
    if (Date.now() >= deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`${what} did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { output: () => output, stop };
}
