/**
 * Signed answers and separation of duties, on the time-skipping server: approvers whose public key the
 * plan lists sign with the CLI's own signing code; the workflow refuses forged, borrowed, replayed and stale
 * signatures, on gate and checklist answers alike, and the launch report's signatures verify offline with
 * `cutover verify`.
 */
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSigningKey, signMessage, type SigningKey } from '../src/client/approval-signing.js';
import { renderLaunchReportJson } from '../src/client/format/launch-report.js';
import type { CutoverMessage } from '../src/operations/send-message.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { approvalStatement, evidenceDigest, itemEvidenceDigest } from '../src/signing/approval-statement.js';
import { statusQuery, type ApproveArgs } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { runCli } from './helpers/cli.js';
import { answersThrough } from './helpers/answers.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';

const dir = mkdtempSync(join(tmpdir(), 'cutover-signing-'));

/** A person's key pair: the private key as a PEM file (what `--key` reads) and the public key for the plan. */
function keyPair(person: string): { file: string; publicKeyBase64: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const file = join(dir, `${person}.pem`);
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return { file, publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64'), privateKey };
}

describe('signed approvals and separation of duties', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('time-skipping', 'signed');
  const lara = keyPair('lara');
  const erin = keyPair('erin');
  const tomas = keyPair('tomas');
  const keys: Record<string, SigningKey> = {};
  before(() => {
    for (const [person, pair] of Object.entries({ lara, erin, tomas })) keys[person] = readSigningKey(pair.file);
  });

  const signedPlan = (overrides: Record<string, unknown> = {}): CutoverPlan =>
    planFor(harness.stack, {
      signing: { publicKeys: { lara: lara.publicKeyBase64, erin: erin.publicKeyBase64, tomas: tomas.publicKeyBase64 } },
      ...overrides,
    });

  const { send, refused } = answersThrough(() => harness.env.client);

  async function signed(workflowId: string, message: Extract<CutoverMessage, { kind: 'approve' | 'reject' | 'decide' }>, key: SigningKey) {
    return (await signMessage(harness.env.client, workflowId, message, key)).message;
  }

  it('takes signed go/no-go approvals and a debrief decision, and the report verifies offline', async () => {
    const handle = await harness.start({ plan: signedPlan() });
    const id = handle.workflowId;
    await advanceUntil(harness.env, handle, holdingAt('go-live'), 'the go-live gate');

    const auth = await runLowRiskAuthorization(harness.stack.production.url);
    const laraApproves: CutoverMessage = {
      kind: 'approve',
      args: { stage: 'go-live', by: 'lara', authorizationId: auth.id, note: 'smoke ok' },
    };
    assert.match(await refused(id, laraApproves), /lara's answers must be signed: the plan lists lara's public key/);
    assert.match(await refused(id, await signed(id, laraApproves, keys.erin!)), /does not verify against lara's public key/);

    const genuine = await signed(id, laraApproves, keys.lara!);
    const forged: CutoverMessage = {
      kind: 'approve',
      args: { ...(genuine.args as ApproveArgs), note: 'smoke ok, and I also approve the next launch' },
    };
    assert.match(await refused(id, forged), /does not verify against lara's public key/);
    assert.match(await send(id, genuine), /go-live still awaits Engineering/);
    assert.match(
      await refused(id, genuine),
      /lara has already approved go-live; the two go\/no-go approvals must come from different people/,
    );

    await send(id, await signed(id, { kind: 'approve', args: { stage: 'go-live', by: 'erin', note: 'dashboards green' } }, keys.erin!));
    await advanceUntil(harness.env, handle, holdingAt('debrief'), 'the debrief');
    await send(id, await signed(id, { kind: 'decide', args: { decision: 'roll-forward', by: 'lara', reason: 'all green' } }, keys.lara!));
    const status = await advanceUntil(harness.env, handle, (s) => s.phase === 'watching' || s.phase === 'completed', 'roll forward');

    const goLive = stageOf(status, 'go-live');
    assert.deepEqual(
      goLive.approvals.map((a) => [a.by, a.signature?.publicKey]),
      [
        ['lara', keys.lara!.publicKeyHex],
        ['erin', keys.erin!.publicKeyHex],
      ],
    );
    const reportFile = join(dir, `${id}.json`);
    writeFileSync(reportFile, renderLaunchReportJson(status, new Date()));
    const verified = await runCli(['verify', reportFile]);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /3 of 3 signatures verified; 0 answers unsigned/);

    const report = JSON.parse(renderLaunchReportJson(status, new Date())) as { approvals: { by: string; note: string | null }[] };
    const erinsApproval = report.approvals.find((a) => a.by === 'erin');
    assert.ok(erinsApproval);
    erinsApproval.note = 'dashboards amber';
    const tamperedFile = join(dir, `${id}-tampered.json`);
    writeFileSync(tamperedFile, JSON.stringify(report));
    const tampered = await runCli(['verify', tamperedFile]);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, /FAILED go-live attempt 1: approved by erin/);
    assert.match(tampered.stderr, /1 signature in .* failed/);
    // The time-skipping server leaves a terminated parent's child running: stop the watch too.
    await harness.env.client.workflow.getHandle(`${id}.watch`).terminate('end of test');
    await handle.terminate('end of test');
  });

  it('refuses a signature made for another cutover and one made before the check ran again', async () => {
    const handle = await harness.start({ plan: signedPlan({ funding: { minimums: { GBP: 999_999_999_999 } } }) });
    const id = handle.workflowId;
    const held = await advanceUntil(harness.env, handle, holdingAt('funding-check'), 'the funding hold');
    const funding = stageOf(held, 'funding-check');

    // A genuine signature by tomas, over this stage's evidence, but for another cutover's id.
    const signedAt = new Date().toISOString();
    const elsewhere = approvalStatement({
      workflowId: `${id}-other`,
      stage: 'funding-check',
      attempt: funding.attempts,
      decision: 'approved',
      by: 'tomas',
      evidenceDigest: evidenceDigest(funding),
      signedAt,
    });
    const replayed: CutoverMessage = {
      kind: 'approve',
      args: {
        stage: 'funding-check',
        by: 'tomas',
        signature: {
          signedAt,
          evidenceDigest: evidenceDigest(funding),
          value: sign(null, Buffer.from(elsewhere), tomas.privateKey).toString('hex'),
        },
      },
    };
    assert.match(await refused(id, replayed), /does not verify against tomas's public key .*another cutover, stage or answer/);

    const beforeRetry = await signed(
      id,
      { kind: 'approve', args: { stage: 'funding-check', by: 'tomas', note: 'wire confirmed' } },
      keys.tomas!,
    );
    await send(id, { kind: 'retry', args: { stage: 'funding-check', by: 'tomas' } });
    await advanceUntil(
      harness.env,
      handle,
      (s) => holdingAt('funding-check')(s) && stageOf(s, 'funding-check').attempts === 2,
      'the re-run',
    );
    assert.match(
      await refused(id, beforeRetry),
      /the evidence you signed \([0-9a-f]{12}…\) is not what funding-check shows now \([0-9a-f]{12}…\): its check has run again/,
    );

    const malformed: CutoverMessage = {
      kind: 'approve',
      args: { stage: 'funding-check', by: 'tomas', signature: { signedAt: 'yesterday', evidenceDigest: 'x', value: 'y' } },
    };
    assert.match(await refused(id, malformed), /the signature needs signedAt, an ISO 8601 time/);
    assert.match(
      await refused(id, await signed(id, { kind: 'approve', args: { stage: 'funding-check', by: 'olivia' } }, keys.tomas!)),
      /olivia \(Ops\) cannot approve funding-check/,
    );
    assert.match(
      await send(
        id,
        await signed(id, { kind: 'approve', args: { stage: 'funding-check', by: 'tomas', note: 'wire confirmed' } }, keys.tomas!),
      ),
      /funding-check is approved/,
    );
    await handle.terminate('end of test');
  });

  it('refuses a signature from someone the plan lists no key for, and unsigned answers from those it does', async () => {
    const handle = await harness.start({
      plan: signedPlan({
        signing: { publicKeys: { lara: lara.publicKeyBase64, erin: erin.publicKeyBase64 } },
        funding: { minimums: { GBP: 999_999_999_999 } },
      }),
    });
    const id = handle.workflowId;
    await advanceUntil(harness.env, handle, holdingAt('funding-check'), 'the funding hold');
    const byTomas = await signed(id, { kind: 'approve', args: { stage: 'funding-check', by: 'tomas' } }, keys.tomas!);
    assert.match(await refused(id, byTomas), /the plan lists no public key for tomas, so the signature cannot be checked/);
    const laraRejects: CutoverMessage = { kind: 'reject', args: { stage: 'funding-check', by: 'lara', reason: 'wire missing' } };
    assert.match(await refused(id, laraRejects), /lara's answers must be signed/);
    assert.match(await refused(id, await signed(id, laraRejects, keys.erin!)), /does not verify against lara's public key/);
    assert.match(await send(id, await signed(id, laraRejects, keys.lara!)), /funding-check is rejected/);
    await handle.terminate('end of test');
  });

  it('refuses a checklist answer signed before the item changed, one signed as a gate answer, and a signature used twice', async () => {
    const handle = await harness.start({ plan: signedPlan() });
    const id = handle.workflowId;
    const checked = (s: CutoverStatus) => s.checklist.find((i) => i.id === 'production-credentials');
    await advanceUntil(harness.env, handle, (s) => checked(s)?.status === 'done', 'the credentials check');
    const retry: CutoverMessage = { kind: 'retry-item', args: { item: 'production-credentials', by: 'erin' } };
    const first = (await signMessage(harness.env.client, id, retry, keys.erin!)).message;
    const second = (await signMessage(harness.env.client, id, retry, keys.erin!, new Date(Date.now() + 1_000))).message;
    assert.match(await send(id, first), /production-credentials is checked again now/);
    await advanceUntil(harness.env, handle, (s) => checked(s)?.status === 'done' && checked(s)?.attempts === 2, 'the re-run');
    assert.match(await refused(id, first), /this signed answer has been used already/);
    assert.match(
      await refused(id, second),
      /the item you signed \([0-9a-f]{12}…\) is not what production-credentials shows now \([0-9a-f]{12}…\): it has changed since you looked/,
    );

    // A genuine gate-answer statement by erin over the item's current digest: the headers differ, so it never counts for the item.
    const item = checked(await handle.query(statusQuery))!;
    const signedAt = new Date().toISOString();
    const asGateAnswer = approvalStatement({
      workflowId: id,
      stage: 'production-credentials',
      attempt: item.attempts,
      decision: 'approved',
      by: 'erin',
      evidenceDigest: itemEvidenceDigest(item),
      signedAt,
    });
    const crossed: CutoverMessage = {
      kind: 'retry-item',
      args: {
        item: 'production-credentials',
        by: 'erin',
        signature: {
          signedAt,
          evidenceDigest: itemEvidenceDigest(item),
          value: sign(null, Buffer.from(asGateAnswer), erin.privateKey).toString('hex'),
        },
      },
    };
    assert.match(await refused(id, crossed), /does not verify against erin's public key .*another cutover, item or answer/);
    const status = await handle.query(statusQuery);
    assert.deepEqual(
      checked(status)?.signedAnswers?.map((a) => [a.kind, a.by, a.attempt, a.signature.publicKey]),
      [['retry-item', 'erin', 1, keys.erin!.publicKeyHex]],
    );
    await handle.terminate('end of test');
  });

  it('keeps the person who started the cutover from approving its gates when the plan says so', async () => {
    const plan = planFor(harness.stack, {
      approvers: {
        lead: ['lara', 'lee'],
        ops: ['olivia'],
        treasury: ['tomas'],
        engineering: ['erin'],
        devops: ['dev'],
        analytics: ['ana'],
        finance: ['fiona'],
        cx: ['cara'],
        compliance: ['cody'],
      },
      separationOfDuties: { starterMayApprove: false },
    });
    const handle = await harness.start({ plan });
    const id = handle.workflowId;
    const status: CutoverStatus = await advanceUntil(harness.env, handle, holdingAt('go-live'), 'the go-live gate');
    assert.equal(status.startedBy, 'lara');
    assert.match(
      await refused(id, { kind: 'approve', args: { stage: 'go-live', by: 'lara', authorizationId: 'auth_1' } }),
      /lara started this cutover, and the plan's separation of duties .* keeps the person who started it from approving its gates/,
    );
    const auth = await runLowRiskAuthorization(harness.stack.production.url);
    await send(id, { kind: 'approve', args: { stage: 'go-live', by: 'lee', authorizationId: auth.id } });
    assert.match(await send(id, { kind: 'approve', args: { stage: 'go-live', by: 'erin' } }), /go-live is approved/);
    await handle.terminate('end of test');
  });
});
