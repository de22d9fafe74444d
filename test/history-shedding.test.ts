/**
 * A cutover sheds its history before Temporal's limits, on a dev server whose limits are set low: a
 * history past 16 MiB is terminated and continue-as-new is suggested from 1 MiB, a wider gap than the
 * server's defaults (50 MB and 4 MB) to leave room for a slow machine. Every signal is written to history
 * whatever the workflow does with it, so a flood of large refused signals ends a cutover that does not
 * continue as new (the control); one that does keeps its state, answers `status`, moves on with later
 * approvals and still undoes what it changed on abort, also when a roll-back step holds for Engineering.
 * Refused updates write nothing; accepted ones do, and are shed the same way.
 */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowExecutionDescription, type WorkflowHandle } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { startCutover } from '../src/operations/cutover-workflow.js';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { loadPlanFile } from '../src/plan/load.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { openRequiredItems } from '../src/workflows/checklist-rules.js';
import type { StageId } from '../src/runbook/stages.js';
import { approveUpdate, retryItemUpdate, statusQuery } from '../src/workflows/messages.js';
import type { ChecklistItemState, CutoverStatus, HistoryLimits, StageState } from '../src/workflows/cutover-state.js';
import { useCliStack } from './helpers/cli-stack.js';
import { writeHeldRestorePlan } from './helpers/held-restore-plan.js';
import { refusalOf } from './helpers/refused-update.js';
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

/** What the control cutover is started with: it never continues as new. */
const NEVER_SHED: HistoryLimits = { onServerSuggestion: false, continueAsNewAtEvents: 1e9, continueAsNewAtBytes: 1e12 };

let runCounter = 0;
function freshId(prefix: string): string {
  runCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${runCounter}`;
}

const stage = <S extends StageId>(status: CutoverStatus, id: S) => status.stages.find((s) => s.id === id) as StageState<S>;
const item = (status: CutoverStatus, id: string) => status.checklist.find((i) => i.id === id) as ChecklistItemState;
const checked = (i: ChecklistItemState) => i.kind === 'attested' || !!i.postLaunch || ['done', 'failed', 'waived'].includes(i.status);

describe('history shed before Temporal terminates a cutover', function () {
  this.timeout(300_000);
  const world = useCliStack('shed', { stackOptions: () => ({ temporalDynamicConfig: SHEDDING_SERVER_LIMITS }) });
  const cutover = (args: string[]) => world.cutover(args);
  let plan: CutoverPlan;

  before(async () => {
    plan = await loadPlanFile(world.planFile);
  });

  const waitFor = (workflowId: string, what: string, done: (status: CutoverStatus) => boolean, timeoutMs = 120_000) =>
    waitForStatus(world.stack.client, workflowId, what, done, timeoutMs);

  const settled = (workflowId: string, done: (status: CutoverStatus) => boolean) => settledAfterFlood(world.stack.client, workflowId, done);

  async function untilClosed(handle: WorkflowHandle, timeoutMs = 60_000): Promise<WorkflowExecutionDescription> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING' || Date.now() > deadline) return description;
      await delay(250);
    }
  }

  /** Closes the launch checklist through the CLI: required attested items by their owners, the TLS check waived. */
  async function closeChecklist(workflowId: string): Promise<CutoverStatus> {
    const ready = await waitFor(workflowId, 'every automated check has run', (s) => s.checklist.every(checked));
    const commands = ready.checklist.flatMap((i): string[][] => {
      if (i.status === 'failed') return [['waive', workflowId, i.id, '--as', 'lara', '--reason', 'local stack: the receiver has no TLS']];
      const owner = plan.approvers[i.owner]?.[0];
      if (i.kind !== 'attested' || i.optional || i.postLaunch || i.status !== 'open' || !owner) return [];
      return [['complete', workflowId, i.id, '--as', owner, '--evidence', `${i.id}: checked in the history test`]];
    });
    for (const args of commands) {
      const result = await cutover(args);
      assert.equal(result.code, 0, `cutover ${args.join(' ')}: ${result.stderr}`);
    }
    return waitFor(workflowId, 'no required readiness item open', (s) => openRequiredItems(s).size === 0);
  }

  /** A cutover whose go-live is a month away, so it waits on its first stage whatever the flood does. */
  const startMonthAhead = (workflowId: string, history: HistoryLimits) =>
    startCutover(world.stack.client, {
      plan,
      planFile: world.planFile,
      goLive: new Date(Date.now() + 30 * 24 * 3_600_000),
      timeScale: 1,
      startedBy: 'lara',
      workflowId,
      history,
    });

  it('lets Temporal terminate a cutover that does not continue as new when large refused signals flood it (the control)', async () => {
    const workflowId = freshId('shed-control');
    const handle = await startMonthAhead(workflowId, NEVER_SHED);
    await waitFor(workflowId, 'every automated check has run', (s) => s.checklist.every(checked));
    const started = Date.now();
    const refusedByServer = await floodWithSignals(handle);
    const closed = await untilClosed(handle);
    note(
      `      control: ${FLOOD_SIGNALS} signals of ${FLOOD_SIGNAL_CHARS / 1000} KB sent (${refusedByServer.length} refused by the server); ${closed.status.name} after ${Date.now() - started} ms`,
    );
    assert.equal(closed.status.name, 'TERMINATED', 'the flood stays under the server limit, so the test proves nothing');
    // The last event only: the whole history is more than one gRPC message may carry.
    const { history } = await world.stack.client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: world.stack.temporal.namespace,
      execution: { workflowId, runId: closed.runId },
      maximumPageSize: 1,
    });
    const reason = history?.events?.[0]?.workflowExecutionTerminatedEventAttributes?.reason ?? '';
    assert.match(reason, /history size exceeds limit/i);
  });

  it('continues as new under the same flood while go-live holds: status answers with the same stages and checklist, later approvals move it on and abort completes its compensations', async () => {
    const workflowId = freshId('shed-signals');
    const started = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '+1h', '--time-scale', '720', '--as', 'lara']);
    assert.equal(started.code, 0, started.stderr);
    const handle = world.stack.client.workflow.getHandle(workflowId);
    const firstRunId = (await handle.describe()).runId;
    await waitFor(
      workflowId,
      'go-live holding, every check run',
      (s) => stage(s, 'go-live').status === 'holding' && s.checklist.every(checked),
    );
    // Answers given before the flood must be there after it.
    for (const args of [
      ['complete', workflowId, 'tier1-error-codes', '--as', 'carlos', '--evidence', 'error code guide reviewed'],
      ['waive', workflowId, 'webhook-endpoint-tls', '--as', 'lara', '--reason', 'local stack: the receiver has no TLS'],
    ]) {
      const result = await cutover(args);
      assert.equal(result.code, 0, result.stderr);
    }
    const before = await waitFor(
      workflowId,
      'the answers on record',
      (s) => item(s, 'webhook-endpoint-tls').status === 'waived' && !s.history?.continuedAsNew.length,
    );

    const floodStarted = Date.now();
    const errors = await floodWithSignals(handle);
    assert.deepEqual(errors, [], 'every signal of the flood reached the cutover');
    const after = await settled(workflowId, (s) => strangerAttempts(s) >= strangerAttempts(before) + FLOOD_SIGNALS);
    const description = await handle.describe();
    note(
      `      ${FLOOD_SIGNALS} signals of ${FLOOD_SIGNAL_CHARS / 1000} KB in ${Date.now() - floodStarted} ms: run ${after.history?.runs}, ` +
        `continued as new at ${after.history?.continuedAsNew.map((c) => `${c.events} events/${Math.round(c.bytes / 1024)} KiB`).join(', ')}`,
    );
    assert.equal(description.status.name, 'RUNNING');
    assert.ok((after.history?.runs ?? 0) >= 2, `the flood is more than one run can hold; runs: ${after.history?.runs}`);
    assert.ok(after.history?.continuedAsNew.every((c) => c.bytes < SHEDDING_SERVER_LIMITS['limit.historySize.error']));
    assert.notEqual(description.runId, firstRunId);
    assert.equal(
      description.raw.workflowExecutionInfo?.firstRunId,
      firstRunId,
      'the run chain keeps its first run id, which names the money calls',
    );
    assert.equal(strangerAttempts(after), strangerAttempts(before) + FLOOD_SIGNALS);
    assert.deepEqual(after.stages, before.stages);
    assert.deepEqual(after.checklist, before.checklist);
    assert.deepEqual(after.owedCompensations, before.owedCompensations);
    assert.equal(after.startedAt, before.startedAt);

    const status = await cutover(['status', workflowId]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /phase holding at go-live/);
    assert.match(status.stdout, /history: run \d+; continued as new at .* after \d+ events, \d+ KiB \(the server suggested it\)/);
    assert.match(status.stdout, /engineering \(erin\|eli\)/, 'the memo naming the approvers is carried to the new runs');
    // What the Temporal UI shows for the workflow id: the latest run's stage table, saying which run it is.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    assert.match(metadata.currentDetails ?? '', /\| T \| go-live \| ◆ holding \|/);
    const shownRun = /Run (\d+) of this cutover, started by lara/.exec(metadata.currentDetails ?? '');
    assert.ok(shownRun, (metadata.currentDetails ?? '').slice(-600));
    // The run that answered may have continued once more since: the flood left its history past the suggestion.
    assert.ok(Number(shownRun[1]) >= (after.history?.runs ?? 2), `run ${shownRun[1]} shown, run ${after.history?.runs} answered`);
    const listed = await cutover(['list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(
      (JSON.parse(listed.stdout) as { workflowId: string }[]).filter((l) => l.workflowId === workflowId).length,
      1,
      'one cutover, however many runs',
    );

    await closeChecklist(workflowId);
    const authorization = await runLowRiskAuthorization(world.stack.production.url);
    const lead = await cutover(['approve', workflowId, 'go-live', '--as', 'lara', '--authorization-id', authorization.id]);
    assert.equal(lead.code, 0, lead.stderr);
    assert.match(lead.stdout, /go-live still awaits Engineering/);
    const engineering = await cutover(['approve', workflowId, 'go-live', '--as', 'erin', '--note', 'smoke tests green']);
    assert.equal(engineering.code, 0, engineering.stderr);
    const debrief = await waitFor(workflowId, 'the debrief holds', (s) => stage(s, 'debrief').status === 'holding');
    const card = (stage(debrief, 'go-live').evidence.smokeTests as { issueCard?: { externalRef?: string } }).issueCard;
    assert.ok(card?.externalRef?.includes(firstRunId), `the go-live test card is named by the first run: ${card?.externalRef}`);

    const aborted = await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'rehearsal over']);
    assert.equal(aborted.code, 0, aborted.stderr);
    const ended = await waitFor(workflowId, 'aborted', (s) => s.phase === 'aborted');
    assert.deepEqual(ended.owedCompensations, []);
    assert.deepEqual(
      ended.compensations.map((c) => c.step),
      (before.owedCompensations ?? []).map((c) => c.step).reverse(),
      'what the first run changed is undone by the last, newest first',
    );
    assert.deepEqual(
      ended.compensations.filter((c) => c.status !== 'done').map((c) => [c.step, c.status, c.detail]),
      [],
      'every compensation ran',
    );
    assert.equal((await untilClosed(handle)).status.name, 'COMPLETED');
  });

  it('continues as new while a roll-back step holds for Engineering, and takes the answer in the new run without trying the step again', async () => {
    const planFile = await writeHeldRestorePlan(world);
    const workflowId = freshId('shed-held');
    const started = await cutover(['start', planFile, '--id', workflowId, '--go-live', '+1h', '--time-scale', '720', '--as', 'lara']);
    assert.equal(started.code, 0, started.stderr);
    const handle = world.stack.client.workflow.getHandle(workflowId);
    await waitFor(workflowId, 'T-2h passed', (s) => stage(s, 'disable-sandbox-jobs').status === 'passed');
    const aborted = await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'rehearsal over']);
    assert.equal(aborted.code, 0, aborted.stderr);
    const before = await waitFor(workflowId, 'the restore to hold', (s) => s.compensations.some((c) => c.status === 'held'));

    const errors = await floodWithSignals(handle);
    assert.deepEqual(errors, [], 'every signal of the flood reached the cutover');
    const after = await settled(workflowId, (s) => strangerAttempts(s) >= strangerAttempts(before) + FLOOD_SIGNALS);
    note(
      `      held: run ${after.history?.runs}, continued as new at ${after.history?.continuedAsNew.map((c) => `${Math.round(c.bytes / 1024)} KiB`).join(', ')}`,
    );
    assert.equal((await handle.describe()).status.name, 'RUNNING');
    assert.ok((after.history?.runs ?? 0) >= 2, `runs: ${after.history?.runs}`);
    assert.equal(after.phase, 'holding');
    assert.deepEqual(after.compensations, before.compensations, 'the held step was not tried again');
    assert.deepEqual(after.owedCompensations, before.owedCompensations);

    const done = await cutover([
      'compensation',
      'done',
      workflowId,
      'restore-sandbox-jobs',
      '--evidence',
      'enabled from the sandbox console, OPS-981',
      '--as',
      'erin',
    ]);
    assert.equal(done.code, 0, done.stderr);
    const ended = await waitFor(workflowId, 'aborted', (s) => s.phase === 'aborted');
    const restore = ended.compensations.find((c) => c.step === 'restore-sandbox-jobs');
    assert.equal(restore?.status, 'done-by-hand');
    assert.equal(restore?.holds, 1, 'held once, across runs');
    assert.deepEqual(ended.owedCompensations, []);
    assert.equal((await untilClosed(handle)).status.name, 'COMPLETED');
  });

  it('writes nothing to history for refused updates however large, and sheds what accepted updates write at its own event limit', async () => {
    const workflowId = freshId('shed-updates');
    // Its own limit, well below the server's suggestion, so it is what this cutover continues on.
    const handle = await startMonthAhead(workflowId, { continueAsNewAtEvents: 1_500 });
    await waitFor(workflowId, 'every automated check has run', (s) => s.checklist.every(checked));

    const quiet = await handle.describe();
    for (let n = 0; n < 20; n++) {
      const reason = await refusalOf(
        handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: `${n}-${'m'.repeat(1_000_000)}` }] }),
      );
      assert.match(reason, /^by is [\d,]+ characters/);
    }
    const afterRefused = await handle.describe();
    assert.equal(afterRefused.historyLength, quiet.historyLength, '20 MB of refused updates wrote no event');

    // The lead re-runs four automated checks over and over: each accepted retry writes its update and its check's activity.
    const items = ['production-credentials', 'cicd-env-vars', 'bin-catalogue', 'prefund-master-accounts'];
    const accepted: Record<string, number> = Object.fromEntries(items.map((id) => [id, 0]));
    let continued = false;
    const floodStarted = Date.now();
    await Promise.all(
      items.map(async (id) => {
        while (!continued && Date.now() - floodStarted < 180_000) {
          try {
            await handle.executeUpdate(retryItemUpdate, { args: [{ item: id, by: 'lara' }] });
            accepted[id] = (accepted[id] ?? 0) + 1;
          } catch (err) {
            // Refused while the check runs, or while the cutover waits to continue as new.
            if (!(err instanceof WorkflowUpdateFailedError)) throw err;
            await delay(20);
            continue;
          }
          if ((accepted[id] ?? 0) % 10 === 0) continued = ((await handle.query(statusQuery)).history?.runs ?? 1) > 1;
        }
      }),
    );
    const total = Object.values(accepted).reduce((sum, n) => sum + n, 0);
    const after = await waitFor(workflowId, 'every retry checked', (s) =>
      items.every((id) => item(s, id).attempts === 1 + (accepted[id] ?? 0) && checked(item(s, id))),
    );
    const description = await handle.describe();
    note(
      `      ${total} accepted retries in ${Date.now() - floodStarted} ms; run ${after.history?.runs} with ${description.historyLength} events`,
    );
    assert.ok(continued, 'the accepted updates never filled a history');
    assert.match(after.history?.continuedAsNew[0]?.why ?? '', /^\d+ events reached the limit of 1500$/);
    assert.equal(description.status.name, 'RUNNING');
    for (const id of items)
      assert.equal(item(after, id).attempts, 1 + (accepted[id] ?? 0), `${id}: every accepted retry ran once, across runs`);

    const abort = await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'end of test']);
    assert.equal(abort.code, 0, abort.stderr);
    const ended = await waitFor(workflowId, 'aborted', (s) => s.phase === 'aborted');
    assert.deepEqual(ended.owedCompensations, []);
  });
});
