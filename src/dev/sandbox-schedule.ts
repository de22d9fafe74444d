/**
 * The sandbox automation the example plan pauses at T-2h includes a Temporal Schedule. Locally it is a
 * stand-in: its action names a workflow type no worker hosts, on a queue nobody polls, so it never
 * runs anything; it exists so the cutover has a real schedule to pause and restore.
 */
import { ScheduleAlreadyRunning, type Client } from '@temporalio/client';

export const SANDBOX_SCHEDULE_ID = 'sandbox-settlement-replay';
export const SANDBOX_AUTOMATION_TASK_QUEUE = 'sandbox-automation';

export type ScheduleSetup = 'created' | 'existing' | 'unpaused';

/** Creates the schedule unpaused; with `unpause`, an existing one paused by an earlier run is resumed. */
export async function ensureSandboxSchedule(client: Client, options: { unpause: boolean }): Promise<ScheduleSetup> {
  try {
    await client.schedule.create({
      scheduleId: SANDBOX_SCHEDULE_ID,
      spec: { calendars: [{ hour: 3, comment: 'nightly sandbox settlement replay' }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'sandboxSettlementReplay',
        taskQueue: SANDBOX_AUTOMATION_TASK_QUEUE,
        args: [],
        // Should a run ever start, it ends on its own instead of waiting forever for a worker.
        workflowExecutionTimeout: '1 minute',
      },
      state: { paused: false, note: 'local stand-in for the sandbox settlement replay job (cutover dev)' },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  if (!options.unpause) return 'existing';
  const handle = client.schedule.getHandle(SANDBOX_SCHEDULE_ID);
  const description = await handle.describe();
  if (!description.state.paused) return 'existing';
  await handle.unpause('unpaused by the cutover demo so its T-2h stage has something to pause');
  return 'unpaused';
}
