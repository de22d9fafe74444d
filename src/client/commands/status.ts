/** `cutover status ID`: where a cutover stands, for people or (`--json`) for scripts. */
import { Command } from 'commander';
import { parseWorkflowId } from '../arguments.js';
import { renderStatus } from '../format/status.js';
import { examples } from '../help.js';
import { printJson, say } from '../output.js';

export function statusCommand(): Command {
  return new Command('status')
    .description('show the stages, approvals, refusals and escalations of a cutover (running or finished)')
    .argument('<id>', 'workflow id of the cutover')
    .option('--json', 'print the CutoverStatus object as JSON')
    .addHelpText(
      'after',
      examples('cutover status cutover-acme-prepaid-uk-202612010900', 'cutover status cutover-acme-prepaid-uk-202612010900 --json'),
    )
    .action(async (id: string, options: { json?: boolean }) => {
      const workflowId = parseWorkflowId(id);
      const [{ withTemporal }, { readCutover }] = await Promise.all([
        import('../temporal-session.js'),
        import('../../operations/read-status.js'),
      ]);
      await withTemporal(async (client) => {
        const reading = await readCutover(client, workflowId);
        if (options.json) printJson(reading.status);
        else say(renderStatus(reading));
      }, workflowId);
    });
}
