/**
 * A real `cutover worker` process, as an operator runs it, that a test can kill with SIGKILL and replace.
 * Its output is kept (the tail) to explain a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI, ROOT } from './cli.js';

export interface WorkerProcess {
  readonly pid: number;
  /** True until the process has exited, by itself or killed. */
  alive(): boolean;
  /** SIGKILL: no shutdown, no goodbye to the server, activities die mid-call. */
  kill(): Promise<void>;
  output(): string;
}

export function startWorkerProcess(env: NodeJS.ProcessEnv): WorkerProcess {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [CLI, 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
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
  };
}
