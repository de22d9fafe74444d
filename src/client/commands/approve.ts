/** `cutover approve ID STAGE --as WHO`: one approver's yes for a held or gated stage. */
import { Command } from 'commander';
import { parsePerson, parseStage, parseText } from '../arguments.js';
import { SIGNAL_OPTION_HELP, STAGE_ARGUMENT_HELP, examples } from '../help.js';
import { KEY_OPTION_HELP } from '../approval-signing.js';
import { runMessageCommand } from '../message-command.js';

interface ApproveOptions {
  as: string;
  note?: string;
  authorizationId?: string;
  signal?: boolean;
  key?: string;
}

export function approveCommand(): Command {
  return new Command('approve')
    .description('approve a stage that is holding for your role')
    .argument('<id>', 'workflow id of the cutover')
    .argument('<stage>', STAGE_ARGUMENT_HELP)
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .option('--note <text>', 'why, for the record')
    .option('--authorization-id <id>', 'at go-live: id of the real low-risk authorization you ran')
    .option('--key <file>', KEY_OPTION_HELP)
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText(
      'after',
      examples(
        'cutover approve cutover-acme-prepaid-uk-202612010900 go-live --as lara --authorization-id auth_8812',
        'cutover approve cutover-acme-prepaid-uk-202612010900 go-live --as erin --note "smoke tests green" --key ~/.cutover/erin.pem',
      ),
    )
    .action(async (id: string, stage: string, options: ApproveOptions) => {
      await runMessageCommand(
        id,
        {
          kind: 'approve',
          args: {
            stage: parseStage(stage),
            by: parsePerson(options.as),
            ...(options.note !== undefined && { note: parseText(options.note, '--note') }),
            ...(options.authorizationId !== undefined && {
              authorizationId: parseText(options.authorizationId, '--authorization-id'),
            }),
          },
        },
        options,
      );
    });
}
