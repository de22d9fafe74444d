import type { Command } from 'commander';

/** Commander throws instead of exiting, everywhere in the tree, so main decides the exit code. */
export function throwInsteadOfExit(command: Command): void {
  command.exitOverride();
  command.showHelpAfterError('(add --help for usage and examples)');
  for (const sub of command.commands) throwInsteadOfExit(sub);
}
