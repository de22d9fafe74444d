/**
 * A compressed cutover rolled forward into its watch, with failed webhook deliveries injected in one
 * five-minute interval, for the suites that check how a fast watch reads (batched by design, or behind its
 * plan clock).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { runLowRiskAuthorization } from '../../src/dev/low-risk-authorization.js';
import { approveUpdate, decideUpdate } from '../../src/workflows/messages.js';
import type { cutoverWorkflow } from '../../src/workflows/cutover.js';
import { HOUR, type CutoverHarness } from './cutover-harness.js';
import { planFor } from './plans.js';
import { holdingAtGoLive, waitForStatus } from './wait-for-status.js';

const MINUTE = 60_000;

export interface RolledForwardWatch {
  handle: WorkflowHandle<typeof cutoverWorkflow>;
  /** Go-live on the plan clock, epoch ms. */
  T: number;
  /** The wall-clock time at which the plan clock reads `planMs`. */
  wallFor: (planMs: number) => number;
}

/**
 * Starts the cutover at `timeScale`, injects five failed deliveries of 25 in the middle of the interval
 * starting at T + `faultAtHours`, answers go-live and rolls forward at the debrief.
 */
export async function rollForwardIntoWatch(
  harness: CutoverHarness,
  { window, timeScale, faultAtHours, reason }: { window: string; timeScale: number; faultAtHours: number; reason: string },
): Promise<RolledForwardWatch> {
  const { env, stack } = harness;
  const plan = planFor(stack, { postLaunch: { watch: { window } } });
  const handle = await harness.start({ plan, goLiveInMs: 25 * HOUR, timeScale });
  const holding = await waitForStatus(env.client, handle.workflowId, 'go-live holding', holdingAtGoLive);
  const T = Date.parse(holding.goLive);
  const anchor = Date.parse(holding.startedAt);
  const wallFor = (planMs: number) => anchor + (planMs - anchor) / timeScale;

  // PayCA counts deliveries by its wall clock, so the fault is placed on the wall clock of that plan time.
  await stack.admin('inject/webhook-failures', 'POST', {
    count: 5,
    succeeded: 20,
    at: new Date(wallFor(T + faultAtHours * HOUR + 2.5 * MINUTE)).toISOString(),
  });

  await handle.executeUpdate(approveUpdate, {
    args: [{ stage: 'go-live', by: 'lara', authorizationId: (await runLowRiskAuthorization(stack.production.url)).id }],
  });
  await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
  await waitForStatus(env.client, handle.workflowId, 'the debrief', (s) => s.phase === 'holding' && s.currentStage === 'debrief');
  await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason }] });
  return { handle, T, wallFor };
}
