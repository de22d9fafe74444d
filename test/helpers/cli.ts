/** Runs the real `cutover` CLI as a child process, the way a person would. */
import { execFile } from 'node:child_process';
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
