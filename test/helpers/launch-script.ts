/**
 * The launch as the notice suites play it on the time-skipping server: go/no-go approved with a real
 * low-risk authorization, a webhook failure burst just after the debrief (the alert opens at T+2h15m and
 * recovers at T+2h20m), and the lead rolling forward; resolves when the cutover has finished.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { runLowRiskAuthorization } from '../../src/dev/low-risk-authorization.js';
import type { cutoverWorkflow } from '../../src/workflows/cutover.js';
import { approveUpdate, decideUpdate } from '../../src/workflows/messages.js';
import { HOUR } from './cutover-harness.js';
import type { PaycaStack } from './payca-stack.js';
import { advanceUntil, holdingAt } from './temporal.js';

const MINUTE = 60_000;

export async function launchWithBurstAndRollForward(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle<typeof cutoverWorkflow>,
  stack: PaycaStack,
  options: { atGoLiveGate?: () => Promise<void> } = {},
): Promise<void> {
  await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
  await options.atGoLiveGate?.();
  const authorization = await runLowRiskAuthorization(stack.production.url);
  await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: authorization.id }] });
  await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
  const atDebrief = await advanceUntil(env, handle, holdingAt('debrief'), 'the debrief');
  const T = Date.parse(atDebrief.goLive);
  await stack.admin('inject/webhook-failures', 'POST', { count: 5, succeeded: 20, at: new Date(T + 2 * HOUR + 12 * MINUTE).toISOString() });
  await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'all green' }] });
  await handle.result();
}
