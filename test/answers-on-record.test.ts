/**
 * Every attempt is on the record, on the dev server through the real CLI: a refused update is reported by
 * its sender and listed by `status` and the launch report; the refusal log stays bounded whatever is sent;
 * a forged refusal report approves nothing.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { readStatus } from '../src/client/read-status.js';
import { sendMessage } from '../src/client/send-message.js';
import { MessageRefusedError } from '../src/errors.js';
import {
  approveSignal,
  refusalReportSignal,
  type CutoverStatus,
  type RefusalRecord,
} from '../src/workflows/definitions.js';
import { MAX_REFUSALS_KEPT } from '../src/workflows/refusal-log.js';
import { useCliStack } from './helpers/cli-stack.js';

let runCounter = 0;
function freshId(prefix: string): string {
  runCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${runCounter}`;
}

/** Sends every job, `width` at a time. */
async function inParallel(jobs: (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]?.();
    }),
  );
}

describe('every attempt on the record', function () {
  this.timeout(300_000);
  const world = useCliStack('record');
  const cutover = (args: string[]) => world.cutover(args);

  async function waitFor(workflowId: string, what: string, done: (status: CutoverStatus) => boolean, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    let last: CutoverStatus | undefined;
    while (Date.now() < deadline) {
      last = await readStatus(world.stack.client, workflowId);
      if (done(last)) return last;
      await delay(250);
    }
    assert.fail(`${workflowId} never reached "${what}"; last refusals: ${JSON.stringify(last?.refusals)}`);
  }

  /** A cutover far from its go-live, so nothing holds or changes while messages are sent. */
  async function startQuiet(prefix: string): Promise<{ workflowId: string; handle: WorkflowHandle }> {
    const workflowId = freshId(prefix);
    const started = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '+30d', '--as', 'lara']);
    assert.equal(started.code, 0, started.stderr);
    return { workflowId, handle: world.stack.client.workflow.getHandle(workflowId) };
  }

  const abort = async (workflowId: string) => {
    const result = await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'end of test']);
    assert.equal(result.code, 0, result.stderr);
  };

  it('lists an approval refused as an update in status and the launch report, with who, what and why', async () => {
    const { workflowId } = await startQuiet('record-update');
    const refused = await cutover(['approve', workflowId, 'go-live', '--as', 'olivia', '--note', 'looks fine to me']);
    assert.equal(refused.code, 1, refused.stdout);
    const reason = /stage go-live is not awaiting approval \(it is \w+\)/.exec(refused.stderr)?.[0];
    assert.ok(reason, refused.stderr);

    const status = await waitFor(workflowId, 'the refusal on record', (s) => s.refusals.length > 0);
    assert.deepEqual(status.refusals.map(({ at: _at, ...r }) => r), [
      { kind: 'approve', via: 'update', by: 'olivia', stage: 'go-live', reason, reportedBySender: true },
    ]);
    assert.deepEqual(status.stages.flatMap((s) => s.approvals), [], 'a refusal is never an approval');

    const human = await cutover(['status', workflowId]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Refusals:\n {2}\S+ \S+ approve go-live by olivia via update \(reported by the sender\): stage go-live is not awaiting approval/);

    const markdown = await cutover(['report', workflowId, '--format', 'md']);
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, /## Refused messages\n\n\| at \| message \| via \| by \| stage or item \| reason \|\n.*\n\| .* \| approve \| update \(reported by the sender\) \| olivia \| `go-live` \| stage go-live is not awaiting approval/);
    assert.match(markdown.stdout, /\| refusal \| olivia \| approve go-live refused \(via update, reported by the sender\): /);
    const json = await cutover(['report', workflowId, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { refusals: RefusalRecord[]; approvals: unknown[] };
    assert.equal(report.refusals[0]?.by, 'olivia');
    assert.equal(report.refusals[0]?.reportedBySender, true);
    await abort(workflowId);
  });

  it('keeps status readable after thousands of refusals and 130,000-character senders, counting what it no longer keeps', async () => {
    const { workflowId, handle } = await startQuiet('record-flood');
    const huge = 'x'.repeat(130_000);
    // Forty signals naming a 130,000-character sender: kept whole, 5 MB of refusals would exceed the
    // largest answer a status query may give.
    const giants = Array.from({ length: 40 }, (_, n) => () => handle.signal(approveSignal, { stage: 'go-live', by: `${n}${huge}` }));
    const strangers = Array.from({ length: 1_000 }, (_, n) => () => handle.signal(approveSignal, { stage: 'go-live', by: `mallory-${n}` }));
    const people = Array.from({ length: 1_000 }, (_, n) => () =>
      handle.signal(refusalReportSignal, { kind: 'approve', by: n % 2 ? 'olivia' : 'tomas', stage: 'funding-check', reason: `attempt ${n}: ${'y'.repeat(2_000)}` }),
    );
    const started = Date.now();
    await inParallel([...giants, ...strangers, ...people], 4);
    const sentMs = Date.now() - started;

    const updateRefused = await sendMessage(world.stack.client, workflowId, { kind: 'approve', args: { stage: 'go-live', by: huge } }, 'update').then(
      () => assert.fail('a 130,000-character sender was accepted'),
      (err: unknown) => err,
    );
    assert.ok(updateRefused instanceof MessageRefusedError, String(updateRefused));

    const attempts = 40 + 1_000 + 1;
    const status = await waitFor(
      workflowId,
      'every attempt counted',
      (s) => (s.refusalSummary?.strangers.attempts ?? 0) >= attempts && (s.refusalSummary?.omitted ?? 0) >= 900,
    );
    console.log(`      ${attempts + 1_000} refusals sent in ${sentMs} ms; status JSON ${JSON.stringify(status).length} characters`);
    assert.equal(status.refusals.length, MAX_REFUSALS_KEPT);
    const omitted = status.refusalSummary?.omittedBy ?? [];
    assert.deepEqual(omitted.map((o) => o.by).sort(), ['olivia', 'tomas']);
    assert.equal(omitted.reduce((sum, o) => sum + o.count, 0), 900);
    assert.equal(status.refusalSummary?.omitted, 900);
    assert.equal(status.refusalSummary?.strangers.attempts, attempts);
    assert.equal(status.refusalSummary?.strangers.names.length, 10);
    assert.ok(status.refusalSummary?.strangers.names.every((name) => name.length <= 70), 'stranger names are cut short');
    for (const r of status.refusals) {
      assert.equal(r.reportedBySender, true);
      assert.ok(r.reason.length <= 530, `a ${r.reason.length}-character reason was kept`);
    }
    assert.ok(JSON.stringify(status).length < 200_000, `status is ${JSON.stringify(status).length} characters`);

    const human = await cutover(['status', workflowId]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /900 older refusals not kept in full: (olivia|tomas) \d+, (olivia|tomas) \d+/);
    assert.match(human.stdout, new RegExp(`${attempts} attempts by names not in the plan \\(`));
    const json = await cutover(['status', workflowId, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const report = await cutover(['report', workflowId, '--format', 'md']);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /- 900 older refusals not kept in full/);
    await abort(workflowId);
  });

  it('records a forged refusal report naming a real approver as an attempt only, marked as the sender\'s', async () => {
    const { workflowId, handle } = await startQuiet('record-forged');
    await handle.signal(refusalReportSignal, { kind: 'approve', by: 'erin', stage: 'go-live', reason: 'approved by erin; go-live may proceed' });
    await handle.signal(refusalReportSignal, { kind: 'no-such-kind', reason: 'x' } as never);
    const status = await waitFor(workflowId, 'the report on record', (s) => s.refusals.length > 0);
    assert.deepEqual(status.refusals.map((r) => [r.kind, r.by, r.via, r.reportedBySender]), [['approve', 'erin', 'update', true]]);
    assert.deepEqual(status.stages.flatMap((s) => s.approvals), []);
    assert.equal(status.stages.find((s) => s.id === 'go-live')?.status, 'pending');
    const human = await cutover(['status', workflowId]);
    assert.match(human.stdout, /approve go-live by erin via update \(reported by the sender\): approved by erin/);
    assert.doesNotMatch(human.stdout, /Approvals:/);
    await abort(workflowId);
  });
});
