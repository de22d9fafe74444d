/** `cutover plan validate FILE`: checks a plan without touching Temporal or PayCA. */
import { Command } from 'commander';
import { CutoverError, PlanInvalidError } from '../../errors.js';
import { formatOffset } from '../../plan/duration.js';
import { loadPlanFile } from '../../plan/load.js';
import type { CutoverPlan } from '../../plan/schema.js';
import { examples } from '../help.js';
import { printJson, say } from '../output.js';
import { calibrateCommand } from './plan-calibrate.js';

/** What `--json` prints for a plan that could not be loaded; the error still reaches the CLI's exit-code mapping. */
function invalidPlanJson(file: string, err: unknown): object | undefined {
  if (err instanceof PlanInvalidError) return { file, valid: false, problems: err.problems };
  if (err instanceof CutoverError) return { file, valid: false, problems: [{ code: err.code, path: '', message: err.message }] };
  return undefined;
}

function validPlanJson(file: string, plan: CutoverPlan): object {
  return {
    file,
    valid: true,
    programme: plan.programme,
    goLive: plan.goLive ?? null,
    stages: plan.stages.map((stage) => ({ id: stage.id, offset: formatOffset(stage.offsetMs), owner: stage.owner, gate: stage.gate })),
  };
}

export function planCommand(): Command {
  const plan = new Command('plan').description('work with cutover plan files');
  plan
    .command('validate')
    .description('check a plan file and name every problem with its path')
    .argument('<file>', 'YAML plan file')
    .option('--json', 'print the result as JSON: {valid, problems: [{code, path, message}]} or the stages of a valid plan')
    .addHelpText('after', examples('cutover plan validate plans/example.yaml', 'cutover plan validate plans/example.yaml --json'))
    .action(async (file: string, options: { json?: boolean }) => {
      let loaded: CutoverPlan;
      try {
        loaded = await loadPlanFile(file);
      } catch (err) {
        const json = options.json ? invalidPlanJson(file, err) : undefined;
        if (json) printJson(json);
        throw err;
      }
      if (options.json) {
        printJson(validPlanJson(file, loaded));
        return;
      }
      const goLive = loaded.goLive ? `go-live ${loaded.goLive}` : 'no go-live yet (give it with `cutover start --go-live`)';
      say(`${file} is a valid plan: ${loaded.programme}, ${goLive}, ${loaded.stages.length} stages`);
      for (const stage of loaded.stages) {
        const gate = stage.gate.length ? `, approved by ${stage.gate.join(' + ')}` : '';
        say(`  ${formatOffset(stage.offsetMs).padEnd(6)} ${stage.id.padEnd(21)} owner ${stage.owner}${gate}`);
      }
    });
  plan.addCommand(calibrateCommand());
  return plan;
}
