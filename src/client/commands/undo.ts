/** `cutover undo ID --as WHO`: undo what a cutover ended from outside (terminated, reset) still owed. */
import { Command } from 'commander';
import { parsePerson, parseWorkflowId } from '../arguments.js';
import { describeCompensation } from '../format/status.js';
import { examples } from '../help.js';
import { say } from '../output.js';
import { CutoverError } from '../../errors.js';

export function undoCommand(): Command {
  return new Command('undo')
    .description('undo what a terminated or reset cutover still owed (the compensations its history says it owes), once')
    .argument('<id>', 'workflow id of the cutover')
    .requiredOption('--as <who>', 'your person id, for the record')
    .addHelpText('after', examples('cutover undo cutover-acme-prepaid-uk-202612010900 --as erin'))
    .action(async (id: string, options: { as: string }) => {
      const workflowId = parseWorkflowId(id);
      const by = parsePerson(options.as);
      const [{ withTemporal }, { undoCutover }] = await Promise.all([import('../temporal-session.js'), import('../undo-cutover.js')]);
      await withTemporal(async (client) => {
        const { workflowId: undoId, existing, status, endedWatch } = await undoCutover(client, workflowId, by);
        if (endedWatch) say(`ended the post-launch watch ${endedWatch}, which the cutover's last run left running`);
        say(`${existing ? 'already undoing' : 'undoing'} ${workflowId} as ${undoId}, owed by ${status.source}:`);
        for (const record of status.compensations) say(`  ${describeCompensation(record)}`);
        const held = status.compensations.find((c) => c.status === 'held');
        if (held) {
          throw new CutoverError(
            'COMPENSATION_HELD',
            `${held.step} holds for Engineering: ${held.reason ?? ''}. Retry it with \`cutover compensation retry ${undoId} ${held.step} --as NAME\`, ` +
              `or once done by hand: \`cutover compensation done ${undoId} ${held.step} --evidence TEXT --as NAME\``,
            { workflowId: undoId, step: held.step },
          );
        }
        say(`${workflowId} is undone.`);
      }, workflowId);
    });
}
