/**
 * `cutover report ID [--format md|json|html|pdf] [--out FILE] [--checklist]`: documents for the cutover's records,
 * read from the workflow itself (status query, or the result once it finished), never from a side store.
 * Without a section flag it writes the whole launch report; each section flag selects one document
 * instead (Markdown only), and several chosen together are written one after the other.
 */
import { Command } from 'commander';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { CutoverStatus } from '../../workflows/cutover-state.js';
import { parseText, parseWorkflowId } from '../arguments.js';
import { renderChecklistDocument } from '../format/checklist-document.js';
import { renderLaunchReportJson, renderLaunchReportMarkdown, type LaunchReportSources } from '../format/launch-report.js';
import { renderLaunchReportDocument } from '../format/launch-report/document.js';
import { examples } from '../help.js';
import { say } from '../output.js';
import { terminalSafe } from '../terminal-text.js';

interface ReportSection {
  /** The option's key in commander's parsed options, and its flag without dashes. */
  key: 'checklist';
  what: string;
  render: (status: CutoverStatus, generatedAt: Date) => string;
}

const SECTIONS: readonly ReportSection[] = [
  {
    key: 'checklist',
    what: 'the launch checklist: every readiness item by runbook section, open required items by owner first',
    render: renderChecklistDocument,
  },
];

const FORMATS = ['md', 'json', 'html', 'pdf'] as const;
type ReportFormat = (typeof FORMATS)[number];

type ReportOptions = { [K in ReportSection['key']]?: boolean } & { out?: string; format: string; artifacts?: string };

/** What a report reads besides the status: the rehearsal it follows, and where the worker left screenshots. */
interface ReportSources extends LaunchReportSources {
  artifactsDir?: string;
}

interface ReportChoice {
  what: string;
  render: (status: CutoverStatus, generatedAt: Date, sources: ReportSources) => string | Promise<string | Buffer>;
  /** The whole launch report also compares the cutover with the rehearsal it names. */
  withRehearsal?: boolean;
}

function parseFormat(value: string): ReportFormat {
  const format = FORMATS.find((f) => f === value);
  if (!format) throw new UsageError(`--format ${JSON.stringify(value)} is not valid: must be one of ${FORMATS.join(', ')}`);
  return format;
}

/** Section flags pick documents; none picks the whole launch report, in the chosen format. */
function chooseReport(options: ReportOptions): ReportChoice {
  const format = parseFormat(options.format);
  const chosen = SECTIONS.filter((section) => options[section.key]);
  if (chosen.length === 0) {
    if (format === 'html' || format === 'pdf') {
      if (format === 'pdf' && options.out === undefined) throw new UsageError('--format pdf writes a file: give --out FILE.pdf');
      return {
        what: `launch report (${format.toUpperCase()})`,
        render: (status, at, sources) => renderLaunchReportDocument(format, status, at, sources.artifactsDir),
      };
    }
    return {
      what: 'launch report',
      render: format === 'json' ? renderLaunchReportJson : renderLaunchReportMarkdown,
      withRehearsal: true,
    };
  }
  if (format !== 'md') {
    throw new UsageError(
      `--format ${format} is not available with ${chosen.map((s) => `--${s.key}`).join(', ')}: section documents are Markdown; leave out the section flag for the whole report as ${format.toUpperCase()}`,
    );
  }
  return {
    what: `${chosen.map((s) => s.key).join(' and ')} report`,
    render: (status, generatedAt) => chosen.map((section) => section.render(status, generatedAt)).join('\n'),
  };
}

/** Checked before Temporal is asked, so a mistyped directory does not cost a status read. */
function outputFile(out: string): string {
  const file = resolve(parseText(out, '--out'));
  const directory = dirname(file);
  if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--out ${JSON.stringify(out)} is not valid: directory ${directory} does not exist`);
  }
  return file;
}

export function reportCommand(): Command {
  const command = new Command('report')
    .description(
      'write the launch report (timeline, approvals, smoke-test evidence, checklist, incidents) from the workflow, as Markdown, JSON, self-contained HTML with charts, or PDF, to stdout or a file',
    )
    .argument('<id>', 'workflow id of the cutover');
  for (const section of SECTIONS) command.option(`--${section.key}`, `only ${section.what}`);
  return command
    .option('--format <format>', `${FORMATS.join(' or ')}`, 'md')
    .option('--out <file>', 'write to this file instead of stdout (a PDF needs one)')
    .option(
      '--artifacts <dir>',
      "the worker's artifacts directory, where the dashboard screenshots the HTML and PDF embed are (default: CUTOVER_ARTIFACTS_DIR)",
    )
    .addHelpText(
      'after',
      examples(
        'cutover report cutover-acme-prepaid-uk-202612010900',
        'cutover report cutover-acme-prepaid-uk-202612010900 --format json --out launch-report.json',
        'cutover report cutover-acme-prepaid-uk-202612010900 --format html --out launch-report.html --artifacts /var/lib/cutover/artifacts',
        'cutover report cutover-acme-prepaid-uk-202612010900 --format pdf --out launch-report.pdf',
        'cutover report cutover-acme-prepaid-uk-202612010900 --checklist',
        'cutover report cutover-acme-prepaid-uk-202612010900 --checklist --out launch-checklist.md',
      ),
    )
    .action(async (id: string, options: ReportOptions) => {
      const workflowId = parseWorkflowId(id);
      const report = chooseReport(options);
      const file = options.out === undefined ? undefined : outputFile(options.out);
      const [{ withTemporal }, { readStatus }, { rehearsalFor }] = await Promise.all([
        import('../temporal-session.js'),
        import('../../operations/read-status.js'),
        import('../rehearsal.js'),
      ]);
      const { status, rehearsal } = await withTemporal(async (client) => {
        const read = await readStatus(client, workflowId);
        return { status: read, rehearsal: report.withRehearsal ? await rehearsalFor(client, read) : undefined };
      }, workflowId);
      const artifactsDir = options.artifacts ?? (process.env.CUTOVER_ARTIFACTS_DIR || undefined);
      const document = await report.render(status, new Date(), { rehearsal, artifactsDir });
      if (file === undefined) {
        process.stdout.write(terminalSafe(document.toString()));
        return;
      }
      await writeFile(file, document);
      say(`wrote ${report.what} of ${workflowId} to ${file}`);
    });
}
