/**
 * After roll-forward the cutover still sheds its history: on a dev server whose history limit is 16 MiB and
 * that suggests continue-as-new from 1 MiB, a flood of large refused signals reaches a cutover whose
 * post-launch watch runs. The cutover continues as new, the watch (which outlives the run that started it)
 * keeps reading, the lead's `cutover watch end` reaches it from the latest run, and the cutover completes
 * once its post-launch items are done.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { WorkflowHandle } from '@temporalio/client';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { loadPlanFile } from '../src/plan/load.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { openRequiredItems } from '../src/workflows/checklist-rules.js';
import type { ChecklistItemState, CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import { watchEventSignal, watchStatusQuery, watchWorkflowId } from '../src/workflows/watch-protocol.js';
import { useCliStack } from './helpers/cli-stack.js';
import {
  FLOOD_SIGNAL_CHARS,
  FLOOD_SIGNALS,
  floodWithSignals,
  SHEDDING_SERVER_LIMITS,
  settledAfterFlood,
  strangerAttempts,
} from './helpers/history-flood.js';
import { waitForStatus } from './helpers/wait-for-status.js';
import { note } from './helpers/suite-logs.js';

const stage = (status: CutoverStatus, id: string) => status.stages.find((s) => s.id === id) as StageState;
const checked = (i: ChecklistItemState) => i.kind === 'attested' || !!i.postLaunch || ['done', 'failed', 'waived'].includes(i.status);

describe('history shed after roll-forward, while the watch runs', function () {
  this.timeout(300_000);
  const world = useCliStack('watch-shed', { stackOptions: () => ({ temporalDynamicConfig: SHEDDING_SERVER_LIMITS }) });
  const cutover = (args: string[]) => world.cutover(args);
  let plan: CutoverPlan;
  let planFile: string;

  before(async () => {
    // A 48-hour watch (four minutes of wall time here): it runs on past the flood until the lead ends it.
    // Reminders a month ahead go out at roll-forward, before the flood, so a run that sent them again would show.
    const document = parseYaml(await readFile(world.planFile, 'utf8')) as Record<string, Record<string, unknown>>;
    planFile = join(world.dataDir, 'long-watch-plan.yaml');
    await writeFile(
      planFile,
      stringifyYaml({ ...document, postLaunch: { ...document['postLaunch'], watch: { window: '48h' }, remindBefore: '720h' } }),
    );
    plan = await loadPlanFile(planFile);
  });

  const waitFor = (workflowId: string, what: string, done: (status: CutoverStatus) => boolean, timeoutMs = 120_000) =>
    waitForStatus(world.stack.client, workflowId, what, done, timeoutMs);

  async function run(args: string[]): Promise<string> {
    const result = await cutover(args);
    assert.equal(result.code, 0, `cutover ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }

  const settled = (workflowId: string, done: (status: CutoverStatus) => boolean) => settledAfterFlood(world.stack.client, workflowId, done);

  async function untilClosed(handle: WorkflowHandle, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING' || Date.now() > deadline) return description.status.name;
      await delay(250);
    }
  }

  it('continues as new under a flood while watching; the watch keeps reading, the lead ends it from the latest run and the cutover completes', async () => {
    const workflowId = `watch-shed-${process.pid}-${Date.now().toString(36)}`;
    await run(['start', planFile, '--id', workflowId, '--go-live', '+1h', '--time-scale', '720', '--as', 'lara']);
    const handle = world.stack.client.workflow.getHandle(workflowId);

    // To roll-forward: the checklist closed, go-live approved by the lead (with a real authorization) and Engineering.
    const ready = await waitFor(
      workflowId,
      'go-live holding, every check run',
      (s) => stage(s, 'go-live').status === 'holding' && s.checklist.every(checked),
    );
    for (const i of ready.checklist) {
      const owner = plan.approvers[i.owner]?.[0];
      if (i.status === 'failed') await run(['waive', workflowId, i.id, '--as', 'lara', '--reason', 'local stack: the receiver has no TLS']);
      else if (i.kind === 'attested' && !i.optional && !i.postLaunch && i.status === 'open' && owner) {
        await run(['complete', workflowId, i.id, '--as', owner, '--evidence', `${i.id}: checked in the watch test`]);
      }
    }
    await waitFor(workflowId, 'no required readiness item open', (s) => openRequiredItems(s).size === 0);
    const authorization = await runLowRiskAuthorization(world.stack.production.url);
    await run(['approve', workflowId, 'go-live', '--as', 'lara', '--authorization-id', authorization.id]);
    await run(['approve', workflowId, 'go-live', '--as', 'erin', '--note', 'smoke tests green']);
    await waitFor(workflowId, 'the debrief holds', (s) => stage(s, 'debrief').status === 'holding');
    await run(['decide', workflowId, 'roll-forward', '--as', 'lara', '--reason', 'all green']);
    const watching = await waitFor(workflowId, 'watching', (s) => s.phase === 'watching' && s.watch !== undefined);
    const watchHandle = world.stack.client.workflow.getHandle(watchWorkflowId(workflowId));
    const readsBefore = (await watchHandle.query(watchStatusQuery)).reads;
    // Whoever can signal the namespace could claim the watch finished: without the link it ends nothing.
    await handle.signal(watchEventSignal, {
      kind: 'finished',
      result: { status: 'completed', endsPlanAt: watching.goLive, reads: 0, runs: 1, alerts: [], summaries: [] },
    });
    const forged = await waitFor(workflowId, 'the forged end counted', (s) => (s.forgedMessages ?? 0) === 1);
    assert.equal(forged.watch?.status, 'watching');
    assert.equal(forged.watch?.finishedAt, undefined);

    const floodStarted = Date.now();
    const errors = await floodWithSignals(handle);
    assert.deepEqual(errors, [], 'every signal of the flood reached the cutover');
    const after = await settled(workflowId, (s) => strangerAttempts(s) >= strangerAttempts(watching) + FLOOD_SIGNALS);
    note(
      `      ${FLOOD_SIGNALS} signals of ${FLOOD_SIGNAL_CHARS / 1000} KB in ${Date.now() - floodStarted} ms while watching: run ${after.history?.runs}, ` +
        `continued as new at ${after.history?.continuedAsNew.map((c) => `${Math.round(c.bytes / 1024)} KiB`).join(', ')}`,
    );
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    assert.ok((after.history?.runs ?? 0) >= 2, `the flood is more than one run can hold; runs: ${after.history?.runs}`);
    assert.equal(after.phase, 'watching');
    assert.equal(after.watch?.startedAt, watching.watch?.startedAt, 'the watch was not started again');

    // The watch outlived the runs that continued as new, and keeps reading.
    assert.equal((await watchHandle.describe()).status.name, 'RUNNING');
    const readsAfterFlood = (await watchHandle.query(watchStatusQuery)).reads;
    assert.ok(readsAfterFlood > readsBefore, `the watch read ${readsBefore} then ${readsAfterFlood}`);
    // A compressed watch reads its intervals in batches up to 2 s of wall time apart (post-launch-watch.ts),
    // so the next read is waited for, within a bound, rather than expected inside a fixed 2 s.
    let readsLater = readsAfterFlood;
    for (const deadline = Date.now() + 10_000; readsLater <= readsAfterFlood && Date.now() < deadline;) {
      await delay(250);
      readsLater = (await watchHandle.query(watchStatusQuery)).reads;
    }
    assert.ok(readsLater > readsAfterFlood, `the watch stopped reading at ${readsAfterFlood}`);

    // The latest run forwards the lead's decision by id, and learns by message that the watch ended.
    const ended = await run(['watch', 'end', workflowId, '--as', 'lara', '--reason', 'quiet first hours']);
    assert.match(ended, /the post-launch watch ends now/);
    const watchOver = await waitFor(workflowId, 'the watch ended', (s) => s.watch?.status === 'ended-early');
    assert.equal(watchOver.watch?.finishedAt !== undefined, true);
    assert.equal(await untilClosed(watchHandle), 'COMPLETED');

    const current = await waitFor(workflowId, 'post-launch items open', (s) => s.checklist.some((i) => i.postLaunch));
    for (const i of current.checklist.filter((c) => c.postLaunch && c.kind === 'attested' && c.status === 'open')) {
      const owner = plan.approvers[i.owner]?.[0];
      if (owner) await run(['complete', workflowId, i.id, '--as', owner, '--evidence', `${i.id}: done after the flood`]);
    }
    const completed = await waitFor(workflowId, 'completed', (s) => s.phase === 'completed');
    assert.equal(completed.watch?.status, 'ended-early');
    // Reminders sent before a run continued as new are not sent again by the next.
    const sent = completed.reminders.map((r) => `${r.item} ${r.kind}`);
    note(`      reminders and overdue notices: ${sent.length} over ${completed.history?.runs} runs`);
    assert.ok(sent.length > 0, 'no reminder went out, so this proves nothing');
    assert.deepEqual(sent, [...new Set(sent)]);
    assert.equal(completed.forgedMessages, 1, "only the forged one: the watch's messages reached each run with the link it carries");
    assert.equal(await untilClosed(handle), 'COMPLETED');
  });
});
