/**
 * The launch checklist as a Markdown document, the artifact kept with the cutover's records
 * (`cutover report ID --checklist`). A pure function of the status and the time it is generated,
 * so the same status always gives the same document.
 */
import { authenticationText } from './authentication.js';
import type { ChecklistItemState, CutoverStatus } from '../../workflows/cutover-state.js';
import { markdownInline } from '../../workflows/markdown-text.js';
import {
  byOwner,
  bySection,
  checklistOf,
  closedBy,
  evidenceOrReason,
  isRequiredBeforeGoLive,
  itemStatusText,
  openRequired,
  postLaunchCountText,
  roleTitle,
  shorten,
} from './checklist.js';
import { shortTime } from './time.js';
import { dueText } from './watch.js';

/** An automated check's findings can be long JSON; `cutover checklist ID --json` keeps all of it. */
const DOCUMENT_EVIDENCE_WIDTH = 500;

const ITEM_COLUMNS = ['item', 'owner', 'kind', 'status', 'completed/waived by', 'when', 'evidence or reason', 'problems'];

/**
 * Person- or plan-written text in a table cell or a line of the document: one line, rendered as the same
 * text with no HTML, emphasis, links or blocks of its own, and no pipe to end a cell early.
 */
export const markdownCell = markdownInline;

export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function markdownTable(headers: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)];
}

/** Post-launch items (runbook section 9) carry a deadline; their sections get a column for it. */
const DUE_COLUMN = 'due (plan time)';

function closedByCell(item: ChecklistItemState): string {
  const by = closedBy(item);
  if (!by) return '-';
  // A bare name is a name only: the cell names the room or key only when one vouched for the answer.
  const vouched = item.answeredVia && item.answeredVia.via !== 'name' ? ` (${markdownCell(authenticationText(item.answeredVia))})` : '';
  return `${markdownCell(by)}${vouched}`;
}

function itemRow(item: ChecklistItemState, goLive: string | undefined, withDue: boolean): string[] {
  const evidence = evidenceOrReason(item);
  const due = !item.postLaunch ? '-' : goLive ? dueText(goLive, item).replace(/^due /, '') : shortTime(item.postLaunch.dueAt);
  return [
    `${markdownCell(item.title)}${item.optional ? ' _(optional)_' : ''}<br>${code(item.id)}`,
    markdownCell(roleTitle(item.owner)),
    item.kind,
    markdownCell(itemStatusText(item)),
    ...(withDue ? [markdownCell(due)] : []),
    closedByCell(item),
    item.at ? shortTime(item.at) : '-',
    evidence ? markdownCell(shorten(evidence, DOCUMENT_EVIDENCE_WIDTH)) : '-',
    item.problems.length ? markdownCell(item.problems.join('; ')) : '-',
  ];
}

function openSummary(items: readonly ChecklistItemState[]): string[] {
  const required = items.filter(isRequiredBeforeGoLive);
  const open = openRequired(items);
  const postLaunch = postLaunchCountText(items);
  const after = postLaunch
    ? ['', `Post-launch items (runbook section 9, due after go-live): ${postLaunch.replace(/^post-launch: /, '')}.`]
    : [];
  if (open.length === 0) {
    return [`All ${required.length} required items are done or waived.`, ...after];
  }
  return [
    `${open.length} of ${required.length} required items open:`,
    '',
    ...markdownTable(
      ['owner', 'open items'],
      byOwner(open).map(({ owner, ids }) => [markdownCell(roleTitle(owner)), ids.map(code).join(', ')]),
    ),
    ...after,
  ];
}

/**
 * The checklist's sections without the document's title, so the launch report can embed them under a
 * heading of its own: `level` is the Markdown heading level of each section.
 */
export function checklistSections(items: readonly ChecklistItemState[], level = 2, goLive?: string): string[] {
  if (items.length === 0) return ['This cutover has no launch checklist: it was started before readiness items existed.'];
  const heading = '#'.repeat(level);
  const lines = [`${heading} Open required items`, '', ...openSummary(items)];
  for (const { section, items: members } of bySection(items)) {
    const withDue = members.some((item) => item.postLaunch);
    const columns = withDue ? [...ITEM_COLUMNS.slice(0, 4), DUE_COLUMN, ...ITEM_COLUMNS.slice(4)] : ITEM_COLUMNS;
    lines.push(
      '',
      `${heading} ${markdownCell(section)}`,
      '',
      ...markdownTable(
        columns,
        members.map((item) => itemRow(item, goLive, withDue)),
      ),
    );
  }
  return lines;
}

export function renderChecklistDocument(status: CutoverStatus, generatedAt: Date): string {
  const lines = [
    `# Launch checklist: ${markdownCell(status.programme)}, go-live ${shortTime(status.goLive)}`,
    '',
    `Cutover ${code(status.workflowId)}, phase ${status.phase}. Generated ${shortTime(generatedAt.toISOString())}.`,
    '',
    ...checklistSections(checklistOf(status), 2, status.goLive),
  ];
  return `${lines.join('\n')}\n`;
}
