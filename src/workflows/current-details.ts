/** The Markdown the Temporal UI shows as the cutover's current details: one row per stage. */
import type { CutoverStatus, StageState } from './definitions.js';
import { ROLE_TITLES } from './stages.js';

const STATUS_MARK: Record<StageState['status'], string> = {
  pending: '·',
  waiting: '⏳',
  running: '▶',
  holding: '✋',
  rejected: '✗',
  passed: '✓',
  failed: '✗',
  skipped: '–',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderCurrentDetails(status: CutoverStatus): string {
  const rows = status.stages.map((stage) => {
    const waitingOn = stage.hold ? `awaiting ${stage.hold.awaiting.map((r) => ROLE_TITLES[r]).join(', ')}` : '';
    const notes = [waitingOn, ...stage.problems].filter(Boolean).join('; ');
    return `| ${stage.offset} | ${stage.id} | ${STATUS_MARK[stage.status]} ${stage.status} | ${ROLE_TITLES[stage.owner]} | ${stage.plannedAt} | ${cell(notes)} |`;
  });
  const lines = [
    `**${cell(status.programme)}** · phase **${status.phase}** · go-live ${status.goLive}` +
      (status.timeScale !== 1 ? ` · rehearsal at ${status.timeScale}× speed` : ''),
    '',
    '| When | Stage | Status | Owner | Planned | Notes |',
    '|---|---|---|---|---|---|',
    ...rows,
  ];
  if (status.refusals.length > 0) {
    const last = status.refusals[status.refusals.length - 1];
    if (last) lines.push('', `Last refused message: ${last.kind} by ${last.by ?? 'unknown'}: ${cell(last.reason)}`);
  }
  return lines.join('\n');
}
