/** Help text the commands share: examples in one layout, the --signal option's meaning, the stage argument. */
import { STAGE_IDS } from '../runbook/stages.js';

export const SIGNAL_OPTION_HELP = 'send a signal instead of an update: no answer comes back; refusals show in `cutover status`';

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/** Taken from the runbook's stage list, so a stage added there is offered here too. */
export const STAGE_ARGUMENT_HELP = `stage id: ${STAGE_IDS.join(', ')}`;
