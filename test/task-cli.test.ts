import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { itRefusesUsage } from './helpers/cli.js';
import { useCliStack } from './helpers/cli-stack.js';
import { waitForStatus } from './helpers/wait-for-status.js';

describe('cutover task, usage', () => {
  itRefusesUsage([
    { args: ['task', 'done', 'some-id', 'freeze', '--as', 'erin'], says: /--evidence/ },
    { args: ['task', 'done', 'some-id', 'Freeze Onboarding', '--as', 'erin', '--evidence', 'x'], says: /is not a task id/ },
  ]);
});

describe('cutover task on the dev server', function () {
  this.timeout(240_000);
  const world = useCliStack('task');
  const workflowId = `task-cli-${process.pid}-${Date.now().toString(36)}`;
  const cutover = (args: string[]) => world.cutover(args);

  before(async () => {
    // The example plan with one task already due, answered by name: the plan takes names for this suite.
    const plan = parse(await readFile(world.planFile, 'utf8')) as Record<string, unknown>;
    delete plan['identity'];
    plan['tasks'] = [
      {
        id: 'freeze',
        title: 'Freeze merchant onboarding',
        stream: 'engineering',
        owner: 'engineering',
        kind: 'manual',
        notBefore: '-30h',
        estimate: '1h',
        before: ['go-live'],
      },
    ];
    const planFile = join(world.dataDir, 'plan-with-tasks.yaml');
    await writeFile(planFile, stringify(plan));
    const started = await cutover(['start', planFile, '--id', workflowId, '--go-live', '+25h', '--as', 'lara']);
    assert.equal(started.code, 0, started.stderr);
    await waitForStatus(world.stack.client, workflowId, 'the task to start', (s) => s.tasks?.[0]?.status === 'running');
  });

  after(async () => {
    await world.stack?.client.workflow
      .getHandle(workflowId)
      .terminate('task CLI test over')
      .catch(() => undefined);
  });

  it("refuses someone outside the task's owning role (exit 1)", async () => {
    const result = await cutover(['task', 'done', workflowId, 'freeze', '--as', 'tomas', '--evidence', 'looks fine']);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /freeze is Engineering \(erin, eli\)'s to mark done/);
  });

  it('marks a manual task done for its owner, and status shows it with the forecast', async () => {
    const result = await cutover(['task', 'done', workflowId, 'freeze', '--as', 'erin', '--evidence', 'onboarding paused, CHG-311']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`task done accepted by ${workflowId}: freeze marked done by erin`));
    await waitForStatus(world.stack.client, workflowId, 'the task to be done', (s) => s.tasks?.[0]?.status === 'done');
    const status = await cutover(['status', workflowId]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Tasks:\n {2}go\/no-go forecast .* on time; critical path/);
    assert.match(status.stdout, /engineering +freeze +done +engineering .* erin: onboarding paused, CHG-311/);
  });
});
