/** `cutover start FILE`: validates the plan and starts its cutover workflow. */
import { Command } from 'commander';
import { formatDuration } from '../../plan/duration.js';
import { CutoverError } from '../../errors.js';
import { starterStaffingProblems } from '../../plan/gate-staffing.js';
import { loadPlanFile } from '../../plan/load.js';
import { parsePerson, parseTimeScale, parseWorkflowId } from '../arguments.js';
import { resolveGoLive } from '../go-live.js';
import { examples } from '../help.js';
import { say, warn } from '../output.js';
import { workflowUiLink } from '../ui-link.js';
import { defaultWorkflowId } from '../../operations/workflow-id.js';

interface StartOptions {
  id?: string;
  goLive?: string;
  timeScale: string;
  as?: string;
  goLivePassed?: boolean;
  newRun?: boolean;
}

export function startCommand(): Command {
  return new Command('start')
    .description('start the cutover workflow for a plan')
    .argument('<file>', 'YAML plan file')
    .option('--id <id>', 'workflow id (default: cutover-<programme>-<yyyymmddHHMM of go-live, UTC>)')
    .option('--go-live <time>', "go-live time T: ISO 8601 with zone, or +DURATION from now (overrides the plan's goLive)")
    .option('--time-scale <n>', 'run the plan clock n times faster than real time (rehearsals and demos)', '1')
    .option('--as <who>', 'who starts it, for the record (default: $USER)')
    .option('--go-live-passed', 'start although go-live is already past: every due stage runs at once, production card and top-up included (recorded)')
    .option('--new-run', 'start a new run under an id whose earlier run has ended (its record stays in the history)')
    .addHelpText(
      'after',
      examples(
        'cutover start plans/example.yaml',
        'cutover start plans/example.yaml --go-live 2027-03-01T09:00:00Z --as lara',
        'cutover start plans/example.yaml --go-live +25h --time-scale 750 --id rehearsal-1',
        'cutover start plans/example.yaml --go-live +25h --id rehearsal-1 --new-run   # rehearsal-1 ran before',
      ),
    )
    .action(async (file: string, options: StartOptions) => {
      const timeScale = parseTimeScale(options.timeScale);
      const startedBy = parsePerson(options.as ?? process.env.USER ?? 'unknown');
      const plan = await loadPlanFile(file);
      const unanswerable = starterStaffingProblems(plan, startedBy);
      if (unanswerable.length) {
        throw new CutoverError(
          'PLAN_INVALID',
          `${file} keeps the person who started the cutover from approving (separationOfDuties.starterMayApprove: false), so ${startedBy} cannot start it:\n${unanswerable.map((p) => `  - stages.${p.stage}.gate: ${p.message}`).join('\n')}`,
        );
      }
      const now = new Date();
      const goLive = resolveGoLive(plan, options.goLive, now);
      const workflowId = options.id !== undefined ? parseWorkflowId(options.id, '--id') : defaultWorkflowId(plan.programme, goLive);
      if (goLive.getTime() < now.getTime()) {
        const past = `go-live ${goLive.toISOString()} is ${formatDuration(now.getTime() - goLive.getTime())} in the past`;
        if (!options.goLivePassed) {
          throw new CutoverError(
            'GO_LIVE_PASSED',
            `${past}: starting now would run every stage that is due at once, the production test card and top-up included. ` +
              'Pass --go-live with a later time (for example --go-live +25h), or --go-live-passed to start anyway',
            { goLive: goLive.toISOString() },
          );
        }
        warn(`warning: ${past}; stages that are due already run at once (--go-live-passed, recorded as confirmed by ${startedBy})`);
      }
      const [{ withTemporal }, { startCutover }] = await Promise.all([
        import('../temporal-session.js'),
        import('../../operations/cutover-workflow.js'),
      ]);
      await withTemporal(async (client, target) => {
        await startCutover(client, {
          plan,
          planFile: file,
          goLive,
          timeScale,
          startedBy,
          workflowId,
          newRun: options.newRun,
          goLivePassedConfirmedBy: goLive.getTime() < now.getTime() ? startedBy : undefined,
        });
        say(`started cutover ${workflowId} for ${plan.programme}, go-live ${goLive.toISOString()}${timeScale === 1 ? '' : `, time scale ${timeScale}`}`);
        say(`  status: cutover status ${workflowId}`);
        say(`  web UI: ${workflowUiLink(target.namespace, workflowId)}`);
      }, workflowId);
    });
}
