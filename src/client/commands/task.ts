/**
 * `cutover task done|approve|retry ID TASK`: answers about one of the plan's tasks. Its owner marks a manual
 * task done with evidence or asks a held check again; a person of a role the task's gate awaits approves it.
 * Sent like every other answer: signed with `--key`, as an update (a refusal goes on record) or a signal.
 */
import { Command } from 'commander';
import { parsePerson, parseText } from '../arguments.js';
import { KEY_OPTION_HELP } from '../approval-signing.js';
import { examples, SIGNAL_OPTION_HELP } from '../help.js';
import { runMessageCommand, type MessageCommandOptions } from '../message-command.js';
import { UsageError } from '../../errors.js';
import type { TaskAnswerArgs } from '../../workflows/messages.js';

const ID = 'cutover-acme-prepaid-uk-202612010900';

function parseTask(value: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(value))
    throw new UsageError(
      `task ${JSON.stringify(value)} is not a task id: lower-case words joined by dashes, as the plan's tasks section names it`,
    );
  return value;
}

function sendTaskAnswer(id: string, args: TaskAnswerArgs, options: MessageCommandOptions): Promise<void> {
  return runMessageCommand(id, { kind: 'task-answer', args }, options);
}

/** The options every task answer takes besides its own. */
function answerOptions(command: Command): Command {
  return command.option('--key <file>', KEY_OPTION_HELP).option('--signal', SIGNAL_OPTION_HELP);
}

function doneCommand(): Command {
  return answerOptions(new Command('done'))
    .description("mark a running manual task done, with evidence; only the task's owning role may")
    .argument('<id>', 'workflow id of the cutover')
    .argument('<task>', 'task id from the plan (`cutover status ID` lists them)')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .requiredOption('--evidence <text>', 'what shows it is done: a sentence, a ticket or a link')
    .addHelpText('after', examples(`cutover task done ${ID} freeze-onboarding --as erin --evidence "onboarding paused, CHG-311"`))
    .action(async (id: string, task: string, options: { as: string; evidence: string } & MessageCommandOptions) => {
      await sendTaskAnswer(
        id,
        { task: parseTask(task), action: 'done', by: parsePerson(options.as), evidence: parseText(options.evidence, '--evidence') },
        options,
      );
    });
}

function approveCommand(): Command {
  return answerOptions(new Command('approve'))
    .description('approve a task that holds at its gate, or accept a held check as it is (the owner)')
    .argument('<id>', 'workflow id of the cutover')
    .argument('<task>', 'task id from the plan')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .option('--note <text>', 'a note kept with the approval')
    .addHelpText('after', examples(`cutover task approve ${ID} change-approval --as cole --note "CAB minutes 12"`))
    .action(async (id: string, task: string, options: { as: string; note?: string } & MessageCommandOptions) => {
      await sendTaskAnswer(
        id,
        {
          task: parseTask(task),
          action: 'approve',
          by: parsePerson(options.as),
          ...(options.note !== undefined && { note: parseText(options.note, '--note') }),
        },
        options,
      );
    });
}

function retryCommand(): Command {
  return answerOptions(new Command('retry'))
    .description('ask a held http-check again, after fixing what made it fail (its owner)')
    .argument('<id>', 'workflow id of the cutover')
    .argument('<task>', 'task id from the plan')
    .requiredOption('--as <who>', 'your person id as listed in the plan')
    .addHelpText('after', examples(`cutover task retry ${ID} settlement-probe --as erin`))
    .action(async (id: string, task: string, options: { as: string } & MessageCommandOptions) => {
      await sendTaskAnswer(id, { task: parseTask(task), action: 'retry', by: parsePerson(options.as) }, options);
    });
}

export function taskCommand(): Command {
  return new Command('task')
    .description("answer about one of the plan's tasks: done with evidence, approve at its gate, retry a held check")
    .addHelpText(
      'after',
      examples(
        `cutover task done ${ID} freeze-onboarding --as erin --evidence CHG-311`,
        `cutover task approve ${ID} change-approval --as cole`,
      ),
    )
    .addCommand(doneCommand())
    .addCommand(approveCommand())
    .addCommand(retryCommand());
}
