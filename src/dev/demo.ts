/**
 * The demo: starts the example cutover on the local stack with go-live 25 hours ahead, runs the plan
 * clock fast, and plays the people in plain sight, printing each stage and checklist item as it changes:
 * owners close the launch checklist (one check fails, is fixed and passes on a retry; one cannot pass
 * locally and is waived), then go-live is approved; the post-launch watch starts at T, once the smoke
 * tests pass, and the debrief rolls forward on two quiet hours. The watch goes on: one injected webhook
 * failure burst after the roll-forward opens an alert and recovers, the day-1 fees reconcile at
 * T+24h, CX and the lead settle their post-launch items, and unless the full window is asked for the
 * lead ends the watch early, saying it is a rehearsal.
 */
import { ServiceError, type Client } from '@temporalio/client';
import { MessageRefusedError } from '../errors.js';
import { formatDuration } from '../plan/duration.js';
import { loadPlanFile } from '../plan/load.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import { startCutover } from '../operations/cutover-workflow.js';
import { readStatus } from '../operations/read-status.js';
import { sendMessage, type CutoverMessage } from '../operations/send-message.js';
import { programmeSlug } from '../operations/workflow-id.js';
import { demoEvidence, DEMO_WAIVERS } from './demo-checklist.js';
import { prepareDemoReadiness } from './demo-readiness.js';
import { DEMO_GO_LIVE_IN_MS } from './demo-settings.js';
import { pointPlanAt } from './plan-for-stack.js';
import { isRoomMessage, signMessageAsRoom } from '../operations/room-signing.js';
import type { RoomSigningKey } from '../signing/room-key.js';
import { burstAnnouncement, endWatchReason, injectWebhookBurst, readyForBurst, watchIntroLines } from './demo-watch.js';
import { checklistSummary, progressLines } from './progress.js';
import { runLowRiskAuthorization } from './low-risk-authorization.js';
import {
  needsLowRiskAuthorization,
  scriptedActions,
  type ChecklistScript,
  type GoLiveScript,
  type WatchScript,
} from './scripted-approver.js';
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
  /** Watch the whole post-launch window (48 h of plan time) instead of ending it once the fees reconcile. */
  fullWatch?: boolean;
  /** The room's key: the demo's people answer as if through the room when the plan pins this key. */
  roomSigningKey?: RoomSigningKey;
}

/** The demo's stand-in for the room's sign-in: no provider vouches for its scripted people, and the issuer says so. */
const DEMO_ISSUER = 'urn:cutover:demo:scripted-people';

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
const ITEM_MESSAGES = new Set<CutoverMessage['kind']>(['complete-item', 'waive-item', 'retry-item']);
/** On top of the schedule: time for activities, retries and approvals. */
const DEADLINE_SLACK_MS = 120_000;
/**
 * Past the deadline, a watch still posting summaries is let run: at high time scales its reads (one
 * activity and one signal each) fall behind the plan clock, so it ends later than scheduled, but it ends.
 */
const WATCH_STALL_MS = 30_000;

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

/**
 * The status, read again after a short pause when the server answers with a service error: over a run of
 * several minutes on a busy machine the dev server's SQLite store now and then fails one describe or query.
 */
async function readStatusPatiently(client: Client, workflowId: string, signal: AbortSignal): Promise<CutoverStatus> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await readStatus(client, workflowId);
    } catch (err) {
      if (!(err instanceof ServiceError) || attempt >= 3 || signal.aborted) throw err;
      await sleep(1_000, signal);
    }
  }
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { stack, say, signal, timeScale } = options;
  const client = stack.client;
  const readiness = await prepareDemoReadiness(
    pointPlanAt(await loadPlanFile(options.planFile), {
      production: stack.production.url,
      sandbox: stack.sandbox.url,
      receiver: stack.receiver.url,
    }),
    stack.dataDir,
  );
  const plan = readiness.plan;
  const roomKey = options.roomSigningKey?.publicKeyHex === plan.identity?.roomPublicKey ? options.roomSigningKey : undefined;
  if (plan.identity?.roomPublicKey && !roomKey)
    say("  the plan pins a room key the demo does not hold: its people answer by name, which the plan's identity setting may refuse");
  const asRoom = (status: CutoverStatus, message: CutoverMessage): CutoverMessage =>
    roomKey && isRoomMessage(message)
      ? signMessageAsRoom(roomKey, status, message, { issuer: DEMO_ISSUER, subject: message.args.by })
      : message;
  const signedOnly =
    plan.identity?.require === 'signed'
      ? '; the plan takes signed answers only: answer in the cutover room, or add --key FILE once your public key is in the plan'
      : '';
  const script: ChecklistScript = { fixes: readiness.fixes, waivers: DEMO_WAIVERS, evidence: demoEvidence };
  const now = new Date();
  const goLive = new Date(now.getTime() + (options.goLiveInMs ?? DEMO_GO_LIVE_IN_MS));
  const workflowId = demoWorkflowId(plan, now);
  await startCutover(client, { plan, planFile: options.planFile, goLive, timeScale, startedBy: 'demo', workflowId });

  const wallUntil = (offsetMs: number) => Math.max(0, goLive.getTime() + offsetMs - now.getTime()) / timeScale;
  const offsetOf = (id: string) => plan.stages.find((s) => s.id === id)?.offsetMs ?? 0;
  const fullWatch = options.fullWatch ?? false;
  // Early: the lead ends the watch once the last timed stage (the T+24h fee reconciliation) has passed.
  const lastOffset = Math.max(...plan.stages.map((s) => s.offsetMs), fullWatch ? plan.postLaunch.watch.windowMs : -Infinity);
  const watchScript: WatchScript = {};
  const goLiveScript: GoLiveScript = {};
  say(`started ${workflowId}: go-live ${goLive.toISOString()}, plan clock ${timeScale}× real time`);
  say(
    `  go-live in ${formatDuration(roundToSecond(wallUntil(0)))}, debrief in ${formatDuration(roundToSecond(wallUntil(offsetOf('debrief'))))}, ` +
      `day-1 fee reconciliation in ${formatDuration(roundToSecond(wallUntil(offsetOf('fee-reconciliation'))))}` +
      (fullWatch ? `, end of the watch in ${formatDuration(roundToSecond(wallUntil(plan.postLaunch.watch.windowMs)))}` : '') +
      ' of wall time',
  );
  const items = plan.readiness.items;
  const automated = items.filter((item) => item.kind === 'automated').length;
  say(
    `  launch checklist: ${items.length} items, ${automated} checked by the worker from now on, ${items.length - automated} attested by their owners; go/no-go waits for every required one`,
  );
  say('');

  // Generous: the schedule, to the fee reconciliation or the end of the watch, plus the slack.
  const deadline = Date.now() + wallUntil(lastOffset) + DEADLINE_SLACK_MS;
  const answered = new Set<string>();
  const hinted = new Set<string>();
  let burstInjected = false;
  let watchProgressAt = 0;
  let previous: CutoverStatus | undefined;
  for (;;) {
    if (signal.aborted && previous) return { workflowId, plan, status: previous, completed: false, stoppedEarly: 'interrupted' };
    const status = await readStatusPatiently(client, workflowId, signal);
    for (const line of progressLines(previous, status)) say(line);
    if (status.watch && !previous?.watch) for (const line of watchIntroLines(plan, status, fullWatch)) say(line);
    if (status.watch?.status === 'watching' && status.watch.summaries.length !== previous?.watch?.summaries.length)
      watchProgressAt = Date.now();
    previous = status;
    const summary = checklistSummary(status);
    if (ENDED.has(status.phase)) {
      if (summary) say(summary);
      return { workflowId, plan, status, completed: status.phase === 'completed' };
    }
    if (Date.now() > deadline && Date.now() - watchProgressAt > WATCH_STALL_MS) {
      if (summary) say(summary);
      return { workflowId, plan, status, completed: false, stoppedEarly: `still ${status.phase} after the time the demo allows` };
    }

    if (!burstInjected && readyForBurst(status)) {
      burstInjected = true;
      say(`→ ${burstAnnouncement(plan)}`);
      await injectWebhookBurst(stack.production.url);
      // The lead may end the watch early only after the audience has seen the alert this burst opens.
      if (!fullWatch) watchScript.endEarlyReason = endWatchReason(plan);
      continue;
    }

    if (needsLowRiskAuthorization(status, goLiveScript)) {
      const lead = plan.approvers.lead?.[0] ?? 'the lead';
      const auth = await runLowRiskAuthorization(stack.production.url, { currency: plan.smokeTest.currency });
      say(
        `→ ${lead} (lead) runs the low-risk real authorization with a programme card (simulated at PayCA): ` +
          `${auth.id}, ${auth.amount.amount} ${auth.amount.currency} minor units, ${auth.status}; the gate reads it at PayCA before the approval counts`,
      );
      Object.assign(goLiveScript, { authorizationId: auth.id, attempt: status.stages.find((s) => s.id === 'go-live')?.attempts });
      continue;
    }

    const stageAttempts = status.stages.map((s) => s.attempts).join();
    const action = scriptedActions(status, plan.approvers, script, watchScript, goLiveScript).find(
      (candidate) => !answered.has(`${candidate.message.kind}:${JSON.stringify(candidate.message.args)}:${stageAttempts}`),
    );
    if (action) {
      answered.add(`${action.message.kind}:${JSON.stringify(action.message.args)}:${stageAttempts}`);
      if (action.fix) {
        say(`→ ${action.fix.announcement}`);
        await action.fix.apply();
      }
      say(`→ ${action.announcement}`);
      try {
        const result = await sendMessage(client, workflowId, asRoom(status, action.message), 'update');
        // A checklist change shows in the next reading's progress lines; the receipt would repeat it.
        if (result.via === 'update' && !ITEM_MESSAGES.has(action.message.kind)) say(`  ${result.receipt.outcome}`);
      } catch (err) {
        if (!(err instanceof MessageRefusedError)) throw err;
        say(`  refused: ${err.message}`);
      }
      continue;
    }
    for (const stage of status.stages) {
      const hintKey = `${stage.id}:${stage.attempts}`;
      if (stage.status !== 'holding' || !stage.hold || hinted.has(hintKey)) continue;
      hinted.add(hintKey);
      const people = stage.hold.awaiting.map((role) => `${role}: ${(plan.approvers[role] ?? []).join(', ')}`).join('; ');
      say(
        `      the demo does not answer this hold; answer as ${people}, e.g. \`cutover approve ${workflowId} ${stage.id} --as NAME\` with TEMPORAL_ADDRESS=${stack.temporal.address}${signedOnly}`,
      );
    }
    for (const item of status.checklist) {
      const hintKey = `${item.id}:${item.attempts}`;
      if (item.status !== 'failed' || hinted.has(hintKey)) continue;
      hinted.add(hintKey);
      const owners = (plan.approvers[item.owner] ?? []).join(', ');
      say(
        `      the demo does not act on ${item.id}; fix what it found and run \`cutover retry-item ${workflowId} ${item.id} --as NAME\` as ${item.owner}: ${owners}, or the lead waives it, with TEMPORAL_ADDRESS=${stack.temporal.address}${signedOnly}`,
      );
    }
    await sleep(options.pollIntervalMs ?? 1_000, signal);
  }
}
