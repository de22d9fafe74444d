/** Polls a cutover's status on a real server until a condition holds, with a bounded wait. */
import type { Client } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { readStatus } from '../../src/operations/read-status.js';
import type { CutoverStatus } from '../../src/workflows/cutover-state.js';

export async function waitForStatus(
  client: Client,
  workflowId: string,
  what: string,
  done: (status: CutoverStatus) => boolean,
  timeoutMs = 90_000,
): Promise<CutoverStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: CutoverStatus | undefined;
  while (Date.now() < deadline) {
    last = await readStatus(client, workflowId);
    if (done(last)) return last;
    await delay(250);
  }
  const stages = last?.stages.map((s) => `${s.id}:${s.status}`).join(', ');
  throw new Error(`${workflowId} did not reach "${what}" within ${timeoutMs / 1000}s; last phase ${last?.phase}, stages ${stages}`);
}

export const holdingAtGoLive = (status: CutoverStatus): boolean => status.phase === 'holding' && status.currentStage === 'go-live';
