/** `cutover calendar ID [--out FILE]`: the cutover's stages and gates as an iCalendar file, in the plan's time zone. */
import { Command } from 'commander';
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseText, parseWorkflowId } from '../arguments.js';
import { renderCalendar } from '../format/calendar.js';
import { examples } from '../help.js';
import { say } from '../output.js';
import { terminalSafe } from '../terminal-text.js';

/** Checked before Temporal is asked, so a mistyped directory does not cost a status read. */
function outputFile(out: string): string {
  const file = resolve(parseText(out, '--out'));
  if (!statSync(dirname(file), { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--out ${JSON.stringify(out)} is not valid: directory ${dirname(file)} does not exist`);
  }
  return file;
}

export function calendarCommand(): Command {
  return new Command('calendar')
    .description(
      "write an iCalendar file with each stage and gate at its planned time, in the plan's time zone, owners and approvers named",
    )
    .argument('<id>', 'workflow id of the cutover')
    .option('--out <file>', 'write to this file (e.g. cutover.ics) instead of stdout')
    .addHelpText(
      'after',
      examples('cutover calendar cutover-acme-prepaid-uk-202612010900 --out cutover.ics', 'cutover calendar rehearsal-1 > rehearsal.ics'),
    )
    .action(async (id: string, options: { out?: string }) => {
      const workflowId = parseWorkflowId(id);
      const file = options.out === undefined ? undefined : outputFile(options.out);
      const [{ withTemporal }, { readCutover }] = await Promise.all([
        import('../temporal-session.js'),
        import('../../operations/read-status.js'),
      ]);
      const { status, approvers } = await withTemporal((client) => readCutover(client, workflowId), workflowId);
      const text = renderCalendar(status, approvers);
      if (file === undefined) {
        // iCalendar lines end in CRLF; only what people wrote inside them is made inert for the terminal.
        process.stdout.write(text.split('\r\n').map(terminalSafe).join('\r\n'));
        return;
      }
      await writeFile(file, text);
      say(`wrote the calendar of ${workflowId} (${status.stages.length} stages) to ${file}`);
    });
}
