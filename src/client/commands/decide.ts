/** `cutover decide ID roll-forward|roll-back`: the programme lead's debrief decision. */
import { Command } from 'commander';
import { parseDecision, parsePerson, parseText } from '../arguments.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { KEY_OPTION_HELP } from '../approval-signing.js';
import { runMessageCommand } from '../message-command.js';

export function decideCommand(): Command {
  return new Command('decide')
    .description('at the debrief: roll forward (keep production) or roll back (undo in reverse order)')
    .argument('<id>', 'workflow id of the cutover')
    .argument('<decision>', 'roll-forward or roll-back')
    .requiredOption('--as <who>', 'your person id (the programme lead)')
    .requiredOption('--reason <text>', 'why, for the record')
    .option('--key <file>', KEY_OPTION_HELP)
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText(
      'after',
      examples(
        'cutover decide cutover-acme-prepaid-uk-202612010900 roll-forward --as lara --reason "metrics nominal"',
        'cutover decide cutover-acme-prepaid-uk-202612010900 roll-back --as lara --reason "decline rate doubled"',
      ),
    )
    .action(async (id: string, decision: string, options: { as: string; reason: string; signal?: boolean; key?: string }) => {
      await runMessageCommand(
        id,
        {
          kind: 'decide',
          args: { decision: parseDecision(decision), by: parsePerson(options.as), reason: parseText(options.reason, '--reason') },
        },
        options,
      );
    });
}
