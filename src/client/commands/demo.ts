/** `cutover demo` (also `npm run demo`): the example cutover end to end on the local stack, approvals scripted. */
import { Command } from 'commander';
import { join } from 'node:path';
import { DEMO_TIME_SCALE } from '../../dev/demo-settings.js';
import { CutoverError } from '../../errors.js';
import { PROJECT_ROOT } from '../../temporal/binaries.js';
import { parseTimeScale } from '../arguments.js';
import { examples } from '../help.js';
import { listenForInterrupt } from '../interrupt.js';
import { say, warn } from '../output.js';
import { addStackFlags, stackOptionsFrom, type StackFlags } from '../stack-options.js';
import { workflowUiLink } from '../ui-link.js';

async function loadDemoModules() {
  const [stack, demo, summary, status, read, counters] = await Promise.all([
    import('../../dev/stack.js'),
    import('../../dev/demo.js'),
    import('../stack-summary.js'),
    import('../format/status.js'),
    import('../read-status.js'),
    import('../../dev/simulator-counters.js'),
  ]);
  return {
    startDevStack: stack.startDevStack,
    runDemo: demo.runDemo,
    stackSummary: summary.stackSummary,
    renderStatus: status.renderStatus,
    readCutover: read.readCutover,
    describeCounters: counters.describeCounters,
    readSimulatorCounters: counters.readSimulatorCounters,
  };
}

interface DemoFlags extends StackFlags {
  exit?: boolean;
  timeScale: string;
  plan: string;
}

export function demoCommand(): Command {
  return addStackFlags(
    new Command('demo').description(
      'run the example cutover from T-24h to the debrief in about two minutes on the local stack, answering the approvals in plain sight',
    ),
  )
    .option('--exit', 'exit when the cutover ends (0 if it completed, 1 otherwise) instead of staying up until Ctrl-C')
    .option('--time-scale <n>', 'plan clock speed; 750 runs T-24h to T+2h in about two minutes', String(DEMO_TIME_SCALE))
    .option('--plan <file>', 'plan to run', join(PROJECT_ROOT, 'plans', 'example.yaml'))
    .addHelpText('after', examples('cutover demo', 'npm run demo', 'cutover demo --exit --time-scale 5000 --data-dir /tmp/demo-data'))
    .action(async (options: DemoFlags) => {
      const timeScale = parseTimeScale(options.timeScale);
      const stackOptions = stackOptionsFrom(options);
      const { startDevStack, runDemo, stackSummary, renderStatus, readCutover, describeCounters, readSimulatorCounters } =
        await loadDemoModules();
      const interrupt = listenForInterrupt(() => warn('stopping the demo…'));
      try {
        const stack = await startDevStack({
          ...stackOptions,
          worker: true,
          resetSandboxSchedule: true,
          log: (line) => say(line),
          notifyWrite: (line) => say(`      ${line}`),
        });
        try {
          say('');
          for (const line of stackSummary(stack, { warnAboutExamplePlan: false })) say(line);
          say('');
          if (interrupt.signal.aborted) return;
          const result = await runDemo({ stack, planFile: options.plan, timeScale, signal: interrupt.signal, say });
          const uiLink = workflowUiLink(stack.temporal.namespace, result.workflowId, stack.temporal.uiUrl);
          if (result.stoppedEarly === 'interrupted') {
            // A half-run demo cutover would resume (and escalate) on the next start over the same data dir.
            await stack.client.workflow.getHandle(result.workflowId).terminate('demo interrupted with Ctrl-C');
            say(`interrupted: terminated ${result.workflowId}; its history stays in ${options.dataDir} for \`cutover dev\` and the Web UI`);
            return;
          }
          say('');
          say(renderStatus(await readCutover(stack.client, result.workflowId)));
          say('');
          for (const [label, sim] of [['production simulator', stack.production], ['sandbox simulator', stack.sandbox]] as const) {
            say(describeCounters(label, await readSimulatorCounters(sim.url)));
          }
          say(`webhook receiver: ${stack.receiver.events.length} event(s) received`);
          say('');
          say(`Temporal UI: ${uiLink}`);
          if (!result.completed) {
            throw new CutoverError(
              'CUTOVER_NOT_COMPLETED',
              `the demo cutover did not complete: ${result.stoppedEarly ?? `it ended ${result.status.phase}`}; see the status above and ${uiLink}`,
            );
          }
          say(`the cutover completed${options.exit ? '' : '; the stack stays up for the UI until Ctrl-C'}`);
          if (!options.exit) await interrupt.received;
        } finally {
          await stack.close();
        }
      } finally {
        interrupt.dispose();
      }
    });
}
