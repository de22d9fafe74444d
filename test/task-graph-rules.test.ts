import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CutoverPlanFile, normalisePlan } from '../src/plan/schema.js';
import { TIMELINE_STAGE_IDS } from '../src/runbook/stages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import type { TaskAnswerArgs } from '../src/workflows/messages.js';
import { checkIdentity } from '../src/workflows/identity-rules.js';
import { checkTaskAnswer } from '../src/workflows/task-rules.js';
import { stageForecastNodes } from '../src/workflows/forecast-nodes.js';
import type { TaskState } from '../src/workflows/task-state.js';
import { forecast, graphProblems, nextForecastChange, stageNodes, type ForecastInput } from '../src/runbook/task-graph.js';

const HOUR = 3_600_000;
const MIN = 60_000;
const EXAMPLE = join(__dirname, '..', '..', 'plans', 'example.yaml');

const example = () => parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown>;

function issuesOf(tasks: unknown[]): { path: string; message: string }[] {
  const result = CutoverPlanFile.safeParse({ ...example(), tasks });
  assert.equal(result.success, false, 'the plan is refused');
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

const manual = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: id,
  owner: 'ops',
  kind: 'manual',
  estimate: '30m',
  ...extra,
});

describe('the task graph in the plan', () => {
  it('leaves the example plan as it was: no tasks, the same stages', () => {
    const plan = normalisePlan(CutoverPlanFile.parse(example()));
    assert.equal(plan.tasks, undefined);
    assert.equal(plan.forecast, undefined);
    assert.deepEqual(
      plan.stages.map((s) => s.id),
      ['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test', 'go-live', 'debrief', 'fee-reconciliation'],
    );
  });

  it('accepts tasks in two streams, one waiting for two others and feeding go-live', () => {
    const plan = normalisePlan(
      CutoverPlanFile.parse({
        ...example(),
        tasks: [
          manual('prefund', { stream: 'treasury', owner: 'treasury', notBefore: '-6h' }),
          manual('freeze', { stream: 'engineering', owner: 'engineering', notBefore: '-6h' }),
          {
            id: 'probe',
            title: 'probe',
            owner: 'engineering',
            kind: 'http-check',
            estimate: '5m',
            after: ['prefund', 'freeze'],
            before: ['go-live'],
            check: { url: 'http://127.0.0.1:9/health' },
          },
        ],
      }),
    );
    assert.equal(plan.tasks?.length, 3);
    assert.deepEqual(plan.tasks?.[2]?.check, {
      url: 'http://127.0.0.1:9/health',
      method: 'GET',
      expectStatus: 200,
      retry: { attempts: 3, intervalMs: MIN },
    });
    assert.deepEqual(plan.forecast, { overrunMargin: 0.5 });
  });

  it('refuses a cycle, naming it along its path', () => {
    const issues = issuesOf([manual('a', { after: ['c'] }), manual('b', { after: ['a'] }), manual('c', { after: ['b'] })]);
    const cycle = issues.find((i) => /wait for each other/.test(i.message));
    assert.ok(cycle, JSON.stringify(issues));
    assert.match(cycle.message, /a → b → c → a|b → c → a → b|c → a → b → c/);
    assert.match(cycle.path, /^tasks\.\d\.after$/);
  });

  it('refuses a cycle through a built-in stage', () => {
    const issues = issuesOf([manual('after-go-live', { after: ['go-live'], before: ['go-live'] })]);
    assert.ok(
      issues.some((i) => i.message.includes('go-live → after-go-live → go-live')),
      JSON.stringify(issues),
    );
  });

  it('refuses a dependency on nothing, at its place in the plan', () => {
    const issues = issuesOf([manual('a'), manual('b', { after: ['a', 'nowhere'] })]);
    assert.deepEqual(issues, [
      { path: 'tasks.1.after.1', message: 'b waits for "nowhere", which is neither a task of the plan nor a built-in stage' },
    ]);
  });

  it('refuses a task that could start only after the gate it feeds', () => {
    const issues = issuesOf([manual('late-notice', { notBefore: '1h', before: ['go-live'] })]);
    assert.deepEqual(issues, [
      {
        path: 'tasks.0.notBefore',
        message:
          'late-notice may start only at T+1h, after the gate it feeds (go-live at T): move it earlier or stop go-live waiting for it',
      },
    ]);
  });

  it('refuses a task named like a built-in stage, a task twice, and a wait for a post-launch stage', () => {
    const issues = issuesOf([manual('go-live'), manual('x'), manual('x'), manual('y', { after: ['fee-reconciliation'] })]);
    const paths = issues.map((i) => i.path);
    assert.ok(paths.includes('tasks.0'), JSON.stringify(issues));
    assert.ok(paths.includes('tasks.2'), JSON.stringify(issues));
    assert.ok(paths.includes('tasks.3.after.0'), JSON.stringify(issues));
  });

  it('refuses an http-check without its request, and an owner with nobody in the role', () => {
    const plan = example();
    const issues = issuesOf([{ id: 'c', title: 'c', owner: 'ops', kind: 'http-check', estimate: '1m' }]);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['tasks.0.check'],
    );
    const { cx: _cx, ...approvers } = plan['approvers'] as Record<string, string[]>;
    const noCx = CutoverPlanFile.safeParse({ ...plan, approvers, tasks: [manual('t', { owner: 'cx' })] });
    assert.ok(noCx.error?.issues.some((i) => i.path.join('.') === 'tasks.0.owner'));
  });

  it('refuses an http-check whose URL carries a password, since the plan goes into history', () => {
    const issues = issuesOf([
      { id: 'c', title: 'c', owner: 'ops', kind: 'http-check', estimate: '1m', check: { url: 'http://ops:hunter2@127.0.0.1:9/health' } },
    ]);
    assert.deepEqual(
      issues.map((i) => i.path),
      ['tasks.0.check.url'],
    );
    assert.doesNotMatch(issues[0]!.message, /hunter2/);
  });

  it('refuses a graph with a built-in stage removed', () => {
    const stages = stageNodes(TIMELINE_STAGE_IDS.filter((id) => id !== 'funding-check').map((id) => ({ id, offsetMs: 0, gate: [] })));
    const problems = graphProblems(stages, TIMELINE_STAGE_IDS);
    assert.deepEqual(
      problems.map((p) => p.path),
      [['funding-check']],
    );
  });
});

describe('the forecast', () => {
  const T = 100 * HOUR;
  const node = (id: string, extra: Partial<ForecastInput> = {}): ForecastInput => ({
    id,
    after: [],
    estimateMs: 0,
    status: 'pending',
    ...extra,
  });
  // freeze (1h, from T-6h) → probe (10m) → approval (30m) → go-live at T; notice from T-30m (5m) → go-live.
  const graph = (freeze: Partial<ForecastInput>, extra: ForecastInput[] = []) => [
    node('freeze', { notBeforeAt: T - 6 * HOUR, estimateMs: HOUR, ...freeze }),
    node('probe', { after: ['freeze'], estimateMs: 10 * MIN }),
    node('approval', { after: ['probe'], estimateMs: 30 * MIN }),
    node('notice', { notBeforeAt: T - 30 * MIN, estimateMs: 5 * MIN }),
    node('go-live', { after: ['approval', 'notice'], notBeforeAt: T }),
    node('settlement', { after: ['go-live'], notBeforeAt: T + HOUR, estimateMs: 5 * MIN }),
    ...extra,
  ];

  it('plans from estimates: slack towards go-live, the critical path, go/no-go on time', () => {
    const f = forecast(graph({}), T - 7 * HOUR);
    assert.equal(f.goNoGoAt, T);
    assert.equal(f.crossesT, false);
    assert.equal(f.nodes['freeze']!.expectedFinish, T - 5 * HOUR);
    assert.equal(f.nodes['freeze']!.slackMs, 5 * HOUR - 40 * MIN);
    assert.equal(f.nodes['notice']!.slackMs, 25 * MIN);
    assert.equal(f.nodes['settlement']!.slackMs, undefined, 'go-live does not wait for it');
    assert.deepEqual(f.criticalPath, ['notice', 'go-live']);
  });

  it('moves go/no-go past T when a running task overruns far enough, and marks it late', () => {
    const started = T - 6 * HOUR;
    const now = T - 20 * MIN;
    const f = forecast(graph({ status: 'running', startedAt: started }), now);
    assert.equal(f.nodes['freeze']!.expectedFinish, now);
    assert.equal(f.goNoGoAt, now + 40 * MIN);
    assert.equal(f.crossesT, true);
    assert.equal(f.nodes['freeze']!.late, true);
    assert.equal(f.nodes['freeze']!.overrunMs, 4 * HOUR + 40 * MIN);
    assert.equal(f.nodes['freeze']!.slackMs, -20 * MIN);
    assert.deepEqual(f.criticalPath, ['freeze', 'probe', 'approval', 'go-live']);
  });

  it('recovers once the late task is done and what follows is quick', () => {
    const f = forecast(graph({ status: 'done', startedAt: T - 6 * HOUR, finishedAt: T - 45 * MIN }), T - 45 * MIN);
    assert.equal(f.crossesT, false);
    assert.equal(f.goNoGoAt, T);
  });

  it('says when the forecast next changes on its own: the estimate, the margin, the crossing of T', () => {
    const started = T - 6 * HOUR;
    const nodes = graph({ status: 'running', startedAt: started });
    const at = (now: number) => nextForecastChange(nodes, forecast(nodes, now), now, 0.5);
    assert.equal(at(started + MIN), started + HOUR);
    assert.equal(at(started + HOUR), started + 90 * MIN);
    assert.equal(at(started + 2 * HOUR), T - 40 * MIN + 1);
    assert.equal(at(T), undefined);
  });
});

describe('answers about a task', () => {
  const plan = normalisePlan(
    CutoverPlanFile.parse({ ...example(), identity: undefined, tasks: [manual('freeze', { owner: 'engineering', gate: ['compliance'] })] }),
  );
  const task = (extra: Partial<TaskState>): TaskState => ({
    id: 'freeze',
    title: 'freeze',
    stream: 'main',
    owner: 'engineering',
    kind: 'manual',
    after: [],
    before: [],
    status: 'running',
    estimateMs: 0,
    attempts: 1,
    problems: [],
    approvals: [],
    ...extra,
  });
  const status = (t: TaskState) => ({ workflowId: 'w', phase: 'waiting', compensations: [], tasks: [t] }) as unknown as CutoverStatus;
  const check = (t: TaskState, args: Record<string, unknown>) => checkTaskAnswer(plan, status(t), args as unknown as TaskAnswerArgs);

  it('takes the owner marking a running task done with evidence, and nobody else', () => {
    assert.equal(check(task({}), { task: 'freeze', action: 'done', by: 'erin', evidence: 'CHG-1' }), undefined);
    assert.match(
      check(task({}), { task: 'freeze', action: 'done', by: 'cole', evidence: 'CHG-1' })!,
      /Engineering \(erin, eli\)'s to mark done/,
    );
    assert.match(
      check(task({ status: 'waiting' }), { task: 'freeze', action: 'done', by: 'erin', evidence: 'x' })!,
      /is waiting, not running/,
    );
    assert.match(check(task({}), { task: 'nope', action: 'done', by: 'erin', evidence: 'x' })!, /no task "nope"; the tasks are freeze/);
  });

  it('takes one approval per person of an awaited role', () => {
    const holding = task({ status: 'holding', hold: { reason: 'gated', awaiting: ['compliance'], since: 'x' } });
    assert.equal(check(holding, { task: 'freeze', action: 'approve', by: 'cole' }), undefined);
    assert.match(
      check(holding, { task: 'freeze', action: 'approve', by: 'erin' })!,
      /cannot approve freeze: it awaits Compliance \(cole\)/,
    );
    const approved = {
      ...holding,
      approvals: [{ by: 'cole', attempt: 1, role: 'compliance' as const, decision: 'approved' as const, at: 'x' }],
    };
    assert.match(check(approved, { task: 'freeze', action: 'approve', by: 'cole' })!, /already approved/);
  });

  it('refuses fields it does not know and text past its bound', () => {
    assert.match(check(task({}), { task: 'freeze', action: 'done', by: 'erin', evidence: 'x', extra: 1 })!, /no field "extra"/);
    assert.match(check(task({}), { task: 'freeze', action: 'done', by: 'erin', evidence: 'x'.repeat(2_001) })!, /at most 2000 characters/);
  });

  it('refuses answers by name where the plan requires them signed, pointing to the room and --key', () => {
    const signedPlan = normalisePlan(CutoverPlanFile.parse({ ...example(), tasks: [manual('freeze', { owner: 'engineering' })] }));
    const byName = { task: 'freeze', action: 'done', by: 'erin', evidence: 'x' };
    assert.equal(checkTaskAnswer(signedPlan, status(task({})), byName as TaskAnswerArgs), undefined, 'the answer itself stands');
    assert.match(
      checkIdentity(signedPlan, status(task({})), 'task-answer', byName)!,
      /requires every answer to be signed \(identity\.require: signed\).*answer in the cutover room.*--key FILE/,
    );
  });
});

describe('the stages in the forecast', () => {
  const T = 100 * HOUR;
  const plan = (stages: Record<string, unknown> = {}) =>
    normalisePlan(
      CutoverPlanFile.parse({
        ...example(),
        stages,
        tasks: [manual('notice', { stream: 'cx', owner: 'cx', notBefore: '-30m', estimate: '10m', before: ['go-live'] })],
      }),
    );
  const nodes = (
    p: ReturnType<typeof plan>,
    withEstimates: boolean,
    progress: Record<string, { status: string; startedAt?: string }> = {},
  ) => {
    const taskNode: ForecastInput = { id: 'notice', after: [], notBeforeAt: T - 30 * MIN, estimateMs: 10 * MIN, status: 'pending' };
    const stages = stageForecastNodes(
      p,
      (id) => progress[id] ?? { status: 'pending' },
      T,
      (iso) => (iso ? Date.parse(iso) : undefined),
      withEstimates,
    );
    return [...stages, taskNode];
  };

  it('gives a stage its plan estimate, so a long stage before go-live moves go/no-go and the critical path runs through the stages', () => {
    const long = plan({ 'webhook-smoke-test': { estimate: '90m' } });
    const f = forecast(nodes(long, true), T - 25 * HOUR);
    assert.equal(f.goNoGoAt, T + 30 * MIN, 'the smoke test from T-1h takes 90 minutes');
    assert.equal(f.crossesT, true);
    assert.deepEqual(f.criticalPath, [...TIMELINE_STAGE_IDS.slice(0, TIMELINE_STAGE_IDS.indexOf('go-live') + 1)]);
    assert.equal(f.nodes['notice']!.slackMs, 20 * MIN, 'its slack still counts towards T');
  });

  it('keeps a stage without an estimate, and every stage of a run started before, at no length', () => {
    const short = forecast(nodes(plan(), true), T - 25 * HOUR);
    assert.equal(short.goNoGoAt, T);
    assert.deepEqual(short.criticalPath, ['notice', 'go-live']);
    const before = forecast(nodes(plan({ 'webhook-smoke-test': { estimate: '90m' } }), false), T - 25 * HOUR);
    assert.equal(before.goNoGoAt, T);
  });

  it('expects a stage running past its estimate to end no earlier than now', () => {
    const running = nodes(plan({ 'webhook-smoke-test': { estimate: '20m' } }), true, {
      'config-diff': { status: 'passed' },
      'funding-check': { status: 'passed' },
      'disable-sandbox-jobs': { status: 'passed' },
      'webhook-smoke-test': { status: 'holding', startedAt: new Date(T - HOUR).toISOString() },
    });
    const f = forecast(
      running.filter((n) => n.id !== 'notice'),
      T + 10 * MIN,
    );
    assert.equal(f.nodes['webhook-smoke-test']!.expectedFinish, T + 10 * MIN);
    assert.equal(f.goNoGoAt, T + 10 * MIN);
    assert.equal(f.criticalPath.at(-2), 'webhook-smoke-test');
  });
});
