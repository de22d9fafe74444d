import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { renderStatus } from '../src/client/format/status.js';
import { createHttpCheckActivities } from '../src/activities/http-check.js';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { renderCurrentDetails } from '../src/workflows/current-details.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { abortUpdate, approveUpdate, decideUpdate, statusQuery, taskAnswerUpdate, type TaskAnswerArgs } from '../src/workflows/messages.js';
import type { TaskState } from '../src/workflows/task-state.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { refusalOf } from './helpers/refused-update.js';
import { stageOf } from './helpers/temporal.js';

const MIN = 60_000;
const STEP_MS = 5 * MIN;

describe('the task graph on the time-skipping server', function () {
  this.timeout(300_000);
  const harness = useCutoverHarness('time-skipping', 'task-graph');
  const { notifications } = harness;
  let server: Server;
  let probeUrl: string;
  const probes: string[] = [];
  let flakyFixed = false;

  before(async () => {
    server = createServer((req, res) => {
      probes.push(`${req.method} ${req.url}`);
      if (req.url === '/flaky' && !flakyFixed) return void res.writeHead(503).end('down for maintenance');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ settlement: { status: 'ok' } }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    probeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/settlement`;
  });
  after(() => new Promise<void>((done) => server.close(() => done())));

  beforeEach(async () => {
    await harness.stack.reset();
    notifications.length = 0;
    probes.length = 0;
  });

  const manual = (id: string, stream: string, owner: string, extra: Record<string, unknown> = {}) => ({
    id,
    title: id,
    stream,
    owner,
    kind: 'manual',
    estimate: '1h',
    ...extra,
  });
  const tasks = () => [
    manual('prefund', 'treasury', 'treasury', { notBefore: '-6h' }),
    manual('freeze', 'engineering', 'engineering', { notBefore: '-6h' }),
    {
      id: 'probe',
      title: 'Settlement service answers',
      stream: 'engineering',
      owner: 'engineering',
      kind: 'http-check',
      estimate: '10m',
      after: ['prefund', 'freeze'],
      check: { url: probeUrl, json: { field: 'settlement.status', equals: 'ok' } },
    },
    manual('change-approval', 'ops', 'ops', { estimate: '30m', after: ['probe'], gate: ['compliance'], before: ['go-live'] }),
    {
      id: 'customer-notice',
      title: 'Tell customers',
      stream: 'cx',
      owner: 'cx',
      kind: 'notify',
      notBefore: '-30m',
      estimate: '5m',
      before: ['go-live'],
      notify: { text: 'Cards go live at T' },
    },
    {
      id: 'settlement-check',
      title: 'Settlement file arrived',
      stream: 'engineering',
      owner: 'finance',
      kind: 'http-check',
      notBefore: '1h',
      estimate: '5m',
      after: ['go-live'],
      check: { url: probeUrl, method: 'HEAD' },
    },
  ];

  const taskOf = (status: CutoverStatus, id: string): TaskState => {
    const task = status.tasks?.find((t) => t.id === id);
    if (!task) throw new Error(`no task ${id}`);
    return task;
  };
  const answer = (handle: WorkflowHandle, args: TaskAnswerArgs) => handle.executeUpdate(taskAnswerUpdate, { args: [args] });

  /**
   * When the workflow next starts something on its own: the current stage's due time, a waiting task's time,
   * a running task reaching its estimate or overrun margin, or the forecast spending the gate's slack. Time is
   * skipped to just past it, never over it, so no activity runs while its clock jumps.
   */
  function nextWake(status: CutoverStatus, now: number): number {
    const times: number[] = [];
    const stage = status.stages.find((s) => s.id === status.currentStage);
    if (stage) times.push(Date.parse(stage.dueAt));
    for (const task of status.tasks ?? []) {
      if (task.status === 'waiting' && task.notBeforePlanAt) times.push(Date.parse(task.notBeforePlanAt));
      if (task.status === 'running' && task.startedAt)
        times.push(Date.parse(task.startedAt) + task.estimateMs, Date.parse(task.startedAt) + task.estimateMs * 1.5);
      const slack = status.forecast?.tasks.find((t) => t.id === task.id)?.slackMs;
      if (task.status === 'running' && slack !== undefined && slack >= 0) times.push(now + slack);
    }
    return Math.min(now + STEP_MS, ...times.filter((t) => t > now).map((t) => t + 1_000));
  }

  /** Skips time while nothing runs, and waits in real time while a check or stage does. */
  async function advanceUntil(handle: WorkflowHandle, done: (s: CutoverStatus) => boolean, what: string): Promise<CutoverStatus> {
    const { env } = harness;
    for (let step = 0; step < 2_000; step++) {
      const status = await handle.query(statusQuery);
      if (done(status)) return status;
      if (['completed', 'aborted', 'rolled-back'].includes(status.phase))
        throw new Error(`cutover ${status.phase} while waiting for ${what}`);
      const busy =
        status.phase === 'running' ||
        status.checklist.some((i) => i.status === 'checking') ||
        (status.tasks ?? []).some((t) => t.kind !== 'manual' && t.status === 'running');
      if (busy) {
        await delay(100);
        continue;
      }
      const now = await env.currentTimeMs();
      await env.sleep(nextWake(status, now) - now);
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  const told = (text: string) => notifications.filter((n) => n.includes(text));

  it('runs two streams side by side, a task after two others, a check, a gated task and the stages; warns once when go/no-go slips past T and once when it recovers', async () => {
    const plan = planFor(harness.stack, { tasks: tasks(), forecast: { overrunMargin: 0.5 } });
    const handle = await harness.start({ plan });

    const bothRunning = await advanceUntil(
      handle,
      (s) => taskOf(s, 'prefund').status === 'running' && taskOf(s, 'freeze').status === 'running',
      'both streams to start',
    );
    const goLiveAt = Date.parse(bothRunning.goLive);
    for (const id of ['prefund', 'freeze']) {
      assert.ok(Date.parse(taskOf(bothRunning, id).startedAt!) >= goLiveAt - 6 * HOUR, `${id} started no earlier than T-6h`);
    }
    assert.equal(taskOf(bothRunning, 'probe').status, 'waiting');
    assert.equal(bothRunning.forecast?.crossesT, false);

    assert.match(
      await refusalOf(answer(handle, { task: 'freeze', action: 'done', by: 'tomas', evidence: 'x' })),
      /freeze is Engineering \(erin, eli\)'s to mark done/,
    );
    assert.match(await refusalOf(answer(handle, { task: 'prefund', action: 'done', by: 'tomas' })), /evidence/);
    await advanceUntil(handle, (s) => Date.parse(s.forecast?.at ?? '') >= goLiveAt - 5.5 * HOUR, 'half an hour of prefunding');
    await answer(handle, { task: 'prefund', action: 'done', by: 'tomas', evidence: 'wire ref 123' });

    // freeze overruns: 1h estimate, so the go/no-go forecast (freeze → probe 10m → change-approval 30m) passes T at T-40m.
    const slipped = await advanceUntil(handle, (s) => s.forecast?.crossesT === true, 'the forecast to cross T');
    assert.ok(Date.parse(slipped.forecast!.at) >= goLiveAt - 41 * MIN, `crossed at ${slipped.forecast!.at}, not before T-40m`);
    assert.ok(slipped.forecast!.late.includes('freeze'));
    assert.deepEqual(slipped.forecast!.criticalPath, ['freeze', 'probe', 'change-approval', 'go-live']);
    assert.ok(slipped.forecast!.varianceMs > 0);
    assert.ok(slipped.forecast!.tasks.find((t) => t.id === 'freeze')!.slackMs! <= 0);
    const crossed = told('go/no-go is now forecast');
    assert.equal(crossed.length, 1, crossed.join('\n'));
    assert.match(crossed[0]!, /held up by freeze \(Engineering\).*\(to: lara, erin, eli\)/);
    assert.equal(told('task freeze (Engineering) has run').length, 1, 'the overrun past the margin was told once');
    const shown = renderStatus({ status: slipped, approvers: plan.approvers, executionStatus: 'RUNNING' });
    assert.match(shown, /Tasks:\n  go\/no-go forecast .* after T; critical path freeze → probe → change-approval → go-live; late: freeze/);
    assert.match(shown, /engineering +freeze +running \(late\) +engineering +[\d-]+ [\d:]+Z +-\S+/);
    assert.match(renderCurrentDetails(slipped), /\| engineering \| freeze \| running \(late\) \| Engineering \|/);

    await answer(handle, { task: 'freeze', action: 'done', by: 'erin', evidence: 'onboarding frozen, INC-42' });
    // The check runs at once and takes far less than its 10m estimate, so go/no-go is on time again.
    const recovered = await advanceUntil(
      handle,
      (s) => s.forecast?.crossesT === false && taskOf(s, 'probe').status === 'done',
      'the forecast to recover',
    );
    assert.match(taskOf(recovered, 'probe').evidence ?? '', /GET answered 200, settlement.status = "ok"/);
    assert.equal(told('go/no-go is now forecast').length, 1, 'told once only');
    assert.equal(told('go/no-go is forecast on time again').length, 1);
    assert.equal(told('task freeze is done after').length, 1, 'the overrun recovered once the task ended');
    assert.match(told('go/no-go is forecast on time again')[0]!, /\(to: lara, erin, eli\)/);

    assert.equal(taskOf(recovered, 'change-approval').status, 'running');
    await answer(handle, { task: 'change-approval', action: 'done', by: 'olivia', evidence: 'CAB-7 approved' });
    const gated = await advanceUntil(handle, (s) => taskOf(s, 'change-approval').status === 'holding', 'the change approval gate');
    assert.deepEqual(taskOf(gated, 'change-approval').hold?.awaiting, ['compliance']);
    assert.match(
      await refusalOf(answer(handle, { task: 'change-approval', action: 'approve', by: 'olivia' })),
      /cannot approve change-approval: it awaits Compliance \(cody\)/,
    );
    await answer(handle, { task: 'change-approval', action: 'approve', by: 'cody' });

    const atGoLive = await advanceUntil(handle, (s) => s.phase === 'holding' && s.currentStage === 'go-live', 'the go-live gate');
    assert.equal(taskOf(atGoLive, 'customer-notice').status, 'done');
    assert.equal(told('Cards go live at T').length, 1);
    const auth = await runLowRiskAuthorization(harness.stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    await advanceUntil(handle, (s) => s.phase === 'holding' && s.currentStage === 'debrief', 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'all green' }] });
    const result: CutoverStatus = await handle.result();

    assert.equal(result.phase, 'completed');
    for (const task of result.tasks!) assert.equal(task.status, 'done', `${task.id} done`);
    const [prefund, freeze, probe, approval, notice, settlement] = [
      'prefund',
      'freeze',
      'probe',
      'change-approval',
      'customer-notice',
      'settlement-check',
    ].map((id) => taskOf(result, id));
    const span = (t: TaskState) => [Date.parse(t.startedAt!), Date.parse(t.finishedAt!)] as const;
    assert.ok(span(prefund!)[0] < span(freeze!)[1] && span(freeze!)[0] < span(prefund!)[1], 'the two streams overlapped in time');
    assert.ok(span(probe!)[0] >= Math.max(span(prefund!)[1], span(freeze!)[1]), 'the probe waited for both');
    const goLive = stageOf(result, 'go-live');
    assert.ok(Date.parse(goLive.startedAt!) >= Math.max(span(approval!)[1], span(notice!)[1]), 'go-live waited for the tasks that feed it');
    assert.ok(span(settlement!)[0] >= Date.parse(goLive.finishedAt!), 'the settlement check ran after go-live');
    assert.deepEqual(
      approval!.approvals.map((a) => [a.by, a.role]),
      [['cody', 'compliance']],
    );
    assert.deepEqual(probes, ['GET /settlement', 'HEAD /settlement']);
    assert.equal(result.forecast?.alerts.filter((a) => a.kind === 'go-live').length, 1);
  });

  it('ends at its start, by the worker, a plan whose check names a host the worker does not allow, asking nothing', async () => {
    const plan = planFor(harness.stack, {
      tasks: [
        {
          id: 'remote',
          title: 'remote',
          owner: 'engineering',
          kind: 'http-check',
          estimate: '5m',
          check: { url: 'http://192.0.2.1/health' },
        },
      ],
    });
    const ended: CutoverStatus = await (await harness.start({ plan })).result();
    assert.equal(ended.phase, 'aborted');
    assert.equal(ended.abort?.by, 'worker');
    assert.match(
      ended.abort?.reason ?? '',
      /WEBHOOK_TARGET_NOT_ALLOWED: this worker asks only loopback hosts or the endpoints CUTOVER_WEBHOOK_URLS lists, and task remote names http:\/\/192\.0\.2\.1\/health/,
    );
    assert.equal(taskOf(ended, 'remote').status, 'skipped');
    assert.equal(taskOf(ended, 'remote').attempts, 0);
  });

  it('asks a failing check again per the plan, then holds for its owner until a retry passes', async () => {
    flakyFixed = false;
    const check = (id: string, url: string) => ({
      id,
      title: id,
      owner: 'engineering',
      kind: 'http-check',
      notBefore: '-30h',
      estimate: '5m',
      check: { url, retry: { attempts: 2, interval: '5m' } },
    });
    const plan = planFor(harness.stack, { tasks: [check('flaky', probeUrl.replace('/settlement', '/flaky'))] });
    const handle = await harness.start({ plan });
    const held = await advanceUntil(handle, (s) => taskOf(s, 'flaky').status === 'holding', 'the check to hold');
    const flaky = taskOf(held, 'flaky');
    assert.equal(flaky.attempts, 2);
    assert.deepEqual(flaky.hold?.awaiting, ['engineering']);
    assert.deepEqual(flaky.problems, ['GET http://127.0.0.1:' + new URL(probeUrl).port + '/flaky answered 503, expected 200']);
    assert.ok(told('task flaky (main) holds for Engineering (erin, eli)').length === 1);

    assert.match(
      await refusalOf(answer(handle, { task: 'flaky', action: 'retry', by: 'tomas' })),
      /flaky is Engineering \(erin, eli\)'s to retry/,
    );
    await advanceUntil(handle, () => told('task flaky has waited').length > 0, 'the hold to escalate');
    assert.ok((await harness.env.currentTimeMs()) >= Date.parse(flaky.hold.since) + 2 * HOUR, 'it escalated after the approval timeout');
    const escalated = told('task flaky has waited 120 min (plan time) for Engineering (erin, eli)');
    assert.equal(escalated.length, 1, notifications.join('\n'));
    assert.match(escalated[0]!, /\(to: lara, erin, eli\)/);
    flakyFixed = true;
    await answer(handle, { task: 'flaky', action: 'retry', by: 'erin' });
    const passed = await advanceUntil(handle, (s) => taskOf(s, 'flaky').status === 'done', 'the retried check to pass');
    assert.equal(taskOf(passed, 'flaky').attempts, 3);
    assert.equal(probes.filter((p) => p === 'GET /flaky').length, 3);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    assert.equal((await handle.result()).phase, 'aborted');
  });

  it('has the check activity refuse, once and for good, a host the worker does not allow', async () => {
    const result = await createHttpCheckActivities({ env: {} }).httpCheck({
      task: 'remote',
      url: 'http://192.0.2.1/health',
      method: 'GET',
      expectStatus: 200,
    });
    assert.equal(result.passed, false);
    assert.equal(result.final, true);
    assert.match(result.problem ?? '', /task remote names http:\/\/192\.0\.2\.1\/health/);
  });

  it('skips the tasks not yet done when the lead aborts', async () => {
    const plan = planFor(harness.stack, { tasks: tasks() });
    const handle = await harness.start({ plan });
    await advanceUntil(handle, (s) => taskOf(s, 'freeze').status === 'running', 'the tasks to start');
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'bank holiday moved' }] });
    const result: CutoverStatus = await handle.result();
    assert.equal(result.phase, 'aborted');
    for (const task of result.tasks!) {
      assert.equal(task.status, 'skipped', task.id);
      assert.match(task.reason ?? '', /aborted by lara/);
    }
    assert.deepEqual(probes, []);
  });
});
