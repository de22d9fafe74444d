/** `cutover abort ID --as WHO --reason TEXT`: stop the cutover and undo what it changed. */
import { Command } from 'commander';
import { parsePerson, parseText } from '../arguments.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { runMessageCommand } from '../message-command.js';

export function abortCommand(): Command {
  return new Command('abort')
    .description('abort the cutover; what it already changed is undone in reverse order')
    .argument('<id>', 'workflow id of the cutover')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText('after', examples('cutover abort cutover-acme-prepaid-uk-202612010900 --as lara --reason "PayCA incident"'))
    .action(async (id: string, options: { as: string; reason: string; signal?: boolean }) => {
      await runMessageCommand(
        id,
        { kind: 'abort', args: { by: parsePerson(options.as), reason: parseText(options.reason, '--reason') } },
        options,
      );
    });
}
