/**
 * `cutover watch end|extend ID`: the programme lead's say over the post-launch watch. Both go to the
 * cutover (not to the watch's own workflow), which checks them and forwards what it accepts to its watch.
 */
import { Command } from 'commander';
import { parseExtension, parsePerson, parseText } from '../arguments.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { runMessageCommand } from '../message-command.js';

const ID = 'cutover-acme-prepaid-uk-202612010900';

function endCommand(): Command {
  return new Command('end')
    .description('end the post-launch watch now, with a last summary (programme lead)')
    .argument('<id>', 'workflow id of the cutover')
    .requiredOption('--reason <text>', 'why the watch can end early, for the record')
    .requiredOption('--as <who>', 'your person id (the programme lead)')
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText('after', examples(`cutover watch end ${ID} --reason "48h of clean metrics reached early, agreed with PayCA" --as lara`))
    .action(async (id: string, options: { reason: string; as: string; signal?: boolean }) => {
      await runMessageCommand(
        id,
        { kind: 'end-watch', args: { by: parsePerson(options.as), reason: parseText(options.reason, '--reason') } },
        options,
      );
    });
}

function extendCommand(): Command {
  return new Command('extend')
    .description("keep the post-launch watch running longer, on the plan's clock (programme lead)")
    .argument('<id>', 'workflow id of the cutover')
    .requiredOption('--by <duration>', 'plan time to add, such as 12h, 90m or 1d')
    .requiredOption('--reason <text>', 'why the watch needs longer, for the record')
    .requiredOption('--as <who>', 'your person id (the programme lead)')
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText('after', examples(`cutover watch extend ${ID} --by 12h --reason "decline-rate alert recovered late" --as lara`))
    .action(async (id: string, options: { by: string; reason: string; as: string; signal?: boolean }) => {
      await runMessageCommand(
        id,
        {
          kind: 'extend-watch',
          args: {
            by: parsePerson(options.as),
            extendByMs: parseExtension(options.by),
            reason: parseText(options.reason, '--reason'),
          },
        },
        options,
      );
    });
}

export function watchCommand(): Command {
  return new Command('watch')
    .description('the post-launch watch after roll-forward: end it early or extend it (programme lead)')
    .addCommand(endCommand())
    .addCommand(extendCommand());
}
