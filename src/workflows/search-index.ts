/**
 * The cutover's search attributes, which people filter cutovers by in the Temporal UI and `cutover list`.
 * Every upsert is a command the server writes and indexes, on the path of the approval that caused it, so
 * cutovers started with LEAN_APPROVALS_PATCH upsert only the keys whose value changed; runs started before
 * upsert all three whenever the phase or the stage changes, as they were recorded.
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { CutoverStatus } from './cutover-state.js';
import { CutoverGoLiveKey, CutoverPhaseKey, CutoverStageKey } from './search-attributes.js';

/**
 * Fewer commands per approval: a stage already due passes straight to running (no `waiting` phase),
 * search attributes are upserted only where a value changed, and an escalation timer is left to run out
 * when its hold ends instead of being cancelled. Read once when a run starts.
 */
export const LEAN_APPROVALS_PATCH = 'lean-approval-commands';

/** Upserts what changed since the last call; the first call in a run upserts every key. */
export function createSearchIndex(goLiveMs: number, onlyChanges: boolean): (status: CutoverStatus) => void {
  let indexed: { phase: string; stage: string } | undefined;
  return (status) => {
    const phase = status.phase;
    const stage = status.currentStage ?? 'none';
    if (indexed?.phase === phase && indexed.stage === stage) return;
    if (!onlyChanges || indexed === undefined) {
      upsertSearchAttributes([
        { key: CutoverPhaseKey, value: phase },
        { key: CutoverStageKey, value: stage },
        { key: CutoverGoLiveKey, value: new Date(goLiveMs) },
      ]);
    } else {
      upsertSearchAttributes([
        ...(indexed.phase !== phase ? [{ key: CutoverPhaseKey, value: phase }] : []),
        ...(indexed.stage !== stage ? [{ key: CutoverStageKey, value: stage }] : []),
      ]);
    }
    indexed = { phase, stage };
  };
}
