/** The Markdown the Temporal UI shows as the cutover's current details: one row per stage. */
import { openRequiredItems } from './checklist-rules.js';
import type { CutoverStatus, RefusalRecord, StageState } from './cutover-state.js';
import { markdownInline } from './markdown-text.js';
import { seedingProgressLines } from './seeding-progress.js';
import { ROLE_TITLES } from '../runbook/stages.js';
import { renderTaskDetails } from './task-details.js';

const STATUS_MARK: Record<StageState['status'], string> = {
  pending: '·',
  waiting: '◷',
  running: '▶',
  holding: '◆',
  rejected: '✗',
  passed: '✓',
  failed: '✗',
  skipped: '–',
};

/** People and the plan wrote these; the UI renders current details as Markdown. */
const cell = markdownInline;

/** The latest refusal, whether its sender is listed in the plan or only counted as a stranger. */
function lastRefusal(status: CutoverStatus): RefusalRecord | undefined {
  const listed = status.refusals[status.refusals.length - 1];
  const stranger = status.refusalSummary?.strangers.latest;
  if (!listed || !stranger) return listed ?? stranger;
  return Date.parse(stranger.at) > Date.parse(listed.at) ? stranger : listed;
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
  const settled = status.checklist.filter((i) => i.status === 'done' || i.status === 'waived').length;
  lines.push('', `**Readiness** ${settled} of ${status.checklist.length} items done or waived`);
  for (const progress of seedingProgressLines(status.checklist)) lines.push('', `${cell(progress.id)}: ${progress.text}`);
  const open = openRequiredItems(status);
  if (open.size > 0) {
    lines.push('', '| Owner | Open required items |', '|---|---|');
    for (const [owner, items] of open) {
      lines.push(
        `| ${ROLE_TITLES[owner]} | ${cell(items.map((i) => (i.status === 'failed' ? `${i.id} (check failed)` : i.id)).join(', '))} |`,
      );
    }
  }
  lines.push(...renderTaskDetails(status));
  const watch = status.watch;
  if (watch) {
    const open = watch.alerts.filter((a) => !a.recoveredAt);
    lines.push(
      '',
      `**Post-launch watch** ${watch.status} until ${watch.endsPlanAt} · ${watch.reads} reads · ${watch.summaries.length} summaries · ` +
        `${watch.alerts.length} alert${watch.alerts.length === 1 ? '' : 's'}, ${open.length} open`,
    );
    if (open.length > 0) {
      lines.push('', '| Open alert | Since (plan time) | What |', '|---|---|---|');
      for (const alert of open) lines.push(`| ${cell(alert.id)} | ${alert.openedPlanAt} | ${cell(alert.opened)} |`);
    }
  }
  if (status.debrief) {
    const { recommendation, rules } = status.debrief;
    lines.push('', `**Debrief pack** recommends ${recommendation.decision}: ${cell(recommendation.reason)}`);
    if (rules.length > 0) {
      lines.push('', '| Rule | Outcome | Finding |', '|---|---|---|');
      for (const r of rules) lines.push(`| ${r.rule}${r.critical ? ' (critical)' : ''} | ${r.outcome} | ${cell(r.finding)} |`);
    }
  }
  if (status.compensations.length > 0) {
    lines.push('', '| Roll-back step | Outcome |', '|---|---|');
    for (const step of status.compensations) {
      const why =
        step.status === 'held'
          ? `: awaiting Engineering, ${step.reason ?? ''}`
          : step.doneByHand
            ? ` by ${step.doneByHand.by}: ${step.doneByHand.evidence}`
            : '';
      lines.push(`| ${step.step} | ${cell(`${step.status}${why}`)} |`);
    }
  }
  // A continued run has no start summary or details of its own (continue-as-new does not carry them).
  if (status.history && status.history.runs > 1) {
    lines.push(
      '',
      `Run ${status.history.runs} of this cutover, started by ${cell(status.startedBy)} at ${status.startedAt}: it continued as new to keep its history under Temporal's limits. The first run's page has the plan file and the approvers.`,
    );
  }
  const last = lastRefusal(status);
  if (last) lines.push('', `Last refused message: ${last.kind} by ${cell(last.by ?? 'unknown')}: ${cell(last.reason)}`);
  return lines.join('\n');
}
