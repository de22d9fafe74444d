/** `cutover plan validate FILE`: checks a plan without touching Temporal or PayCA. */
import { Command } from 'commander';
import { formatOffset } from '../../plan/duration.js';
import { loadPlanFile } from '../../plan/load.js';
import { examples } from '../help.js';
import { say } from '../output.js';

export function planCommand(): Command {
  const plan = new Command('plan').description('work with cutover plan files');
  plan
    .command('validate')
    .description('check a plan file and name every problem with its path')
    .argument('<file>', 'YAML plan file')
    .addHelpText('after', examples('cutover plan validate plans/example.yaml'))
    .action(async (file: string) => {
      const loaded = await loadPlanFile(file);
      const goLive = loaded.goLive ? `go-live ${loaded.goLive}` : 'no go-live yet (give it with `cutover start --go-live`)';
      say(`${file} is a valid plan: ${loaded.programme}, ${goLive}, ${loaded.stages.length} stages`);
      for (const stage of loaded.stages) {
        const gate = stage.gate.length ? `, approved by ${stage.gate.join(' + ')}` : '';
        say(`  ${formatOffset(stage.offsetMs).padEnd(6)} ${stage.id.padEnd(21)} owner ${stage.owner}${gate}`);
      }
    });
  return plan;
}
