/** `cutover retry-item ID ITEM --as WHO`: run a failed automated readiness check again. */
import { Command } from 'commander';
import { parseItem, parsePerson } from '../arguments.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { KEY_OPTION_HELP } from '../approval-signing.js';
import { runMessageCommand } from '../message-command.js';

export function retryItemCommand(): Command {
  return new Command('retry-item')
    .description("run a launch checklist item's automated check again, once what it found is fixed")
    .argument('<id>', 'workflow id of the cutover')
    .argument('<item>', 'checklist item id of an automated check, such as prefund-master-accounts')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .option('--key <file>', KEY_OPTION_HELP)
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText(
      'after',
      examples(
        'cutover retry-item cutover-acme-prepaid-uk-202612010900 prefund-master-accounts --as tomas',
        'cutover retry-item cutover-acme-prepaid-uk-202612010900 webhook-endpoint-tls --as erin --signal',
      ),
    )
    .action(async (id: string, item: string, options: { as: string; signal?: boolean; key?: string }) => {
      await runMessageCommand(id, { kind: 'retry-item', args: { item: parseItem(item), by: parsePerson(options.as) } }, options);
    });
}
