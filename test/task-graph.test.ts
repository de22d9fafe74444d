import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { parseDocument, stringify as stringifyYaml } from 'yaml';
import { renderCalendar } from '../src/client/format/calendar.js';
import { buildLaunchReport, launchReportMarkdown } from '../src/client/format/launch-report.js';
import { timelinePicture } from '../src/client/format/launch-report/html-charts.js';
import { renderComparison } from '../src/client/format/rehearsal-comparison.js';
import { renderStatus } from '../src/client/format/status.js';
import { compareWithRehearsal } from '../src/operations/rehearsal-comparison.js';
import { timelineEntries, type TimelineEntry } from '../src/operations/timeline-entries.js';
import { calibratePlanText, estimateText } from '../src/plan/calibrate.js';
import { createHttpCheckActivities } from '../src/activities/http-check.js';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { renderCurrentDetails } from '../src/workflows/current-details.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { abortUpdate, approveUpdate, decideUpdate, statusQuery, taskAnswerUpdate, type TaskAnswerArgs } from '../src/workflows/messages.js';
import type { TaskState } from '../src/workflows/task-state.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFileFor, planFor } from './helpers/plans.js';
import { formatDuration, formatOffset } from '../src/plan/duration.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import type { CutoverView } from '../src/room/cutovers.js';
import { cutoverSections } from '../src/room/pages.js';
import type { Viewer } from '../src/room/viewer.js';
import type { Role } from '../src/runbook/stages.js';
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
  /**
   * The notices with this text once the first has arrived: a notice is an activity the workflow starts without
   * waiting, so it may land just after the status that caused it.
   */
  async function toldAfterAWhile(text: string): Promise<string[]> {
    for (let tries = 0; tries < 200 && told(text).length === 0; tries++) await delay(50);
    return told(text);
  }

  interface GraphRun {
    /** The run taken to completion, which the views below read as `cutover` would. */
    finished: { status: CutoverStatus; overrides: Record<string, unknown>; approvers: Record<string, string[]> };
    /** The same run while the freeze ran late and go/no-go was forecast past T, with its plan. */
    slipped: { status: CutoverStatus; plan: CutoverPlan };
  }
  let graphRun: Promise<GraphRun> | undefined;
  /** Run once for the whole suite by whichever test needs it first, so each test also runs alone (`--grep`). */
  const theGraphRun = () => (graphRun ??= runTheGraph());

  it('runs two streams side by side, a task after two others, a check, a gated task and the stages; warns once when go/no-go slips past T and once when it recovers', async () => {
    await theGraphRun();
  });

  async function runTheGraph(): Promise<GraphRun> {
    const overrides = { tasks: tasks(), forecast: { overrunMargin: 0.5 } };
    const plan = planFor(harness.stack, overrides);
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
    const crossed = await toldAfterAWhile('go/no-go is now forecast');
    assert.equal(crossed.length, 1, crossed.join('\n'));
    assert.match(crossed[0]!, /held up by freeze \(Engineering\).*\(to: lara, erin, eli\)/);
    assert.equal((await toldAfterAWhile('task freeze (Engineering) has run')).length, 1, 'the overrun past the margin was told once');
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
    assert.equal((await toldAfterAWhile('go/no-go is forecast on time again')).length, 1);
    assert.equal((await toldAfterAWhile('task freeze is done after')).length, 1, 'the overrun recovered once the task ended');
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
    assert.equal((await toldAfterAWhile('Cards go live at T')).length, 1);
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
    return { finished: { status: result, overrides, approvers: plan.approvers }, slipped: { status: slipped, plan } };
  }

  const completedRun = async () => (await theGraphRun()).finished;
  const entryOf = (entries: TimelineEntry[], id: string) => {
    const entry = entries.find((e) => e.id === id);
    assert.ok(entry, `an entry for ${id}`);
    return entry;
  };
  const toSecond = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();

  it('puts each task on the timeline in its stream, planned from its not-before time, dependencies and estimates, with what it waited for', async () => {
    const { status } = await completedRun();
    const entries = timelineEntries(status);
    const T = Date.parse(status.goLive);
    const at = (offsetMs: number) => new Date(T + offsetMs).toISOString();
    assert.deepEqual(
      entries.filter((e) => e.kind === 'task').map((e) => [e.id, e.stream, e.owner]),
      [
        ['prefund', 'treasury', 'treasury'],
        ['freeze', 'engineering', 'engineering'],
        ['probe', 'engineering', 'engineering'],
        ['change-approval', 'ops', 'ops'],
        ['customer-notice', 'cx', 'cx'],
        ['settlement-check', 'engineering', 'finance'],
      ],
    );
    const planned = (id: string) => [entryOf(entries, id).plannedStart, entryOf(entries, id).plannedEnd];
    assert.deepEqual(planned('prefund'), [at(-6 * HOUR), at(-5 * HOUR)], 'its not-before time and its estimate');
    assert.deepEqual(planned('probe'), [at(-5 * HOUR), at(-5 * HOUR + 10 * MIN)], 'once both it waits for are planned to end');
    assert.deepEqual(planned('change-approval'), [at(-5 * HOUR + 10 * MIN), at(-4 * HOUR - 20 * MIN)]);
    assert.deepEqual(planned('settlement-check'), [at(HOUR), at(HOUR + 5 * MIN)], 'an hour after go-live, as the plan says');
    const approval = entryOf(entries, 'change-approval');
    assert.deepEqual(approval.gate, ['compliance']);
    assert.ok(approval.approvalTimeoutMs! > 0);
    assert.deepEqual(entryOf(entries, 'probe').after, ['prefund', 'freeze']);
    const goLive = entryOf(entries, 'go-live');
    assert.ok(goLive.after.includes('change-approval') && goLive.after.includes('customer-notice'), goLive.after.join(', '));
    const freezeState = taskOf(status, 'freeze');
    const freeze = entryOf(entries, 'freeze');
    assert.deepEqual(
      [freeze.status, freeze.actualStart, freeze.actualEnd, freeze.durationMs],
      ['done', freezeState.startedAt, freezeState.finishedAt, Date.parse(freezeState.finishedAt!) - Date.parse(freezeState.startedAt!)],
    );
    for (const id of status.forecast!.criticalPath) assert.equal(entryOf(entries, id).critical, true, `${id} on the critical path`);
    assert.equal(entryOf(entries, 'settlement-check').critical, undefined, 'go-live does not wait for the settlement check');
  });

  it("writes an event per task and per task gate into the calendar, with the task's approve command", async () => {
    const { status, approvers } = await completedRun();
    const entries = timelineEntries(status);
    // ical.js ships as an ECMAScript module only; this suite compiles to CommonJS.
    const { default: ICAL } = await import('ical.js');
    const calendar = new ICAL.Component(ICAL.parse(renderCalendar(status, approvers)));
    const events = calendar.getAllSubcomponents('vevent').map((component) => new ICAL.Event(component));
    const gated = entries.filter((e) => e.gate.length > 0);
    assert.ok(gated.some((e) => e.id === 'change-approval'));
    assert.equal(events.length, entries.length + gated.length, 'one event per stage and task, and one per gate');
    for (const task of entries.filter((e) => e.kind === 'task')) {
      const event = events.find((e) => e.uid === `${status.workflowId}.${task.id}.task@payca-cutover`);
      assert.ok(event, `an event for task ${task.id}`);
      assert.equal(event.startDate.toJSDate().toISOString(), toSecond(task.plannedStart), `${task.id} at its planned start`);
      assert.equal(event.endDate.toJSDate().toISOString(), toSecond(task.plannedEnd!), `${task.id} ends after its estimate`);
      assert.match(event.description, new RegExp(`^Task ${task.id} \\(stream ${task.stream}\\)`, 'm'));
    }
    const gate = events.find((e) => e.uid === `${status.workflowId}.change-approval.gate@payca-cutover`);
    assert.ok(gate, 'an event for the change-approval gate');
    assert.equal(gate.startDate.toJSDate().toISOString(), toSecond(entryOf(entries, 'change-approval').plannedEnd!));
    assert.match(gate.summary, /approve change-approval \(Compliance\)/);
    assert.match(gate.description, /Approver: Compliance \(cody\)/);
    assert.match(gate.description, new RegExp(`cutover task approve ${status.workflowId} change-approval --as NAME`));
  });

  it('compares tasks with the rehearsal: each task a row in its stream with both durations and the variance', async () => {
    const { status } = await completedRun();
    // The rehearsal as the same run with the freeze ten minutes quicker.
    const rehearsal = structuredClone(status);
    const rehearsed = taskOf(rehearsal, 'freeze');
    rehearsed.finishedAt = new Date(Date.parse(rehearsed.finishedAt!) - 10 * MIN).toISOString();
    const comparison = compareWithRehearsal(rehearsal, status);
    assert.deepEqual(
      comparison.rows.map((r) => r.id),
      timelineEntries(status).map((e) => e.id),
    );
    const freeze = comparison.rows.find((r) => r.id === 'freeze')!;
    const live = taskOf(status, 'freeze');
    const liveMs = Date.parse(live.finishedAt!) - Date.parse(live.startedAt!);
    assert.deepEqual(
      [freeze.kind, freeze.stream, freeze.estimateMs, freeze.liveMs, freeze.rehearsalMs, freeze.varianceMs],
      ['task', 'engineering', HOUR, liveMs, liveMs - 10 * MIN, 10 * MIN],
    );
    assert.equal(comparison.rows.find((r) => r.id === 'probe')?.varianceMs, 0);
    const table = renderComparison(comparison);
    assert.match(table, /stage or task\s+stream\s+estimate\s+rehearsal\s+live\s+variance\s+live vs estimate/);
    assert.match(table, /freeze\s+engineering\s+1h\s+\S+\s+\S+\s+\+10m \(\+[\d.]+%\)/);
    assert.match(table, /go-live\s+runbook\s+/);
    assert.match(table, /stage\(s\) and task\(s\) that passed in both/);
  });

  it("calibrates the plan's task estimates from the run, by task id, and the plan still loads", async () => {
    const { status, overrides } = await completedRun();
    const text = stringifyYaml(planFileFor(harness.stack, overrides));
    const measured = timelineEntries(status).flatMap((e) =>
      e.kind === 'task' && e.durationMs !== undefined ? [{ task: e.id, durationMs: e.durationMs }] : [],
    );
    assert.equal(measured.length, 6);
    const calibrated = parseDocument(calibratePlanText(text, 'plan.yaml', [], measured)).toJS() as {
      tasks: { id: string; estimate: string }[];
    };
    for (const { task, durationMs } of measured) {
      assert.equal(calibrated.tasks.find((t) => t.id === task)?.estimate, estimateText(durationMs), `${task}: its measured duration`);
    }
    const freeze = taskOf(status, 'freeze');
    assert.notEqual(
      estimateText(Date.parse(freeze.finishedAt!) - Date.parse(freeze.startedAt!)),
      '1h',
      'the overrun is written, not the old estimate',
    );
  });

  it("shows the room the go/no-go forecast against T, each task's slack and what is late, and gives a manual task's owner the form to mark it done", async () => {
    const { status, plan } = (await theGraphRun()).slipped;
    const viewer = (name: string, roles: Role[]): Viewer => ({
      name,
      roles,
      identity: { issuer: 'https://id.example', subject: name } as Viewer['identity'],
    });
    const view = (who: Viewer): CutoverView => ({
      workflowId: status.workflowId,
      plan,
      reading: { status, executionStatus: 'RUNNING', approvers: {} },
      viewer: who,
      awaited: { stages: [], items: [] },
    });
    const page = cutoverSections(view(viewer('erin', ['engineering'])), {})['tasks']?.text ?? '';
    const T = Date.parse(status.goLive);
    const seconds = (ms: number) => Math.round(ms / 1000) * 1000;
    const goNoGo = formatOffset(seconds(Date.parse(status.forecast!.goNoGoAt) - T));
    assert.match(page, new RegExp(`Go/no-go forecast at <strong>${goNoGo.replace('+', '\\+')}</strong>\\s*\\(\\S+ after T\\)`));
    assert.match(page, /critical path freeze → probe → change-approval → go-live/);
    assert.ok(status.forecast!.late.includes('freeze'));
    assert.ok(page.includes(`<strong>late: ${status.forecast!.late.join(', ')}</strong>`), 'the late tasks named');
    assert.equal([...page.matchAll(/<tr class="task-/g)].length, status.tasks!.length, 'a row per task');
    const row = (id: string) => page.match(new RegExp(`<tr class="([^"]*)" data-task="${id}">([\\s\\S]*?)</tr>`)) ?? [];
    assert.match(row('freeze')[1] ?? '', /task-running late critical/);
    assert.match(row('freeze')[2] ?? '', /<td>engineering<\/td>\s*<td>Engineering<\/td>\s*<td>T-6h to T-5h<\/td>/);
    const slack = status.forecast!.tasks.find((t) => t.id === 'freeze')!.slackMs!;
    assert.match(row('freeze')[2] ?? '', new RegExp(`<td>-${formatDuration(seconds(-slack))}</td>`), 'its negative slack');
    assert.match(
      row('freeze')[2] ?? '',
      /<input type="hidden" name="action" value="task-answer"><input type="hidden" name="task" value="freeze"><input type="hidden" name="answer" value="done">[\s\S]*<button type="submit">Mark freeze done<\/button>/,
      'the owner marks it done from the room',
    );
    assert.deepEqual(
      [...page.matchAll(/class="stage-label" data-stream="([^"]+)"/g)].map((m) => m[1]),
      ['treasury', 'engineering', 'ops', 'cx'],
      'a lane per stream in the picture',
    );
    assert.deepEqual(
      [...page.matchAll(/class="dependency"\s+data-from="([^"]+)"\s+data-to="([^"]+)"/g)].map((m) => `${m[1]}→${m[2]}`).sort(),
      ['freeze→probe', 'prefund→probe', 'probe→change-approval'],
      'an arrow per dependency between tasks',
    );
    assert.match(page, /<g class="task task-running critical" data-task="freeze"/);
    assert.match(page, /<g class="task task-done" data-task="prefund"/);
    const forOps = cutoverSections(view(viewer('olivia', ['ops'])), {})['tasks']?.text ?? '';
    assert.doesNotMatch(forOps, /value="task-answer"/, 'only the owner is offered to mark it done');
    const withoutTasks = cutoverSections(
      {
        ...view(viewer('erin', ['engineering'])),
        reading: { status: { ...status, tasks: undefined }, executionStatus: 'RUNNING', approvers: {} },
      },
      {},
    );
    assert.equal(withoutTasks['tasks'], undefined, 'a cutover without tasks has no tasks section');
  });

  it("draws the report's timeline by stream: a lane per stream, an arrow per dependency, planned against actual, the critical path marked", async () => {
    const { status } = await completedRun();
    const report = buildLaunchReport(status, new Date(Date.parse(status.finishedAt!) + MIN));
    const svg = timelinePicture(report);
    assert.deepEqual(
      [...svg.matchAll(/<text class="lane[^"]*" data-stream="([^"]+)"/g)].map((m) => m[1]),
      ['runbook', 'treasury', 'engineering', 'ops', 'cx'],
    );
    assert.deepEqual(
      [...svg.matchAll(/<line class="dependency[^"]*" data-from="([^"]+)" data-to="([^"]+)"/g)].map((m) => `${m[1]}→${m[2]}`).sort(),
      [
        'change-approval→go-live',
        'customer-notice→go-live',
        'freeze→probe',
        'go-live→settlement-check',
        'prefund→probe',
        'probe→change-approval',
      ],
    );
    for (const task of status.tasks!) {
      assert.match(svg, new RegExp(`data-kind="planned" data-id="${task.id}"`), `${task.id} planned`);
      assert.match(svg, new RegExp(`data-kind="actual" data-id="${task.id}"`), `${task.id} as it ran`);
    }
    const path = status.forecast!.criticalPath;
    assert.ok(path.length >= 2 && path.at(-1) === 'go-live', path.join(' → '));
    const marked = [...svg.matchAll(/data-id="([^"]+)" data-lane="\d+" data-critical="true"/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(marked)].sort(), [...path].sort(), 'exactly the critical path is marked');

    const markdown = launchReportMarkdown(report);
    assert.match(markdown, /\| Settlement service answers<br>`probe` \| engineering \| Engineering \| `prefund`, `freeze` \|/);
    assert.match(markdown, /Forecast at .*: go\/no-go .*; critical path `/);
    assert.match(
      markdown,
      /\| task \| stream \| owner \| after \| planned \| estimate \| started \| finished \| status \| slack \| critical \|/,
    );
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
    assert.equal((await toldAfterAWhile('task flaky (main) holds for Engineering (erin, eli)')).length, 1);

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
