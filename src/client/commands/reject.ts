/** `cutover reject ID STAGE --as WHO --reason TEXT`: a no-go for a stage. */
import { Command } from 'commander';
import { parsePerson, parseStage, parseText } from '../arguments.js';
import { SIGNAL_OPTION_HELP, STAGE_ARGUMENT_HELP, examples } from '../help.js';
import { KEY_OPTION_HELP } from '../approval-signing.js';
import { runMessageCommand } from '../message-command.js';

export function rejectCommand(): Command {
  return new Command('reject')
    .description('reject a stage that is holding for your role')
    .argument('<id>', 'workflow id of the cutover')
    .argument('<stage>', STAGE_ARGUMENT_HELP)
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--key <file>', KEY_OPTION_HELP)
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText(
      'after',
      examples('cutover reject cutover-acme-prepaid-uk-202612010900 funding-check --as tomas --reason "EUR wire not landed"'),
    )
    .action(async (id: string, stage: string, options: { as: string; reason: string; signal?: boolean; key?: string }) => {
      await runMessageCommand(
        id,
        { kind: 'reject', args: { stage: parseStage(stage), by: parsePerson(options.as), reason: parseText(options.reason, '--reason') } },
        options,
      );
    });
}
