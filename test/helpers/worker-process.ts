/**
 * A real `cutover worker` process, as an operator runs it, that a test can kill with SIGKILL and replace.
 * Its output is kept (the tail) to explain a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';
import { CLI, ROOT } from './cli.js';
import type { PaycaStack } from './payca-stack.js';

export interface WorkerProcess {
  readonly pid: number;
  /** True until the process has exited, by itself or killed. */
  alive(): boolean;
  /** SIGKILL: no shutdown, no goodbye to the server, activities die mid-call. */
  kill(): Promise<void>;
  output(): string;
  /** Resolves once the process has printed a line matching `pattern`, at any time since it started. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
}

/** Enough for the lines a test waits for over a long run; the tail kept for explaining failures is shorter. */
const SEARCHED_OUTPUT_CHARS = 1_000_000;

export function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  let output = '';
  let searched = '';
  const child: ChildProcess = spawn(process.execPath, [CLI, 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
    searched = (searched + chunk.toString()).slice(-SEARCHED_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid ?? -1,
    alive,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    output: () => output,
    async waitForOutput(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(searched)) {
        if (!alive()) throw new Error(`worker ${child.pid} exited before printing ${pattern}: ${output}`);
        if (Date.now() > deadline) throw new Error(`worker ${child.pid} did not print ${pattern} within ${timeoutMs} ms: ${output}`);
        await delay(100);
      }
    },
  };
}

/** A worker's environment for a dev server and the simulators, with their (fake) credentials. */
export function simulatorWorkerEnv(temporalAddress: string, stack: PaycaStack, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    PAYCA_PRODUCTION_CLIENT_ID: stack.credentials.production.clientId,
    PAYCA_PRODUCTION_CLIENT_SECRET: stack.credentials.production.clientSecret,
    PAYCA_SANDBOX_CLIENT_ID: stack.credentials.sandbox.clientId,
    PAYCA_SANDBOX_CLIENT_SECRET: stack.credentials.sandbox.clientSecret,
    ...extra,
  };
}
