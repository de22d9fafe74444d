/**
 * `cutover report ID --checklist [--out FILE]`: documents for the cutover's records, in Markdown.
 * Each flag selects one section; more sections (the timeline, the 48 h watch) will join as flags of
 * their own, and several chosen together are written one after the other.
 */
import { Command } from 'commander';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { CutoverStatus } from '../../workflows/definitions.js';
import { parseText, parseWorkflowId } from '../arguments.js';
import { renderChecklistDocument } from '../format/checklist-document.js';
import { examples } from '../help.js';
import { say } from '../output.js';

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

type ReportOptions = { [K in ReportSection['key']]?: boolean } & { out?: string };

function chosenSections(options: ReportOptions): ReportSection[] {
  const chosen = SECTIONS.filter((section) => options[section.key]);
  if (chosen.length === 0) {
    throw new UsageError(`say what to report: only ${SECTIONS.map((s) => `--${s.key}`).join(', ')} is available yet`);
  }
  return chosen;
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
    .description('write documents for the cutover record in Markdown, to stdout or a file')
    .argument('<id>', 'workflow id of the cutover');
  for (const section of SECTIONS) command.option(`--${section.key}`, section.what);
  return command
    .option('--out <file>', 'write to this file instead of stdout')
    .addHelpText(
      'after',
      examples(
        'cutover report cutover-acme-prepaid-uk-202612010900 --checklist',
        'cutover report cutover-acme-prepaid-uk-202612010900 --checklist --out launch-checklist.md',
      ),
    )
    .action(async (id: string, options: ReportOptions) => {
      const workflowId = parseWorkflowId(id);
      const sections = chosenSections(options);
      const file = options.out === undefined ? undefined : outputFile(options.out);
      const [{ withTemporal }, { readStatus }] = await Promise.all([import('../temporal-session.js'), import('../read-status.js')]);
      const status = await withTemporal((client) => readStatus(client, workflowId), workflowId);
      const generatedAt = new Date();
      const document = sections.map((section) => section.render(status, generatedAt)).join('\n');
      if (file === undefined) {
        process.stdout.write(document);
        return;
      }
      await writeFile(file, document);
      say(`wrote ${sections.map((s) => s.key).join(' and ')} report of ${workflowId} to ${file}`);
    });
}
