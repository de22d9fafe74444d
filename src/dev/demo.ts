/**
 * The demo: starts the example cutover on the local stack with go-live 25 hours ahead, runs the plan
 * clock fast, and plays the approvers in plain sight, printing each stage as it changes.
 */
import { MessageRefusedError } from '../errors.js';
import { formatDuration } from '../plan/duration.js';
import { loadPlanFile } from '../plan/load.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { CutoverStatus } from '../workflows/definitions.js';
import { startCutover } from '../client/cutover-workflow.js';
import { readStatus } from '../client/read-status.js';
import { sendMessage } from '../client/send-message.js';
import { programmeSlug } from '../client/workflow-id.js';
import { DEMO_GO_LIVE_IN_MS } from './demo-settings.js';
import { pointPlanAt } from './plan-for-stack.js';
import { progressLines } from './progress.js';
import { nextScriptedAction } from './scripted-approver.js';
import type { DevStack } from './stack.js';


export interface DemoOptions {
  stack: DevStack;
  planFile: string;
  timeScale: number;
  /** Stops the run early (Ctrl-C). */
  signal: AbortSignal;
  say: (line: string) => void;
  pollIntervalMs?: number;
  goLiveInMs?: number;
}

export interface DemoResult {
  workflowId: string;
  plan: CutoverPlan;
  status: CutoverStatus;
  /** True when the cutover completed (rolled forward); false when it ended otherwise or ran out of time. */
  completed: boolean;
  /** Why the run stopped before the cutover ended, if it did. */
  stoppedEarly?: string;
}

const ENDED = new Set(['completed', 'rolled-back', 'aborted']);

function demoWorkflowId(plan: CutoverPlan, now: Date): string {
  return `cutover-${programmeSlug(plan.programme)}-demo-${now.toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
}

const roundToSecond = (ms: number) => Math.round(ms / 1_000) * 1_000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { stack, say, signal, timeScale } = options;
  const client = stack.client;
  const plan = pointPlanAt(await loadPlanFile(options.planFile), {
    production: stack.production.url,
    sandbox: stack.sandbox.url,
    receiver: stack.receiver.url,
  });
  const now = new Date();
  const goLive = new Date(now.getTime() + (options.goLiveInMs ?? DEMO_GO_LIVE_IN_MS));
  const workflowId = demoWorkflowId(plan, now);
  await startCutover(client, { plan, planFile: options.planFile, goLive, timeScale, startedBy: 'demo', workflowId });

  const wallUntil = (offsetMs: number) => Math.max(0, goLive.getTime() + offsetMs - now.getTime()) / timeScale;
  const lastOffset = Math.max(...plan.stages.map((s) => s.offsetMs));
  say(`started ${workflowId}: go-live ${goLive.toISOString()}, plan clock ${timeScale}× real time`);
  say(`  go-live in ${formatDuration(roundToSecond(wallUntil(0)))}, debrief in ${formatDuration(roundToSecond(wallUntil(lastOffset)))} of wall time`);
  say('');

  // Generous: the schedule plus time for activities, retries and approvals.
  const deadline = Date.now() + wallUntil(lastOffset) + 120_000;
  const answered = new Set<string>();
  const hinted = new Set<string>();
  let previous: CutoverStatus | undefined;
  for (;;) {
    if (signal.aborted && previous) return { workflowId, plan, status: previous, completed: false, stoppedEarly: 'interrupted' };
    const status = await readStatus(client, workflowId);
    for (const line of progressLines(previous, status)) say(line);
    previous = status;
    if (ENDED.has(status.phase)) return { workflowId, plan, status, completed: status.phase === 'completed' };
    if (Date.now() > deadline) {
      return { workflowId, plan, status, completed: false, stoppedEarly: `still ${status.phase} after the time the demo allows` };
    }

    const action = nextScriptedAction(status, plan.approvers);
    const key = action && `${action.message.kind}:${JSON.stringify(action.message.args)}:${status.stages.map((s) => s.attempts).join()}`;
    if (action && key && !answered.has(key)) {
      answered.add(key);
      say(`→ ${action.announcement}`);
      try {
        const result = await sendMessage(client, workflowId, action.message, 'update');
        if (result.via === 'update') say(`  ${result.receipt.outcome}`);
      } catch (err) {
        if (!(err instanceof MessageRefusedError)) throw err;
        say(`  refused: ${err.message}`);
      }
      continue;
    }
    for (const stage of status.stages) {
      const hintKey = `${stage.id}:${stage.attempts}`;
      if (stage.status !== 'holding' || !stage.hold || action || hinted.has(hintKey)) continue;
      hinted.add(hintKey);
      const people = stage.hold.awaiting.map((role) => `${role}: ${(plan.approvers[role] ?? []).join(', ')}`).join('; ');
      say(`      the demo does not answer this hold; answer as ${people}, e.g. \`cutover approve ${workflowId} ${stage.id} --as NAME\` with TEMPORAL_ADDRESS=${stack.temporal.address}`);
    }
    await sleep(options.pollIntervalMs ?? 1_000, signal);
  }
}
