/**
 * A cutover with tasks that continues as new, on the time-skipping server: a gate keeps the approvals it had,
 * a check held for its owner goes on holding without being asked again, and both are answered in the new run.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { refusalReportSignal, type RefusalReport } from '../src/workflows/messages.js';
import type { TaskState } from '../src/workflows/task-state.js';
import { answersThrough } from './helpers/answers.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { waitForStatus } from './helpers/wait-for-status.js';

const taskOf = (status: CutoverStatus, id: string): TaskState => {
  const task = status.tasks?.find((t) => t.id === id);
  if (!task) throw new Error(`no task ${id}`);
  return task;
};

describe('tasks across continue-as-new', function () {
  this.timeout(240_000);
  const harness = useCutoverHarness('time-skipping', 'task-continue');
  const { send } = answersThrough(() => harness.env.client);
  let server: Server;
  let probeUrl: string;
  let probes = 0;
  let fixed = false;

  before(async () => {
    server = createServer((_req, res) => {
      probes += 1;
      res.writeHead(fixed ? 200 : 503).end(fixed ? 'ok' : 'down');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    probeUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/settlement`;
  });
  after(() => new Promise<void>((done) => server.close(() => done())));

  it('keeps a held gate with its approvals and a held check without asking it again, and both are answered in the next run', async () => {
    const plan = planFor(harness.stack, {
      tasks: [
        {
          id: 'change-approval',
          title: 'Change approval',
          stream: 'ops',
          owner: 'ops',
          kind: 'manual',
          notBefore: '-30h',
          estimate: '30m',
          gate: ['compliance', 'treasury'],
        },
        {
          id: 'probe',
          title: 'Settlement service answers',
          stream: 'engineering',
          owner: 'engineering',
          kind: 'http-check',
          notBefore: '-30h',
          estimate: '10m',
          check: { url: probeUrl, retry: { attempts: 1 } },
        },
      ],
    });
    const handle = await harness.start({ plan, history: { onServerSuggestion: false, continueAsNewAtEvents: 500 } });
    const id = handle.workflowId;
    const client = harness.env.client;
    await waitForStatus(client, id, 'the check held and the manual task running', (s) => {
      const [approval, probe] = [taskOf(s, 'change-approval'), taskOf(s, 'probe')];
      return probe.status === 'holding' && approval.status === 'running';
    });
    await send(id, { kind: 'task-answer', args: { task: 'change-approval', action: 'done', by: 'olivia', evidence: 'CAB-7' } });
    await waitForStatus(client, id, 'the gate holding', (s) => taskOf(s, 'change-approval').status === 'holding');
    assert.match(
      await send(id, { kind: 'task-answer', args: { task: 'change-approval', action: 'approve', by: 'tomas' } }),
      /still awaits Compliance/,
    );
    const before = await waitForStatus(client, id, 'the approval applied', (s) => taskOf(s, 'change-approval').approvals.length === 1);
    const runsBefore = before.history?.runs ?? 1;
    assert.equal(runsBefore, 1, 'no continue-as-new before the large message');
    const asked = probes;
    assert.equal(taskOf(before, 'probe').attempts, 1);

    // Messages the workflow ignores fill the run's history while both tasks hold; the run then continues as new.
    const ignored = { kind: 'not-a-kind' as RefusalReport['kind'], reason: 'ignored' };
    for (let n = 0; n < 600; n += 1) await handle.signal(refusalReportSignal, ignored);
    const after = await waitForStatus(client, id, 'a new run', (s) => (s.history?.runs ?? 1) > runsBefore);

    const gate = taskOf(after, 'change-approval');
    assert.equal(gate.status, 'holding');
    assert.deepEqual(gate.hold?.awaiting, ['compliance'], 'the approval given in the previous run stands');
    assert.deepEqual(
      gate.approvals.map((a) => a.by),
      ['tomas'],
    );
    const probe = taskOf(after, 'probe');
    assert.equal(probe.status, 'holding');
    assert.deepEqual(probe.hold?.awaiting, ['engineering']);
    assert.equal(probe.attempts, 1, 'the held check is not asked again');
    assert.equal(probes, asked);

    assert.match(
      await send(id, { kind: 'task-answer', args: { task: 'change-approval', action: 'approve', by: 'cody' } }),
      /change-approval approved: it is done/,
    );
    fixed = true;
    assert.match(await send(id, { kind: 'task-answer', args: { task: 'probe', action: 'retry', by: 'eli' } }), /probe asks again now/);
    const done = await waitForStatus(client, id, 'both tasks done', (s) =>
      ['change-approval', 'probe'].every((t) => taskOf(s, t).status === 'done'),
    );
    assert.equal(taskOf(done, 'probe').attempts, 2);
    assert.match(taskOf(done, 'probe').evidence ?? '', /answered 200 \(attempt 2\)/);
    await handle.terminate('tasks across continue-as-new checked');
  });
});
