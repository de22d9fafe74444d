/**
 * `cutover worker` on its own: the worker is the one long-lived command, and a replica that joins under load
 * should poll as soon as it can, so it skips loading every other command (about a third of a second here).
 */
import { Command } from 'commander';
import { workerCommand } from './commands/worker.js';
import { throwInsteadOfExit } from './throw-instead-of-exit.js';

export function buildWorkerProgram(version: string): Command {
  const program = new Command('cutover').version(version, '-V, --version').addCommand(workerCommand());
  throwInsteadOfExit(program);
  return program;
}
