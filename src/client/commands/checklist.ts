/** `cutover checklist ID`: the launch checklist by runbook section, and what still blocks go/no-go. */
import { Command } from 'commander';
import { parseWorkflowId } from '../arguments.js';
import { checklistOf, isClosed, renderChecklist } from '../format/checklist.js';
import { examples } from '../help.js';
import { printJson, say } from '../output.js';

export function checklistCommand(): Command {
  return new Command('checklist')
    .description('show the launch checklist: each readiness item with its owner, status, evidence and problems')
    .argument('<id>', 'workflow id of the cutover')
    .option('--json', 'print the checklist items as a JSON array')
    .option('--open', 'only items neither done nor waived')
    .addHelpText(
      'after',
      examples(
        'cutover checklist cutover-acme-prepaid-uk-202612010900',
        'cutover checklist cutover-acme-prepaid-uk-202612010900 --open',
        'cutover checklist cutover-acme-prepaid-uk-202612010900 --json',
      ),
    )
    .action(async (id: string, options: { json?: boolean; open?: boolean }) => {
      const workflowId = parseWorkflowId(id);
      const [{ withTemporal }, { readStatus }] = await Promise.all([
        import('../temporal-session.js'),
        import('../../operations/read-status.js'),
      ]);
      await withTemporal(async (client) => {
        const status = await readStatus(client, workflowId);
        if (options.json) {
          const items = checklistOf(status);
          printJson(options.open ? items.filter((item) => !isClosed(item)) : items);
        } else {
          say(renderChecklist(status, { openOnly: options.open }));
        }
      }, workflowId);
    });
}
