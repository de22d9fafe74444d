/** `cutover dev`: the whole local stack in the foreground until Ctrl-C. */
import { Command } from 'commander';
import { examples } from '../help.js';
import { listenForInterrupt } from '../interrupt.js';
import { say, warn } from '../output.js';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../temporal/binaries.js';
import { addStackFlags, roomOptionsFrom, stackOptionsFrom, type StackFlags } from '../stack-options.js';

export function devCommand(): Command {
  return addStackFlags(
    new Command('dev').description(
      'run the local stack: Temporal dev server, PayCA simulators, webhook receiver and a worker, until Ctrl-C',
    ),
  )
    .option('--no-worker', 'do not run a worker in this process (run `cutover worker` yourself)')
    .option(
      '--room-plan <file>',
      "the plan whose people the room's development identity provider signs in",
      join(PROJECT_ROOT, 'plans', 'example.yaml'),
    )
    .addHelpText(
      'after',
      examples('cutover dev', 'cutover dev --no-worker --data-dir /tmp/cutover-data', 'cutover dev --temporal-port 7300 --ui-port 8300'),
    )
    .action(async (options: StackFlags & { worker: boolean; roomPlan: string }) => {
      const stackOptions = stackOptionsFrom(options);
      const [{ startDevStack }, { stackSummary }, { loadPlanFile }, { renderLaunchReportMarkdown }] = await Promise.all([
        import('../../dev/stack.js'),
        import('../stack-summary.js'),
        import('../../plan/load.js'),
        import('../format/launch-report.js'),
      ]);
      const room = options.room ? roomOptionsFrom(options, await loadPlanFile(options.roomPlan), renderLaunchReportMarkdown) : undefined;
      const interrupt = listenForInterrupt(() => warn('stopping the local stack…'));
      try {
        const stack = await startDevStack({
          ...stackOptions,
          room,
          worker: options.worker,
          log: (line) => say(line),
          notifyWrite: (line) => say(line),
        });
        try {
          say('');
          for (const line of stackSummary(stack)) say(line);
          say('');
          say('ready: `cutover start plans/example.yaml --go-live +25h --time-scale 750` in another terminal; Ctrl-C stops everything.');
          await interrupt.received;
        } finally {
          await stack.close();
        }
        say('local stack stopped');
      } finally {
        interrupt.dispose();
      }
    });
}
