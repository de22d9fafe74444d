/** `cutover start FILE`: validates the plan and starts its cutover workflow. */
import { Command } from 'commander';
import { formatDuration } from '../../plan/duration.js';
import { CutoverError } from '../../errors.js';
import { starterStaffingProblems } from '../../plan/gate-staffing.js';
import { loadPlanFile } from '../../plan/load.js';
import { withRehearsal } from '../../plan/notice-channels.js';
import { parseNonNegativeSeconds, parsePerson, parseTimeScale, parseWorkflowId } from '../arguments.js';
import { resolveGoLive } from '../go-live.js';
import { examples } from '../help.js';
import { say, warn } from '../output.js';
import { workflowUiLink } from '../ui-link.js';
import { defaultWorkflowId } from '../../operations/workflow-id.js';
import type { TargetCheckAnswer } from '../../operations/target-check.js';
import type { PlanTargetRefusal } from '../../activities/index.js';
import { CUTOVER_TASK_QUEUE, PAYCA_TASK_QUEUE } from '../../workflows/messages.js';

interface StartOptions {
  id?: string;
  goLive?: string;
  timeScale: string;
  as?: string;
  goLivePassed?: boolean;
  newRun?: boolean;
  targetCheckWait: string;
  rehearsalOf?: string;
  rehearsal?: string | true;
}

export function startCommand(): Command {
  return new Command('start')
    .description('start the cutover workflow for a plan')
    .argument('<file>', 'YAML plan file')
    .option('--id <id>', 'workflow id (default: cutover-<programme>-<yyyymmddHHMM of go-live, UTC>)')
    .option('--go-live <time>', "go-live time T: ISO 8601 with zone, or +DURATION from now (overrides the plan's goLive)")
    .option('--time-scale <n>', 'run the plan clock n times faster than real time (rehearsals and demos)', '1')
    .option('--as <who>', 'who starts it, for the record (default: $USER)')
    .option(
      '--go-live-passed',
      'start although go-live is already past: every due stage runs at once, production card and top-up included (recorded)',
    )
    .option(
      '--rehearsal [channel]',
      'a rehearsal: every notice goes to this channel of the plan, or without one is only written to the worker log',
    )
    .option('--new-run', 'start a new run under an id whose earlier run has ended (its record stays in the history)')
    .option(
      '--rehearsal-of <id>',
      "the workflow id of the rehearsal this cutover follows (overrides the plan's rehearsalOf): the launch report compares the two",
    )
    .option(
      '--target-check-wait <seconds>',
      "how long to wait for a worker to check it allows the plan's PayCA and webhook targets (0: do not wait)",
      '30',
    )
    .addHelpText(
      'after',
      examples(
        'cutover start plans/example.yaml',
        'cutover start plans/example.yaml --go-live 2027-03-01T09:00:00Z --as lara',
        'cutover start plans/example.yaml --go-live +25h --time-scale 750 --id rehearsal-1 --rehearsal',
        'cutover start plans/example.yaml --go-live +25h --id rehearsal-1 --new-run   # rehearsal-1 ran before',
        'cutover start plans/example.yaml --go-live 2027-03-01T09:00:00Z --rehearsal-of rehearsal-1',
      ),
    )
    .action(async (file: string, options: StartOptions) => {
      const timeScale = parseTimeScale(options.timeScale);
      const targetCheckWaitMs = parseNonNegativeSeconds(options.targetCheckWait, '--target-check-wait') * 1000;
      const startedBy = parsePerson(options.as ?? process.env.USER ?? 'unknown');
      const loaded = await loadPlanFile(file);
      const following =
        options.rehearsalOf === undefined ? loaded : { ...loaded, rehearsalOf: parseWorkflowId(options.rehearsalOf, '--rehearsal-of') };
      const plan = options.rehearsal === undefined ? following : withRehearsal(following, options.rehearsal);
      if (typeof plan === 'string') throw new CutoverError('PLAN_INVALID', plan);
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
      const [{ withTemporal }, { startCutover }, { awaitTargetCheck }, { cutoverKnown }] = await Promise.all([
        import('../temporal-session.js'),
        import('../../operations/cutover-workflow.js'),
        import('../../operations/target-check.js'),
        import('../rehearsal.js'),
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
        const checked = await awaitTargetCheck(client, workflowId, targetCheckWaitMs);
        if (checked.state === 'refused') throw targetsRefused(workflowId, checked.refusals ?? []);
        say(
          `started cutover ${workflowId} for ${plan.programme}, go-live ${goLive.toISOString()}${timeScale === 1 ? '' : `, time scale ${timeScale}`}`,
        );
        say(`  status: cutover status ${workflowId}`);
        say(`  web UI: ${workflowUiLink(target.namespace, workflowId)}`);
        const untold = targetCheckUntold(checked);
        if (untold) warn(untold);
        if (plan.rehearsalOf !== undefined) {
          if (await cutoverKnown(client, plan.rehearsalOf))
            say(`  follows rehearsal ${plan.rehearsalOf}: cutover compare ${plan.rehearsalOf} ${workflowId}`);
          else
            warn(
              `note: no cutover ${plan.rehearsalOf} is known here, so the launch report cannot compare with it; check the rehearsal's id`,
            );
        }
      }, workflowId);
    });
}

function targetsRefused(workflowId: string, refusals: PlanTargetRefusal[]): CutoverError {
  return new CutoverError(
    refusals[0]?.code ?? 'PAYCA_TARGET_NOT_ALLOWED',
    `the worker refused the plan's targets, so cutover ${workflowId} ended at its start before any call:\n` +
      refusals.map((refusal) => `  - ${refusal.code}: ${refusal.message}`).join('\n') +
      "\nCorrect the plan (or the worker's settings) and start again with --new-run; the refused run stays on record",
    { workflowId },
  );
}

/** A note when no worker answered for the plan's targets yet: the first PayCA call still checks. */
function targetCheckUntold(checked: TargetCheckAnswer): string | undefined {
  const later =
    "a worker checks the plan's PayCA and webhook targets before any call, and the cutover ends at once if it refuses them (see `cutover status`)";
  switch (checked.state) {
    case 'passed':
    case 'refused':
    case 'checking':
      return undefined;
    case 'not-waited':
      return `note: not waiting for the worker's check (--target-check-wait 0); ${later}`;
    case 'no-worker':
      return `note: no worker polls the ${PAYCA_TASK_QUEUE} or ${CUTOVER_TASK_QUEUE} task queue now; ${later}`;
    case 'timed-out':
      return `note: no worker answered within ${checked.waitedMs / 1000} s; ${later}`;
    case 'unchecked':
      return `note: the worker could not check the plan's targets (${checked.why ?? 'no answer'}); each PayCA call still checks before it leaves`;
  }
}
