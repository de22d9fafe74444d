/**
 * A live cutover against the rehearsal it follows: per timeline entry (stage or plan task) the estimate, how long it took in
 * the rehearsal and live (wall time, start to pass), and the variance, live minus rehearsal. Entries that
 * did not pass in one of the two runs have no duration there and no variance.
 */
import type { CutoverPhase, CutoverStatus } from '../workflows/cutover-state.js';
import { timelineEntries, type TimelineEntry } from './timeline-entries.js';

export interface ComparedRun {
  workflowId: string;
  programme: string;
  phase: CutoverPhase;
  timeScale: number;
}

export interface ComparisonRow {
  id: string;
  kind: TimelineEntry['kind'];
  title: string;
  /** The lane it ran in: `runbook` for the built-in stages, the plan's stream for a task. */
  stream: string;
  estimateMs: number | null;
  rehearsalMs: number | null;
  liveMs: number | null;
  /** Live minus rehearsal; positive: live took longer. */
  varianceMs: number | null;
  /** The variance as a share of the rehearsal's duration, in percent, rounded to one decimal. */
  variancePercent: number | null;
  /** Live minus the estimate. */
  overEstimateMs: number | null;
}

export interface RehearsalComparison {
  rehearsal: ComparedRun;
  live: ComparedRun;
  /** Whether the live cutover names this rehearsal as the one it follows. */
  liveNamesRehearsal: boolean;
  rows: ComparisonRow[];
  /** Summed over the entries that passed in both runs. */
  total: { rehearsalMs: number; liveMs: number; varianceMs: number; entries: number };
}

const runOf = (status: CutoverStatus): ComparedRun => ({
  workflowId: status.workflowId,
  programme: status.programme,
  phase: status.phase,
  timeScale: status.timeScale,
});

function row(live: TimelineEntry | undefined, rehearsal: TimelineEntry | undefined): ComparisonRow {
  const entry = (live ?? rehearsal) as TimelineEntry;
  const rehearsalMs = rehearsal?.durationMs ?? null;
  const liveMs = live?.durationMs ?? null;
  const estimateMs = live?.estimateMs ?? rehearsal?.estimateMs ?? null;
  const varianceMs = rehearsalMs !== null && liveMs !== null ? liveMs - rehearsalMs : null;
  return {
    id: entry.id,
    kind: entry.kind,
    title: entry.title,
    stream: entry.stream,
    estimateMs,
    rehearsalMs,
    liveMs,
    varianceMs,
    variancePercent: varianceMs !== null && rehearsalMs ? Math.round((varianceMs / rehearsalMs) * 1000) / 10 : null,
    overEstimateMs: estimateMs !== null && liveMs !== null ? liveMs - estimateMs : null,
  };
}

export function compareWithRehearsal(rehearsal: CutoverStatus, live: CutoverStatus): RehearsalComparison {
  const liveEntries = timelineEntries(live);
  const rehearsalEntries = timelineEntries(rehearsal);
  const ids = [...new Set([...liveEntries, ...rehearsalEntries].map((e) => e.id))];
  const rows = ids.map((id) =>
    row(
      liveEntries.find((e) => e.id === id),
      rehearsalEntries.find((e) => e.id === id),
    ),
  );
  const both = rows.filter((r) => r.varianceMs !== null);
  const sum = (pick: (r: ComparisonRow) => number | null) => both.reduce((total, r) => total + (pick(r) ?? 0), 0);
  return {
    rehearsal: runOf(rehearsal),
    live: runOf(live),
    liveNamesRehearsal: live.timeline?.rehearsalOf === rehearsal.workflowId,
    rows,
    total: {
      rehearsalMs: sum((r) => r.rehearsalMs),
      liveMs: sum((r) => r.liveMs),
      varianceMs: sum((r) => r.varianceMs),
      entries: both.length,
    },
  };
}
