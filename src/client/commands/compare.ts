/** `cutover compare REHEARSAL LIVE`: per stage the estimate, the rehearsal's and the live duration, and the variance. */
import { Command } from 'commander';
import { parseWorkflowId } from '../arguments.js';
import { renderComparison } from '../format/rehearsal-comparison.js';
import { examples } from '../help.js';
import { printJson, say } from '../output.js';

export function compareCommand(): Command {
  return new Command('compare')
    .description('compare a live cutover with its rehearsal: per stage the estimate, both durations and the variance')
    .argument('<rehearsal>', 'workflow id of the rehearsal')
    .argument('<live>', 'workflow id of the live cutover')
    .option(
      '--json',
      'print the comparison as JSON: {rehearsal, live, liveNamesRehearsal, rows: [{id, estimateMs, rehearsalMs, liveMs, varianceMs, …}], total}',
    )
    .addHelpText(
      'after',
      examples(
        'cutover compare rehearsal-1 cutover-acme-prepaid-uk-202612010900',
        'cutover compare rehearsal-1 cutover-acme-prepaid-uk-202612010900 --json',
      ),
    )
    .action(async (rehearsalArg: string, liveArg: string, options: { json?: boolean }) => {
      const rehearsalId = parseWorkflowId(rehearsalArg, 'rehearsal');
      const liveId = parseWorkflowId(liveArg, 'live');
      const [{ withTemporal }, { readStatus }, { compareWithRehearsal }] = await Promise.all([
        import('../temporal-session.js'),
        import('../../operations/read-status.js'),
        import('../../operations/rehearsal-comparison.js'),
      ]);
      const [rehearsal, live] = await withTemporal(
        async (client) => [await readStatus(client, rehearsalId), await readStatus(client, liveId)] as const,
      );
      const comparison = compareWithRehearsal(rehearsal, live);
      if (options.json) printJson(comparison);
      else say(renderComparison(comparison));
    });
}
