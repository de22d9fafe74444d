/**
 * Every attempt is on the record, on the dev server through the real CLI: a refused update is reported by
 * its sender and listed by `status` and the launch report; the refusal log stays bounded whatever is sent;
 * a forged refusal report approves nothing; complete, waive and retry-item are signed like approvals and
 * their signatures verify offline from the report.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { WorkflowHandle } from '@temporalio/client';
import { sendMessage } from '../src/operations/send-message.js';
import { MessageRefusedError } from '../src/errors.js';
import { approveSignal, refusalReportSignal } from '../src/workflows/messages.js';
import type { CutoverStatus, RefusalRecord } from '../src/workflows/cutover-state.js';
import { MAX_REFUSALS_KEPT } from '../src/workflows/refusal-log.js';
import { useCliStack } from './helpers/cli-stack.js';
import { waitForStatus } from './helpers/wait-for-status.js';
import { note } from './helpers/suite-logs.js';

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

  const waitFor = (workflowId: string, what: string, done: (status: CutoverStatus) => boolean, timeoutMs = 120_000) =>
    waitForStatus(world.stack.client, workflowId, what, done, timeoutMs);

  /** A cutover far from its go-live, so nothing holds or changes while messages are sent. */
  async function startQuiet(prefix: string, planFile = world.planFile): Promise<{ workflowId: string; handle: WorkflowHandle }> {
    const workflowId = freshId(prefix);
    const started = await cutover(['start', planFile, '--id', workflowId, '--go-live', '+30d', '--as', 'lara']);
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
    assert.deepEqual(
      status.refusals.map(({ at: _at, ...r }) => r),
      [{ kind: 'approve', via: 'update', by: 'olivia', stage: 'go-live', reason, reportedBySender: true }],
    );
    assert.deepEqual(
      status.stages.flatMap((s) => s.approvals),
      [],
      'a refusal is never an approval',
    );

    const human = await cutover(['status', workflowId]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(
      human.stdout,
      /Refusals:\n {2}\S+ \S+ approve go-live by olivia via update \(reported by the sender\): stage go-live is not awaiting approval/,
    );

    const markdown = await cutover(['report', workflowId, '--format', 'md']);
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(
      markdown.stdout,
      /## Refused messages\n\n\| at \| message \| via \| by \| stage or item \| reason \|\n.*\n\| .* \| approve \| update \(reported by the sender\) \| olivia \| `go-live` \| stage go-live is not awaiting approval/,
    );
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
    const people = Array.from(
      { length: 1_000 },
      (_, n) => () =>
        handle.signal(refusalReportSignal, {
          kind: 'approve',
          by: n % 2 ? 'olivia' : 'tomas',
          stage: 'funding-check',
          reason: `attempt ${n}: ${'y'.repeat(2_000)}`,
        }),
    );
    const started = Date.now();
    await inParallel([...giants, ...strangers, ...people], 4);
    const sentMs = Date.now() - started;

    const updateRefused = await sendMessage(
      world.stack.client,
      workflowId,
      { kind: 'approve', args: { stage: 'go-live', by: huge } },
      'update',
    ).then(
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
    note(`      ${attempts + 1_000} refusals sent in ${sentMs} ms; status JSON ${JSON.stringify(status).length} characters`);
    assert.equal(status.refusals.length, MAX_REFUSALS_KEPT);
    const omitted = status.refusalSummary?.omittedBy ?? [];
    assert.deepEqual(omitted.map((o) => o.by).sort(), ['olivia', 'tomas']);
    assert.equal(
      omitted.reduce((sum, o) => sum + o.count, 0),
      900,
    );
    assert.equal(status.refusalSummary?.omitted, 900);
    assert.equal(status.refusalSummary?.strangers.attempts, attempts);
    assert.equal(status.refusalSummary?.strangers.names.length, 10);
    assert.ok(
      status.refusalSummary?.strangers.names.every((name) => name.length <= 70),
      'stranger names are cut short',
    );
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

  it("records a forged refusal report naming a real approver as an attempt only, marked as the sender's", async () => {
    const { workflowId, handle } = await startQuiet('record-forged');
    await handle.signal(refusalReportSignal, {
      kind: 'approve',
      by: 'erin',
      stage: 'go-live',
      reason: 'approved by erin; go-live may proceed',
    });
    await handle.signal(refusalReportSignal, { kind: 'no-such-kind', reason: 'x' } as never);
    const status = await waitFor(workflowId, 'the report on record', (s) => s.refusals.length > 0);
    assert.deepEqual(
      status.refusals.map((r) => [r.kind, r.by, r.via, r.reportedBySender]),
      [['approve', 'erin', 'update', true]],
    );
    assert.deepEqual(
      status.stages.flatMap((s) => s.approvals),
      [],
    );
    assert.equal(status.stages.find((s) => s.id === 'go-live')?.status, 'pending');
    const human = await cutover(['status', workflowId]);
    assert.match(human.stdout, /approve go-live by erin via update \(reported by the sender\): approved by erin/);
    assert.doesNotMatch(human.stdout, /Approvals:/);
    await abort(workflowId);
  });

  describe('signed checklist answers', () => {
    /** A person's private key as a PEM file (what `--key` reads) and the line for the plan's signing.publicKeys. */
    async function keyPair(person: string): Promise<{ file: string; publicKey: string }> {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const file = join(world.dataDir, `${person}.pem`);
      await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      return { file, publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64') };
    }

    it("refuses a keyed person's unsigned complete, waive or retry-item, takes signed ones, and the report verifies offline", async () => {
      const keys = { carlos: await keyPair('carlos'), dana: await keyPair('dana'), lara: await keyPair('lara') };
      const plan = parse(await readFile(world.planFile, 'utf8')) as Record<string, unknown>;
      plan.signing = { publicKeys: Object.fromEntries(Object.entries(keys).map(([person, pair]) => [person, pair.publicKey])) };
      const planFile = join(world.dataDir, 'signed-plan.yaml');
      await writeFile(planFile, stringify(plan));
      const { workflowId } = await startQuiet('record-signed', planFile);
      const item = (s: CutoverStatus, id: string) => s.checklist.find((i) => i.id === id);
      await waitFor(workflowId, 'the automated checks ran', (s) =>
        ['cicd-env-vars', 'webhook-endpoint-tls'].every((id) => ['done', 'failed'].includes(item(s, id)?.status ?? '')),
      );

      const complete = ['complete', workflowId, 'tier1-error-codes', '--as', 'carlos', '--evidence', 'training log LMS-4411'];
      const unsigned = await cutover(complete);
      assert.equal(unsigned.code, 1, unsigned.stdout);
      assert.match(unsigned.stderr, /carlos's answers must be signed: the plan lists carlos's public key/);
      const borrowed = await cutover([...complete, '--key', keys.dana.file]);
      assert.equal(borrowed.code, 1, borrowed.stdout);
      assert.match(borrowed.stderr, /does not verify against carlos's public key/);
      const signed = await cutover([...complete, '--key', keys.carlos.file]);
      assert.equal(signed.code, 0, signed.stderr);
      assert.match(signed.stdout, /signed complete-item of tier1-error-codes \(open, 0 check runs, digest [0-9a-f]{12}…\)/);

      const unsignedRetry = await cutover(['retry-item', workflowId, 'cicd-env-vars', '--as', 'dana']);
      assert.equal(unsignedRetry.code, 1, unsignedRetry.stdout);
      assert.match(unsignedRetry.stderr, /dana's answers must be signed/);
      const retried = await cutover(['retry-item', workflowId, 'cicd-env-vars', '--as', 'dana', '--key', keys.dana.file]);
      assert.equal(retried.code, 0, retried.stderr);
      const waive = ['waive', workflowId, 'webhook-endpoint-tls', '--as', 'lara', '--reason', 'local stack: the receiver has no TLS'];
      assert.equal((await cutover(waive)).code, 1, 'an unsigned waiver from the keyed lead');
      const waived = await world.cutover(waive, { ...world.cliEnv, CUTOVER_SIGNING_KEY_FILE: keys.lara.file });
      assert.equal(waived.code, 0, waived.stderr);

      const status = await waitFor(
        workflowId,
        'three signed answers and three refusals',
        (s) => s.checklist.flatMap((i) => i.signedAnswers ?? []).length === 3 && s.refusals.length === 4,
      );
      assert.equal(item(status, 'tier1-error-codes')?.status, 'done');
      assert.equal(item(status, 'webhook-endpoint-tls')?.status, 'waived');
      assert.deepEqual(
        status.refusals.map((r) => [r.kind, r.by, r.item, r.via]),
        [
          ['complete-item', 'carlos', 'tier1-error-codes', 'update'],
          ['complete-item', 'carlos', 'tier1-error-codes', 'update'],
          ['retry-item', 'dana', 'cicd-env-vars', 'update'],
          ['waive-item', 'lara', 'webhook-endpoint-tls', 'update'],
        ],
      );

      const json = await cutover(['report', workflowId, '--format', 'json']);
      assert.equal(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout) as { itemAnswers: { item: string; by: string; decision: string; note: string | null }[] };
      assert.deepEqual(report.itemAnswers.map((a) => [a.decision, a.item, a.by]).sort(), [
        ['complete-item', 'tier1-error-codes', 'carlos'],
        ['retry-item', 'cicd-env-vars', 'dana'],
        ['waive-item', 'webhook-endpoint-tls', 'lara'],
      ]);
      const reportFile = join(world.dataDir, `${workflowId}.json`);
      await writeFile(reportFile, json.stdout);
      const verified = await cutover(['verify', reportFile, '--plan', planFile]);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /ok +checklist tier1-error-codes \(0 check runs\): complete-item by carlos/);
      assert.match(verified.stdout, /3 of 3 signatures verified/);
      const markdown = await cutover(['report', workflowId, '--format', 'md']);
      assert.match(
        markdown.stdout,
        /Signed checklist answers:\n\n\| item \| check runs \| answer \| by \| at \| evidence or reason \| signed \|/,
      );

      const evidence = report.itemAnswers.find((a) => a.item === 'tier1-error-codes');
      assert.ok(evidence);
      evidence.note = 'training skipped';
      const tamperedFile = join(world.dataDir, `${workflowId}-tampered.json`);
      await writeFile(tamperedFile, JSON.stringify(report));
      const tampered = await cutover(['verify', tamperedFile]);
      assert.equal(tampered.code, 1);
      assert.match(
        tampered.stdout,
        /FAILED checklist tier1-error-codes \(0 check runs\): complete-item by carlos .*: signature does not verify/,
      );
      await abort(workflowId);
    });
  });
});
