/** `cutover incident ID --severity sev1|sev2|sev3 --summary TEXT --as WHO`: add to the incident log. */
import { Command } from 'commander';
import { parsePerson, parseSeverity, parseText } from '../arguments.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { runMessageCommand } from '../message-command.js';

export function incidentCommand(): Command {
  return new Command('incident')
    .description("add an entry to the cutover's incident log; it appears in status and in the launch report")
    .argument('<id>', 'workflow id of the cutover')
    .requiredOption('--severity <level>', 'sev1, sev2 or sev3')
    .requiredOption('--summary <text>', 'what happened, in a sentence')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText(
      'after',
      examples(
        'cutover incident cutover-acme-prepaid-uk-202612010900 --severity sev2 --summary "declines at one merchant, PayCA ticket 4471" --as carlos',
      ),
    )
    .action(async (id: string, options: { severity: string; summary: string; as: string; signal?: boolean }) => {
      await runMessageCommand(
        id,
        {
          kind: 'report-incident',
          args: {
            by: parsePerson(options.as),
            severity: parseSeverity(options.severity),
            summary: parseText(options.summary, '--summary'),
          },
        },
        options,
      );
    });
}
