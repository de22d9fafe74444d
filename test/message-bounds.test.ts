/**
 * Every message strict and bounded, on the dev server: through the real CLI (update and `--signal`) and
 * through raw updates and signals, a message with a field it does not have or text past its limit is
 * refused with the field and the limit named, recorded in the bounded refusal log, and changes nothing.
 */
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { MESSAGES, refusalReportSignal, type MessageKind, type MessageReceipt } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { useCliStack } from './helpers/cli-stack.js';
import { waitForStatus } from './helpers/wait-for-status.js';

let runCounter = 0;
function freshId(prefix: string): string {
  runCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${runCounter}`;
}

const SIGNATURE = { signedAt: '2027-03-01T08:00:00Z', evidenceDigest: '0'.repeat(64), value: '0'.repeat(128) };

/** Messages that break their schema and only their schema: sent by the right person at a time they would be taken. */
const OUT_OF_BOUNDS: { kind: MessageKind; args: Record<string, unknown>; refusal: RegExp }[] = [
  {
    kind: 'complete-item',
    args: { item: 'tier1-error-codes', by: 'carlos', evidence: 'e'.repeat(120_000) },
    refusal: /^evidence is 120,000 characters; the limit is 2,000/,
  },
  {
    kind: 'complete-item',
    args: { item: 'tier1-error-codes', by: 'carlos', evidence: 'LMS-4411', url: 'https://evil.example' },
    refusal: /^a complete-item message has no field "url"; its fields are item, by, evidence, signature, roomStatement$/,
  },
  {
    kind: 'complete-item',
    args: {
      item: 'tier1-error-codes',
      by: 'carlos',
      evidence: 'LMS-4411',
      roomStatement: { ...SIGNATURE, issuer: 'https://id.acme.example', subject: 's'.repeat(50_000) },
    },
    refusal: /^roomStatement\.subject is 50000 characters; the limit is 500$/,
  },
  {
    kind: 'waive-item',
    args: { item: 'escalation-matrix', by: 'lara', reason: 'r'.repeat(2_001) },
    refusal: /^reason is 2,001 characters; the limit is 2,000/,
  },
  {
    kind: 'waive-item',
    args: { item: 'escalation-matrix', by: 'lara', reason: 'covered', signature: { ...SIGNATURE, comment: 'x'.repeat(50_000) } },
    refusal: /^the signature has no field "comment"; its fields are signedAt, evidenceDigest, value$/,
  },
  {
    kind: 'retry-item',
    args: { item: `cicd-env-vars${'i'.repeat(300)}`, by: 'dana' },
    refusal: /^item is 313 characters; the limit is 200 for a name or id$/,
  },
  {
    kind: 'report-incident',
    args: { by: 'carlos', severity: 'sev3', summary: 's'.repeat(5_000) },
    refusal: /^summary is 5,000 characters; the limit is 2,000/,
  },
  {
    kind: 'report-incident',
    args: { by: 'carlos', severity: 'sev3', summary: 'fees', links: ['https://evil.example'] },
    refusal: /^a report-incident message has no field "links"/,
  },
  {
    kind: 'approve',
    args: { stage: 'go-live', by: 'lara', note: 'ok', authorizationId: 'a'.repeat(201) },
    refusal: /^authorizationId is 201 characters; the limit is 200 for a name or id$/,
  },
  {
    kind: 'abort',
    args: { by: 'lara', reason: { text: 'nested' } },
    refusal: /^reason must be text$/,
  },
];

describe('every message strict and bounded', function () {
  this.timeout(300_000);
  const world = useCliStack('bounds');
  const cutover = (args: string[]) => world.cutover(args);

  const waitFor = (workflowId: string, what: string, done: (status: CutoverStatus) => boolean, timeoutMs = 120_000) =>
    waitForStatus(world.stack.client, workflowId, what, done, timeoutMs);

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

  const item = (status: CutoverStatus, id: string) => status.checklist.find((i) => i.id === id);

  it('refuses 120,000 characters of checklist evidence through the CLI, as an update and as a signal, naming the field and the limit', async () => {
    const { workflowId } = await startQuiet('bounds-cli');
    const evidence = 'training log LMS-4411 '.repeat(5_455).slice(0, 120_000);
    const complete = ['complete', workflowId, 'tier1-error-codes', '--as', 'carlos', '--evidence', evidence];

    const refused = await cutover(complete);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /evidence is 120,000 characters; the limit is 2,000/);
    assert.ok(refused.stderr.length < 2_000, `a ${refused.stderr.length}-character refusal`);

    const signalled = await cutover([...complete, '--signal']);
    assert.equal(signalled.code, 0, signalled.stderr);

    const status = await waitFor(workflowId, 'both refusals on record', (s) => s.refusals.length >= 2);
    assert.deepEqual(
      status.refusals.map((r) => [r.kind, r.via, r.by, r.item, r.reportedBySender ?? false]),
      [
        ['complete-item', 'update', 'carlos', 'tier1-error-codes', true],
        ['complete-item', 'signal', 'carlos', 'tier1-error-codes', false],
      ],
    );
    for (const r of status.refusals) assert.match(r.reason, /^evidence is 120,000 characters; the limit is 2,000/);
    assert.equal(item(status, 'tier1-error-codes')?.status, 'open');
    assert.equal(item(status, 'tier1-error-codes')?.evidence, undefined);
    assert.ok(JSON.stringify(status).length < 100_000, `status is ${JSON.stringify(status).length} characters`);

    const atLimit = await cutover(['complete', workflowId, 'tier1-error-codes', '--as', 'carlos', '--evidence', evidence.slice(0, 2_000)]);
    assert.equal(atLimit.code, 0, atLimit.stderr);
    const done = await waitFor(workflowId, 'the item done', (s) => item(s, 'tier1-error-codes')?.status === 'done');
    assert.equal((item(done, 'tier1-error-codes')?.evidence as string).length, 2_000);
    await abort(workflowId);
  });

  it('refuses extra fields and over-long text in raw updates and signals alike, records each signal and applies none', async () => {
    const { workflowId, handle } = await startQuiet('bounds-raw');
    for (const m of OUT_OF_BOUNDS) {
      const update = MESSAGES[m.kind].update as unknown as UpdateDefinition<MessageReceipt, [unknown]>;
      const err = await handle.executeUpdate(update, { args: [m.args] }).then(
        (receipt) => assert.fail(`${m.kind} accepted: ${receipt.outcome}`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure, String(err));
      assert.equal(err.cause.type, 'MessageRefused');
      assert.match(err.cause.message, m.refusal, `${m.kind} as an update`);
    }
    for (const m of OUT_OF_BOUNDS) {
      await handle.signal(MESSAGES[m.kind].signal.name, m.args);
    }
    const status = await waitFor(workflowId, 'every signal refused', (s) => s.refusals.length >= OUT_OF_BOUNDS.length);
    assert.equal(status.refusals.length, OUT_OF_BOUNDS.length);
    status.refusals.forEach((r, n) => {
      const m = OUT_OF_BOUNDS[n];
      assert.ok(m);
      assert.equal(r.kind, m.kind);
      assert.equal(r.via, 'signal');
      assert.match(r.reason, m.refusal, `${m.kind} as a signal`);
      assert.ok((r.item ?? '').length <= 230 && r.reason.length <= 530);
    });
    const settledByPeople = status.checklist.filter((i) => i.kind === 'attested' && (i.status === 'done' || i.status === 'waived'));
    assert.deepEqual(
      settledByPeople.map((i) => i.id),
      [],
    );
    assert.deepEqual(
      status.incidents.filter((i) => i.source === 'person'),
      [],
    );
    assert.equal(status.abort, undefined);
    assert.ok(JSON.stringify(status).length < 100_000, `status is ${JSON.stringify(status).length} characters`);
    await abort(workflowId);
  });

  it('ignores a refusal report carrying a field a report does not have', async () => {
    const { workflowId, handle } = await startQuiet('bounds-report');
    const report = refusalReportSignal.name;
    await handle.signal(report, { kind: 'approve', by: 'olivia', stage: 'go-live', reason: 'x', payload: 'y'.repeat(10_000) });
    await handle.signal(report, { kind: 'approve', by: 'olivia', stage: 'go-live', reason: 'not awaiting approval' });
    const status = await waitFor(workflowId, 'the well-formed report on record', (s) => s.refusals.length > 0);
    assert.deepEqual(
      status.refusals.map((r) => r.reason),
      ['not awaiting approval'],
    );
    await abort(workflowId);
  });
});
