/**
 * `cutover plan calibrate PLAN --from ID`: each stage's and plan task's measured duration in a finished cutover written
 * into the plan as its estimate, comments and order kept; to stdout, a new file, or the plan itself.
 */
import { Command } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { CutoverError, UsageError } from '../../errors.js';
import { calibratePlanText, estimateText, type MeasuredEstimate, type MeasuredTaskEstimate } from '../../plan/calibrate.js';
import { loadPlanFile } from '../../plan/load.js';
import { isStageId } from '../../runbook/stages.js';
import { parseText, parseWorkflowId } from '../arguments.js';
import { examples } from '../help.js';
import { say, warn } from '../output.js';
import { terminalSafe } from '../terminal-text.js';

interface CalibrateOptions {
  from: string;
  out?: string;
  write?: boolean;
}

export function calibrateCommand(): Command {
  return new Command('calibrate')
    .description(
      "write each stage's duration in a finished cutover (a rehearsal) into the plan as its estimate, keeping comments and order",
    )
    .argument('<file>', 'YAML plan file')
    .requiredOption('--from <id>', 'workflow id of the finished cutover to measure')
    .option('--out <file>', 'write the calibrated plan to this new file')
    .option('--write', 'write the calibrated plan over <file>')
    .addHelpText(
      'after',
      examples(
        'cutover plan calibrate plans/example.yaml --from rehearsal-1 --out plans/example.calibrated.yaml',
        'cutover plan calibrate plans/example.yaml --from rehearsal-1 --write',
      ),
    )
    .action(async (file: string, options: CalibrateOptions) => {
      const workflowId = parseWorkflowId(options.from, '--from');
      if (options.write && options.out !== undefined) throw new UsageError('give --out FILE or --write, not both');
      const out = options.write ? file : options.out === undefined ? undefined : parseText(options.out, '--out');
      // The plan is checked before Temporal is asked, so a broken plan does not cost a status read.
      await loadPlanFile(file);
      const text = await readFile(file, 'utf8');
      const [{ withTemporal }, { readStatus }, { timelineEntries }] = await Promise.all([
        import('../temporal-session.js'),
        import('../../operations/read-status.js'),
        import('../../operations/timeline-entries.js'),
      ]);
      const status = await withTemporal((client) => readStatus(client, workflowId), workflowId);
      if (status.finishedAt === undefined) {
        throw new CutoverError(
          'CUTOVER_NOT_COMPLETED',
          `cutover ${workflowId} is still ${status.phase}: calibrate from a finished run, so every estimate comes from one whole run`,
          { workflowId },
        );
      }
      const entries = timelineEntries(status);
      const measured: MeasuredEstimate[] = entries.flatMap((entry) =>
        entry.kind === 'stage' && entry.durationMs !== undefined && isStageId(entry.id)
          ? [{ stage: entry.id, durationMs: entry.durationMs }]
          : [],
      );
      const measuredTasks: MeasuredTaskEstimate[] = entries.flatMap((entry) =>
        entry.kind === 'task' && entry.durationMs !== undefined ? [{ task: entry.id, durationMs: entry.durationMs }] : [],
      );
      if (measured.length === 0 && measuredTasks.length === 0)
        throw new CutoverError('CUTOVER_NOT_COMPLETED', `no stage of cutover ${workflowId} passed, so there is nothing to measure`, {
          workflowId,
        });
      const calibrated = calibratePlanText(text, file, measured, measuredTasks);
      const unmeasured = [
        ...status.stages.filter((stage) => !measured.some((m) => m.stage === stage.id)).map((stage) => stage.id),
        ...(status.tasks ?? []).filter((task) => !measuredTasks.some((m) => m.task === task.id)).map((task) => `task ${task.id}`),
      ];
      if (out === undefined) {
        process.stdout.write(terminalSafe(calibrated));
      } else {
        await writeFile(out, calibrated);
        say(
          `wrote estimates from ${workflowId} into ${out}: ${[
            ...measured.map((m) => `${m.stage} ${estimateText(m.durationMs)}`),
            ...measuredTasks.map((m) => `task ${m.task} ${estimateText(m.durationMs)}`),
          ].join(', ')}`,
        );
      }
      if (unmeasured.length)
        warn(`not measured (did not pass or finish in ${workflowId}), estimates left as they were: ${unmeasured.join(', ')}`);
    });
}
