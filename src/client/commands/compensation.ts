/**
 * `cutover compensation retry|done ID STEP`: Engineering's two answers to a roll-back step that failed past
 * its retry budget and holds. ID is the cutover's, or its undo's (`ID.undo`) for a `cutover undo`.
 */
import { Command } from 'commander';
import { parsePerson, parseText } from '../arguments.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { runMessageCommand } from '../message-command.js';
import { UsageError } from '../../errors.js';
import { COMPENSATION_STEPS } from '../../workflows/cutover-state.js';

const ID = 'cutover-acme-prepaid-uk-202612010900';

function parseStep(value: string): string {
  if (!(COMPENSATION_STEPS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown compensation step "${value}"; steps are ${COMPENSATION_STEPS.join(', ')}`);
  }
  return value;
}

function retryCompensationCommand(): Command {
  return new Command('retry')
    .description('try a held roll-back step again, after fixing what made it fail (Engineering or the lead)')
    .argument('<id>', 'workflow id of the cutover (or of its undo, ID.undo)')
    .argument('<step>', `the held step: ${COMPENSATION_STEPS.join(', ')}`)
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText('after', examples(`cutover compensation retry ${ID} restore-sandbox-jobs --as erin`))
    .action(async (id: string, step: string, options: { as: string; signal?: boolean }) => {
      await runMessageCommand(id, { kind: 'retry-compensation', args: { step: parseStep(step), by: parsePerson(options.as) } }, options);
    });
}

function compensationDoneCommand(): Command {
  return new Command('done')
    .description('record a held roll-back step as done by hand, with evidence (Engineering or the lead)')
    .argument('<id>', 'workflow id of the cutover (or of its undo, ID.undo)')
    .argument('<step>', `the held step: ${COMPENSATION_STEPS.join(', ')}`)
    .requiredOption('--evidence <text>', 'what was done by hand and where it shows: a ticket, a log, a link')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .option('--signal', SIGNAL_OPTION_HELP)
    .addHelpText(
      'after',
      examples(`cutover compensation done ${ID} restore-sandbox-jobs --evidence "re-enabled card-generator by hand, OPS-981" --as erin`),
    )
    .action(async (id: string, step: string, options: { evidence: string; as: string; signal?: boolean }) => {
      await runMessageCommand(
        id,
        {
          kind: 'compensation-done',
          args: { step: parseStep(step), by: parsePerson(options.as), evidence: parseText(options.evidence, '--evidence') },
        },
        options,
      );
    });
}

export function compensationCommand(): Command {
  return new Command('compensation')
    .description('answer a roll-back step that holds for Engineering: retry it, or record it done by hand')
    .addHelpText(
      'after',
      examples(
        `cutover compensation retry ${ID} restore-sandbox-jobs --as erin`,
        `cutover compensation done ${ID} close-seeded-cards --evidence "closed in the PayCA console, OPS-982" --as erin`,
      ),
    )
    .addCommand(retryCompensationCommand())
    .addCommand(compensationDoneCommand());
}
