import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
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
  const eliKey = () => join(world.dataDir, 'eli.pem');

  before(async () => {
    // The example plan with tasks already due, answered by name, except by eli, whose key the plan lists.
    const plan = parse(await readFile(world.planFile, 'utf8')) as Record<string, unknown>;
    delete plan['identity'];
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    await writeFile(eliKey(), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    plan['signing'] = { publicKeys: { eli: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64') } };
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
      {
        id: 'drain',
        title: 'Drain the onboarding queue',
        stream: 'engineering',
        owner: 'engineering',
        kind: 'manual',
        notBefore: '-30h',
        estimate: '1h',
      },
    ];
    const planFile = join(world.dataDir, 'plan-with-tasks.yaml');
    await writeFile(planFile, stringify(plan));
    const started = await cutover(['start', planFile, '--id', workflowId, '--go-live', '+25h', '--as', 'lara']);
    assert.equal(started.code, 0, started.stderr);
    await waitForStatus(world.stack.client, workflowId, 'the task to start', (s) => s.tasks?.every((t) => t.status === 'running') === true);
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

  it('signs a task answer with --key for a person whose key the plan lists, and refuses it unsigned (exit 1)', async () => {
    const unsigned = await cutover(['task', 'done', workflowId, 'drain', '--as', 'eli', '--evidence', 'queue empty']);
    assert.equal(unsigned.code, 1, unsigned.stdout);
    assert.match(unsigned.stderr, /eli's answers must be signed: the plan lists eli's public key/);
    const signed = await cutover(['task', 'done', workflowId, 'drain', '--as', 'eli', '--evidence', 'queue empty', '--key', eliKey()]);
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, /signed done of task drain \(running, attempt 0, digest [0-9a-f]{12}…\) with key/);
    assert.match(signed.stdout, new RegExp(`task done accepted by ${workflowId}: drain marked done by eli`));
    const done = await waitForStatus(
      world.stack.client,
      workflowId,
      'drain done',
      (s) => s.tasks?.find((t) => t.id === 'drain')?.status === 'done',
    );
    const drain = done.tasks!.find((t) => t.id === 'drain')!;
    assert.equal(drain.answeredVia?.via, 'key');
    assert.equal(drain.answers?.[0]?.signature?.value.length, 128);
    assert.ok(
      done.refusals.some((r) => r.kind === 'task-answer' && r.task === 'drain' && r.by === 'eli' && r.reportedBySender),
      'the unsigned attempt is on the refusal log',
    );
  });
});
