/** `cutover demo` (also `npm run demo`): the example cutover end to end on the local stack, approvals scripted. */
import { Command } from 'commander';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { DEMO_TIME_SCALE } from '../../dev/demo-settings.js';
import { CutoverError } from '../../errors.js';
import { PROJECT_ROOT } from '../../temporal/binaries.js';
import { parseTimeScale } from '../arguments.js';
import { examples } from '../help.js';
import { listenForInterrupt } from '../interrupt.js';
import { say, warn } from '../output.js';
import { addStackFlags, localRoomSigningKey, roomOptionsFrom, stackOptionsFrom, type StackFlags } from '../stack-options.js';
import { workflowUiLink } from '../ui-link.js';

async function loadDemoModules() {
  const [stack, demo, summary, status, read, counters, report, progress, load] = await Promise.all([
    import('../../dev/stack.js'),
    import('../../dev/demo.js'),
    import('../stack-summary.js'),
    import('../format/status.js'),
    import('../../operations/read-status.js'),
    import('../../dev/simulator-counters.js'),
    import('../format/launch-report.js'),
    import('../../dev/progress.js'),
    import('../../plan/load.js'),
  ]);
  const document = await import('../format/launch-report/document.js');
  return {
    startDevStack: stack.startDevStack,
    runDemo: demo.runDemo,
    stackSummary: summary.stackSummary,
    renderStatus: status.renderStatus,
    readCutover: read.readCutover,
    describeCounters: counters.describeCounters,
    readSimulatorCounters: counters.readSimulatorCounters,
    renderLaunchReportMarkdown: report.renderLaunchReportMarkdown,
    renderLaunchReportJson: report.renderLaunchReportJson,
    renderLaunchReportHtml: document.renderLaunchReportHtml,
    postLaunchSummary: progress.postLaunchSummary,
    loadPlanFile: load.loadPlanFile,
  };
}

interface DemoFlags extends StackFlags {
  exit?: boolean;
  timeScale: string;
  plan: string;
  fullWatch?: boolean;
  reportDir: string;
}

/** The launch report as Markdown, JSON and HTML, side by side; returns the Markdown's path. */
async function writeLaunchReport(
  dir: string,
  workflowId: string,
  render: { markdown: () => string; json: () => string; html: () => Promise<string> },
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, `${workflowId}.launch-report`);
  await writeFile(`${base}.md`, render.markdown());
  await writeFile(`${base}.json`, render.json());
  await writeFile(`${base}.html`, await render.html());
  return `${base}.md`;
}

/** A path as short as it can be said from where the demo was started. */
function shownPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') ? fromHere : path;
}

export function demoCommand(): Command {
  return addStackFlags(
    new Command('demo').description(
      'run the example cutover on the local stack from T-24h through the debrief and a compressed post-launch watch to the T+24h fee reconciliation, ' +
        'in about four minutes, playing the people in plain sight; then write the launch report',
    ),
  )
    .option('--exit', 'exit when the cutover ends (0 if it completed, 1 otherwise) instead of staying up until Ctrl-C')
    .option(
      '--time-scale <n>',
      'plan clock speed; 1500 runs T-24h to T+2h in about a minute and T+2h to T+24h in about another',
      String(DEMO_TIME_SCALE),
    )
    .option('--plan <file>', 'plan to run', join(PROJECT_ROOT, 'plans', 'example.yaml'))
    .option(
      '--full-watch',
      'watch the whole post-launch window (to T+48h, about 1 more minute at 1500×) instead of the lead ending it early once the day-1 fees reconcile',
    )
    .option(
      '--report-dir <dir>',
      'where the launch report (Markdown, JSON and HTML) is written at the end',
      join(PROJECT_ROOT, '.artifacts'),
    )
    .addHelpText(
      'after',
      examples(
        'cutover demo',
        'npm run demo',
        'cutover demo --exit --full-watch',
        'cutover demo --exit --time-scale 5000 --data-dir /tmp/demo-data',
      ),
    )
    .action(async (options: DemoFlags) => {
      const timeScale = parseTimeScale(options.timeScale);
      const stackOptions = stackOptionsFrom(options);
      const {
        startDevStack,
        runDemo,
        stackSummary,
        renderStatus,
        readCutover,
        describeCounters,
        readSimulatorCounters,
        renderLaunchReportMarkdown,
        renderLaunchReportJson,
        renderLaunchReportHtml,
        postLaunchSummary,
        loadPlanFile,
      } = await loadDemoModules();
      const interrupt = listenForInterrupt(() => warn('stopping the demo…'));
      try {
        const stack = await startDevStack({
          ...stackOptions,
          room: options.room ? roomOptionsFrom(options, await loadPlanFile(options.plan), renderLaunchReportMarkdown) : undefined,
          worker: true,
          resetSandboxSchedule: true,
          log: (line) => say(line),
          // The hourly Analytics summaries would fill the screen; the demo prints them compactly from the status.
          notifyWrite: (line) => {
            if (!line.startsWith('[notify:analytics]')) say(`      ${line}`);
          },
        });
        try {
          say('');
          for (const line of stackSummary(stack, { warnAboutExamplePlan: false })) say(line);
          say('');
          if (interrupt.signal.aborted) return;
          const result = await runDemo({
            stack,
            planFile: options.plan,
            timeScale,
            signal: interrupt.signal,
            say,
            fullWatch: options.fullWatch ?? false,
            roomSigningKey: localRoomSigningKey(),
          });
          const uiLink = workflowUiLink(stack.temporal.namespace, result.workflowId, stack.temporal.uiUrl);
          if (result.stoppedEarly === 'interrupted') {
            // A half-run demo cutover would resume (and escalate) on the next start over the same data dir.
            await stack.client.workflow.getHandle(result.workflowId).terminate('demo interrupted with Ctrl-C');
            say(`interrupted: terminated ${result.workflowId}; its history stays in ${options.dataDir} for \`cutover dev\` and the Web UI`);
            return;
          }
          say('');
          const reading = await readCutover(stack.client, result.workflowId);
          say(renderStatus(reading));
          say('');
          const generatedAt = new Date();
          const reportPath = await writeLaunchReport(resolve(options.reportDir), result.workflowId, {
            markdown: () => renderLaunchReportMarkdown(reading.status, generatedAt),
            json: () => renderLaunchReportJson(reading.status, generatedAt),
            html: () => renderLaunchReportHtml(reading.status, generatedAt, stack.artifactsDir),
          });
          say(`launch report: ${shownPath(reportPath)} (and .json and .html beside it)`);
          const postLaunch = postLaunchSummary(reading.status);
          if (postLaunch) say(postLaunch);
          for (const [label, sim] of [
            ['production simulator', stack.production],
            ['sandbox simulator', stack.sandbox],
          ] as const) {
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
