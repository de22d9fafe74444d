/** `cutover waive ID ITEM --as WHO --reason TEXT`: a checklist item will not be done, and why. */
import { Command } from 'commander';
import { parseItem, parsePerson, parseText } from '../arguments.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { KEY_OPTION_HELP } from '../approval-signing.js';
import { runMessageCommand } from '../message-command.js';

export function waiveCommand(): Command {
  return new Command('waive')
    .description('waive a launch checklist item so it no longer blocks go/no-go; the reason is kept in the record')
    .argument('<id>', 'workflow id of the cutover')
    .argument('<item>', 'checklist item id, such as mutual-tls (`cutover checklist ID` lists them)')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .requiredOption('--reason <text>', 'why it does not apply or can wait, for the record')
    .option('--key <file>', KEY_OPTION_HELP)
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText(
      'after',
      examples(
        'cutover waive cutover-acme-prepaid-uk-202612010900 pci-segmentation --as lara --reason "PAN retrieval is not enabled"',
        'cutover waive cutover-acme-prepaid-uk-202612010900 rotate-sandbox-keys --as erin --reason "rotated with the next sprint, SEC-419" --signal',
      ),
    )
    .action(async (id: string, item: string, options: { as: string; reason: string; signal?: boolean; key?: string }) => {
      await runMessageCommand(
        id,
        {
          kind: 'waive-item',
          args: { item: parseItem(item), by: parsePerson(options.as), reason: parseText(options.reason, '--reason') },
        },
        options,
      );
    });
}
