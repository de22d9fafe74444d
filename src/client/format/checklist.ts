/**
 * The launch checklist for people: what `cutover checklist` prints, the one-line summary in
 * `cutover status`, and the pieces the Markdown document shares with them, so all three count alike.
 */
import type { ChecklistItemState, CutoverStatus } from '../../workflows/cutover-state.js';
import { ROLE_TITLES, type Role } from '../../runbook/stages.js';
import { renderTable } from './table.js';
import { evidenceLine } from './launch-report/evidence-fields.js';
import { shortTime } from './time.js';

/** Evidence in the terminal table is cut here; `--json` and the report keep all of it. */
const TABLE_EVIDENCE_WIDTH = 60;

/**
 * The checklist of a status. A cutover started before the checklist existed answers without one
 * (its status query and result were written by older workflow code), so it reads as empty.
 */
export function checklistOf(status: CutoverStatus): ChecklistItemState[] {
  return (status as Partial<CutoverStatus>).checklist ?? [];
}

export function isClosed(item: ChecklistItemState): boolean {
  return item.status === 'done' || item.status === 'waived';
}

/**
 * Items go/no-go waits for: required readiness items. Post-launch items (runbook section 9) are required too,
 * but only open once the cutover rolls forward, so they are counted on their own, as the workflow does.
 */
export function isRequiredBeforeGoLive(item: ChecklistItemState): boolean {
  return !item.optional && !item.postLaunch;
}

/** What blocks go/no-go: required readiness items neither done nor waived. */
export function openRequired(items: readonly ChecklistItemState[]): ChecklistItemState[] {
  return items.filter((item) => isRequiredBeforeGoLive(item) && !isClosed(item));
}

/** `post-launch: 2 of 4 open` once a checklist has post-launch items. */
export function postLaunchCountText(items: readonly ChecklistItemState[]): string | undefined {
  const postLaunch = items.filter((item) => item.postLaunch && !item.optional);
  if (postLaunch.length === 0) return undefined;
  return `post-launch: ${postLaunch.filter((item) => !isClosed(item)).length} of ${postLaunch.length} open`;
}

export function roleTitle(role: Role): string {
  // A newer worker may send a role this CLI does not know yet; its id still says who.
  return ROLE_TITLES[role] ?? role;
}

export interface OwnerItems {
  owner: Role;
  ids: string[];
}

/** Items grouped by owner, owners in the order the checklist first names them. */
export function byOwner(items: readonly ChecklistItemState[]): OwnerItems[] {
  const groups = new Map<Role, string[]>();
  for (const item of items) {
    const ids = groups.get(item.owner) ?? [];
    ids.push(item.id);
    groups.set(item.owner, ids);
  }
  return [...groups].map(([owner, ids]) => ({ owner, ids }));
}

/** "Engineering (secrets-in-vault, rotate-sandbox-keys), CX (tier1-error-codes)" */
export function byOwnerText(items: readonly ChecklistItemState[]): string {
  return byOwner(items)
    .map(({ owner, ids }) => `${roleTitle(owner)} (${ids.join(', ')})`)
    .join(', ');
}

/** Items grouped by runbook section, sections in checklist order. */
export function bySection(items: readonly ChecklistItemState[]): { section: string; items: ChecklistItemState[] }[] {
  const groups = new Map<string, ChecklistItemState[]>();
  for (const item of items) {
    const members = groups.get(item.section) ?? [];
    members.push(item);
    groups.set(item.section, members);
  }
  return [...groups].map(([section, members]) => ({ section, items: members }));
}

/** Evidence on one line: people's text as written, a check's findings as labelled fields. */
export function evidenceText(evidence: unknown): string | undefined {
  if (evidence === undefined || evidence === null || evidence === '') return undefined;
  return evidenceLine(evidence);
}

/** A waived item is explained by its reason; any other by its evidence. */
export function evidenceOrReason(item: ChecklistItemState): string | undefined {
  if (item.status === 'waived') return item.reason ?? evidenceText(item.evidence);
  return evidenceText(item.evidence);
}

export function shorten(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** The status with seeding progress while a check runs: "checking (120/500)". */
export function itemStatusText(item: ChecklistItemState): string {
  const progress = item.status === 'checking' && item.progress ? ` (${item.progress.done}/${item.progress.total})` : '';
  const attempts = item.kind === 'automated' && item.attempts > 1 ? ` (attempt ${item.attempts})` : '';
  return `${item.status}${progress}${attempts}`;
}

/** Who closed it, if a person did. */
export function closedBy(item: ChecklistItemState): string | undefined {
  return item.waivedBy ?? item.completedBy;
}

export function itemTitle(item: ChecklistItemState): string {
  return item.optional ? `${item.title} (optional)` : item.title;
}

function whoWhen(item: ChecklistItemState): string {
  const who = closedBy(item);
  if (who && item.at) return `${who} at ${shortTime(item.at)}`;
  return who ?? (item.at ? shortTime(item.at) : '-');
}

export function renderChecklistTable(items: readonly ChecklistItemState[]): string {
  return renderTable(
    ['item', 'title', 'owner', 'kind', 'status', 'by / at', 'evidence or reason', 'problems'],
    items.map((item) => [
      item.id,
      itemTitle(item),
      roleTitle(item.owner),
      item.kind,
      itemStatusText(item),
      whoWhen(item),
      shorten(evidenceOrReason(item) ?? '-', TABLE_EVIDENCE_WIDTH),
      item.problems.length ? item.problems.join('; ') : '-',
    ]),
  );
}

/** "3 of 24 required items open: Engineering (secrets-in-vault), CX (…)" */
export function openRequiredLine(items: readonly ChecklistItemState[]): string {
  const required = items.filter(isRequiredBeforeGoLive);
  const open = openRequired(items);
  if (open.length === 0) return `0 of ${required.length} required items open: every required item is done or waived`;
  return `${open.length} of ${required.length} required items open: ${byOwnerText(open)}`;
}

/** The one line `cutover status` shows: "checklist: 20 of 26 done, 4 open: Engineering (…), CX (…)". */
export function checklistSummaryLine(items: readonly ChecklistItemState[]): string | undefined {
  if (items.length === 0) return undefined;
  const done = items.filter((item) => item.status === 'done').length;
  const waived = items.filter((item) => item.status === 'waived').length;
  const open = openRequired(items);
  const counts = `${done} of ${items.length} done${waived ? `, ${waived} waived` : ''}`;
  const postLaunch = postLaunchCountText(items);
  const line = open.length
    ? `checklist: ${counts}, ${open.length} open: ${byOwnerText(open)}`
    : `checklist: ${counts}, no required item open`;
  return postLaunch ? `${line}; ${postLaunch}` : line;
}

export interface ChecklistView {
  /** Only items neither done nor waived. */
  openOnly?: boolean;
}

/** `cutover checklist ID`: a header, a table per section, and what still blocks go/no-go by owner. */
export function renderChecklist(status: CutoverStatus, view: ChecklistView = {}): string {
  const all = checklistOf(status);
  const header = `${status.workflowId}: ${status.programme}, go-live ${shortTime(status.goLive)}, launch checklist${view.openOnly ? ' (open items)' : ''}`;
  if (all.length === 0) {
    return [header, '', 'this cutover has no launch checklist: it was started before readiness items existed'].join('\n');
  }
  const shown = view.openOnly ? all.filter((item) => !isClosed(item)) : all;
  const sections = bySection(shown).flatMap(({ section, items }) => ['', section, renderChecklistTable(items)]);
  return [header, ...(shown.length ? sections : ['', 'no open items']), '', openRequiredLine(all)].join('\n');
}
