/** Help text the commands share: examples in one layout, and the --signal option's meaning. */

export const SIGNAL_OPTION_HELP =
  'send a signal instead of an update: no answer comes back; refusals show in `cutover status`';

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
