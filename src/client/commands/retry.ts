/** `cutover retry ID STAGE --as WHO`: run a failed or held stage's check again. */
import { Command } from 'commander';
import { parsePerson, parseStage } from '../arguments.js';
import { SIGNAL_OPTION_HELP, STAGE_ARGUMENT_HELP, examples } from '../help.js';
import { runMessageCommand } from '../message-command.js';

export function retryCommand(): Command {
  return new Command('retry')
    .description("run a stage's check again after fixing what held it")
    .argument('<id>', 'workflow id of the cutover')
    .argument('<stage>', STAGE_ARGUMENT_HELP)
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText('after', examples('cutover retry cutover-acme-prepaid-uk-202612010900 funding-check --as tomas'))
    .action(async (id: string, stage: string, options: { as: string; signal?: boolean }) => {
      await runMessageCommand(id, { kind: 'retry', args: { stage: parseStage(stage), by: parsePerson(options.as) } }, options);
    });
}
