/**
 * The flood the history suites send at a cutover, and the dev-server limits they run under: low, so a
 * flood that reaches them takes seconds, with a wider gap between the suggestion to continue as new and
 * the hard limit than the server's defaults (4 MB and 50 MB), to leave room for a slow machine.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { readStatus } from '../../src/operations/read-status.js';
import { approveSignal } from '../../src/workflows/messages.js';
import type { CutoverStatus } from '../../src/workflows/cutover-state.js';
import { note } from './suite-logs.js';

const MIB = 1024 * 1024;

export const SHEDDING_SERVER_LIMITS = {
  'limit.historySize.error': 16 * MIB,
  'limit.historySize.warn': 1 * MIB,
  'limit.historySize.suggestContinueAsNew': 1 * MIB,
};

/** 72 refused approvals of 256 KB each: 18 MB of history, more than one history may hold. */
export const FLOOD_SIGNALS = 72;
export const FLOOD_SIGNAL_CHARS = 256_000;

/** Refused messages from names the plan does not list, as the status counts them. */
export const strangerAttempts = (status: CutoverStatus) => status.refusalSummary?.strangers.attempts ?? 0;

/**
 * Raw signals through the Temporal client, as anyone who can signal the namespace sends them, one after
 * another (about 4 MB a second here). Two senders at once outrun the worker on a loaded machine; see
 * docs/history.md. Returns the errors of signals the server refused.
 */
export async function floodWithSignals(handle: WorkflowHandle): Promise<string[]> {
  const errors: string[] = [];
  for (let n = 0; n < FLOOD_SIGNALS; n += 1) {
    await handle.signal(approveSignal, { stage: 'go-live', by: `${n}-${'m'.repeat(FLOOD_SIGNAL_CHARS)}` }).catch((err: unknown) => {
      errors.push(err instanceof Error ? err.message : String(err));
    });
  }
  return errors;
}

/**
 * Polls status until `done`. Right after a flood a query can fail for a moment: the server refused the
 * task that continued as new because signals were still arriving, and answers no query until the next
 * task completes. Those failures are counted, not fatal; any other is.
 */
export async function settledAfterFlood(
  client: Client,
  workflowId: string,
  done: (status: CutoverStatus) => boolean,
  timeoutMs = 60_000,
): Promise<CutoverStatus> {
  const deadline = Date.now() + timeoutMs;
  let unanswered = 0;
  for (;;) {
    try {
      const status = await readStatus(client, workflowId);
      if (done(status)) {
        if (unanswered > 0) note(`      status unanswered ${unanswered} time(s) while the flood settled`);
        return status;
      }
    } catch (err) {
      if (!/Workflow Task in failed state/.test(String((err as Error).cause ?? err)) || Date.now() > deadline) throw err;
      unanswered += 1;
    }
    assert.ok(Date.now() < deadline, `${workflowId} did not settle after the flood`);
    await delay(250);
  }
}
