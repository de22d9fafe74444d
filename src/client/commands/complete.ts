/** `cutover complete ID ITEM --as WHO --evidence TEXT`: an owner vouches that a checklist item is done. */
import { Command } from 'commander';
import { parseItem, parsePerson, parseText } from '../arguments.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { KEY_OPTION_HELP } from '../approval-signing.js';
import { runMessageCommand } from '../message-command.js';

export function completeCommand(): Command {
  return new Command('complete')
    .description("mark a launch checklist item done, with evidence; only the item's owning team may")
    .argument('<id>', 'workflow id of the cutover')
    .argument('<item>', 'checklist item id, such as secrets-in-vault (`cutover checklist ID` lists them)')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .requiredOption('--evidence <text>', 'what shows it is done: a sentence, a ticket or a link')
    .option('--key <file>', KEY_OPTION_HELP)
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText(
      'after',
      examples(
        'cutover complete cutover-acme-prepaid-uk-202612010900 secrets-in-vault --as erin --evidence "vault path kv/payca/prod, SEC-412"',
        'cutover complete cutover-acme-prepaid-uk-202612010900 tier1-error-codes --as carlos --evidence https://wiki.example/cx/payca-training',
      ),
    )
    .action(async (id: string, item: string, options: { as: string; evidence: string; signal?: boolean; key?: string }) => {
      await runMessageCommand(
        id,
        {
          kind: 'complete-item',
          args: { item: parseItem(item), by: parsePerson(options.as), evidence: parseText(options.evidence, '--evidence') },
        },
        options,
      );
    });
}
