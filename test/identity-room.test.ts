/**
 * Who answered, on the time-skipping server: a plan with `identity.require: signed` pins the room's key; an
 * answer by name alone is refused with where to answer instead; an answer carrying the room's statement (signed
 * with the room's key through the room's own signing code) and a keyed approver's signed answer are taken; a
 * room statement for another person, cutover, stage, answer or digest, or by another key, is refused; and the
 * status and launch report say how each answer was authenticated.
 */
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSigningKey, signMessage } from '../src/client/approval-signing.js';
import { renderLaunchReportJson, renderLaunchReportMarkdown } from '../src/client/format/launch-report.js';
import { renderStatus } from '../src/client/format/status.js';
import { signMessageAsRoom } from '../src/operations/room-signing.js';
import type { CutoverMessage } from '../src/operations/send-message.js';
import { readRoomSigningKey } from '../src/signing/room-key.js';
import { statusQuery } from '../src/workflows/messages.js';
import { type CutoverStatus } from '../src/workflows/cutover-state.js';
import { answersThrough } from './helpers/answers.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { writeKeyPair } from './helpers/signing-keys.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';

const dir = mkdtempSync(join(tmpdir(), 'cutover-identity-'));

const keyFile = (name: string) => writeKeyPair(dir, name);

const ISSUER = 'https://id.acme.example';

describe('the workflow knows who answered', function () {
  this.timeout(240_000);
  const harness = useCutoverHarness('time-skipping', 'identity');
  const room = keyFile('room');
  const otherRoom = keyFile('other-room');
  const erin = keyFile('erin');
  const roomKey = () => readRoomSigningKey(room.file);

  const identityPlan = () =>
    planFor(harness.stack, {
      identity: { roomPublicKey: room.publicKeyBase64, roomUrl: 'https://room.acme.example', require: 'signed' },
      signing: { publicKeys: { erin: erin.publicKeyBase64 } },
    });

  const { send, refused } = answersThrough(() => harness.env.client);

  it('refuses a name alone, takes the room-signed and the key-signed answers, and the report says how each was authenticated', async () => {
    const handle = await harness.start({ plan: identityPlan() });
    const id = handle.workflowId;
    const held = await advanceUntil(harness.env, handle, holdingAt('go-live'), 'the go-live gate');

    const auth = await runLowRiskAuthorization(harness.stack.production.url);
    const laraApproves = { kind: 'approve', args: { stage: 'go-live', by: 'lara', authorizationId: auth.id, note: 'smoke ok' } } as const;
    assert.match(
      await refused(id, laraApproves),
      /this plan requires every answer to be signed \(identity\.require: signed\).*answer in the cutover room \(https:\/\/room\.acme\.example\), or sign with your own key \(--key FILE/,
    );
    const erinApproves = { kind: 'approve', args: { stage: 'go-live', by: 'erin', note: 'dashboards green' } } as const;
    assert.match(await refused(id, erinApproves), /erin's answers must be signed: the plan lists erin's public key/);

    const asLara = { issuer: ISSUER, subject: 'sub-lara' };
    const genuine = signMessageAsRoom(roomKey(), held, laraApproves, asLara);
    assert.equal(genuine.args.roomStatement?.issuer, ISSUER);
    assert.equal(genuine.args.roomStatement?.evidenceDigest?.length, 64);

    const forEli = signMessageAsRoom(roomKey(), held, { kind: 'approve', args: { ...laraApproves.args, by: 'eli' } }, asLara);
    const forgeries: [string, CutoverMessage, RegExp][] = [
      ['another person', { kind: 'approve', args: { ...forEli.args, by: 'lara' } }, /does not verify against the room key the plan pins/],
      [
        'another cutover',
        signMessageAsRoom(roomKey(), { ...held, workflowId: `${id}-other` }, laraApproves, asLara),
        /does not verify against the room key/,
      ],
      [
        'another answer',
        { kind: 'approve', args: { ...genuine.args, note: 'smoke ok, and the next launch too' } },
        /does not verify against the room key/,
      ],
      [
        'another stage',
        {
          kind: 'approve',
          args: {
            ...signMessageAsRoom(roomKey(), held, { kind: 'approve', args: { ...laraApproves.args, stage: 'funding-check' } }, asLara).args,
            stage: 'go-live',
          },
        },
        /is not what go-live shows now|does not verify against the room key/,
      ],
      [
        'another digest',
        signMessageAsRoom(roomKey(), withGoLiveEvidence(held, { shown: 'something else' }), laraApproves, asLara),
        /what you were shown \([0-9a-f]{12}…\) is not what go-live shows now/,
      ],
      [
        'another key',
        signMessageAsRoom(readRoomSigningKey(otherRoom.file), held, laraApproves, asLara),
        /does not verify against the room key the plan pins/,
      ],
    ];
    for (const [what, forged, reason] of forgeries) assert.match(await refused(id, forged), reason, what);
    // The room signed a rejection; the same statement on an approval is refused: the kind is signed too.
    const rejection = signMessageAsRoom(
      roomKey(),
      held,
      { kind: 'reject', args: { stage: 'go-live', by: 'lara', reason: 'smoke ok' } },
      asLara,
    );
    assert.match(
      await refused(id, {
        kind: 'approve',
        args: { stage: 'go-live', by: 'lara', note: 'smoke ok', authorizationId: auth.id, roomStatement: rejection.args.roomStatement },
      }),
      /does not verify against the room key/,
    );

    assert.match(await send(id, genuine), /go-live still awaits Engineering/);
    assert.match(
      await send(id, (await signMessage(harness.env.client, id, erinApproves, readSigningKey(erin.file))).message),
      /go-live is approved/,
    );
    const atDebrief = await advanceUntil(harness.env, handle, holdingAt('debrief'), 'the debrief');
    const decide = { kind: 'decide', args: { decision: 'roll-forward', by: 'lara', reason: 'all green' } } as const;
    assert.match(await refused(id, decide), /requires every answer to be signed/);
    await send(id, signMessageAsRoom(roomKey(), atDebrief, decide, asLara));
    const status = await advanceUntil(harness.env, handle, (s) => s.phase === 'watching' || s.phase === 'completed', 'roll forward');

    const goLive = stageOf(status, 'go-live');
    assert.deepEqual(
      goLive.approvals.map((a) => [a.by, a.room?.subject ?? null, a.signature ? 'key' : null]),
      [
        ['lara', 'sub-lara', null],
        ['erin', null, 'key'],
      ],
    );
    const report = JSON.parse(renderLaunchReportJson(status, new Date())) as {
      approvals: { by: string; decision: string; authenticated: unknown }[];
    };
    const erinKey = readSigningKey(erin.file).publicKeyHex;
    assert.deepEqual(
      report.approvals
        .filter((a) => a.decision !== 'approved' || ['lara', 'erin'].includes(a.by))
        .map((a) => [a.by, a.decision, a.authenticated]),
      [
        ['lara', 'approved', { via: 'room', issuer: ISSUER, subject: 'sub-lara' }],
        ['erin', 'approved', { via: 'key', publicKey: erinKey }],
        ['lara', 'roll-forward', { via: 'room', issuer: ISSUER, subject: 'sub-lara' }],
      ],
    );
    const markdown = renderLaunchReportMarkdown(status, new Date());
    assert.match(markdown, /\| authenticated \|/);
    assert.match(markdown, /\| room: sub-lara at https\\?:\/\/id\.acme\.example \|/);
    assert.match(markdown, new RegExp(`signed, key ${erinKey.slice(0, 12)}`));
    const printed = renderStatus({ status, executionStatus: 'RUNNING', approvers: {} });
    assert.match(printed, /go-live: approved by lara \(lead\) .*\[room: sub-lara at https:\/\/id\.acme\.example\]/);
    assert.match(printed, /go-live: approved by erin \(engineering\) .*\[signed, key [0-9a-f]{12}…\]/);
    await harness.env.client.workflow.getHandle(`${id}.watch`).terminate('end of test');
    await handle.terminate('end of test');
  });

  it('takes a room-signed checklist answer once, and keeps how the item was answered', async () => {
    const plan = identityPlan();
    const handle = await harness.start({ plan });
    const id = handle.workflowId;
    const attested = plan.readiness.items.find((i) => i.kind === 'attested' && !i.postLaunch && i.owner === 'cx');
    assert.ok(attested, 'the plan has an attested item for CX');
    const owner = 'cara';
    const open = await advanceUntil(harness.env, handle, (s) => s.checklist.some((i) => i.id === attested.id), 'the checklist');
    const complete = { kind: 'complete-item', args: { item: attested.id, by: owner, evidence: 'trained, ticket OPS-1' } } as const;
    assert.match(await refused(id, complete), /requires every answer to be signed/);
    const viaRoom = signMessageAsRoom(roomKey(), open, complete, { issuer: ISSUER, subject: `sub-${owner}` });
    assert.match(await send(id, viaRoom), new RegExp(`${attested.id} is done`));
    assert.match(await refused(id, viaRoom), /used already|already done/);
    const status = await handle.query(statusQuery);
    const item = status.checklist.find((i) => i.id === attested.id)!;
    assert.match(
      renderLaunchReportMarkdown(status, new Date()),
      new RegExp(`\`${attested.id}\` \\| CX \\| attested \\| done \\| cara \\(room: sub-cara at https\\\\?:`),
    );
    assert.deepEqual(item.answeredVia, { via: 'room', issuer: ISSUER, subject: `sub-${owner}` });
    assert.deepEqual(
      item.roomAnswers?.map((a) => [a.kind, a.by, a.room.subject]),
      [['complete-item', owner, `sub-${owner}`]],
    );
    await handle.terminate('end of test');
  });

  it('verifies the room on messages that are not answers, and refuses a room statement a plan pins no key for', async () => {
    const handle = await harness.start({ plan: identityPlan() });
    const id = handle.workflowId;
    const running = await advanceUntil(harness.env, handle, (s) => s.checklist.length > 0, 'the checklist');
    const incident = { kind: 'report-incident', args: { by: 'cara', severity: 'sev3', summary: 'one merchant sees declines' } } as const;
    assert.match(await send(id, incident), /sev3 logged/, 'an incident is not an answer: a name alone is taken');
    const forOlivia = signMessageAsRoom(
      roomKey(),
      running,
      { kind: 'report-incident', args: { ...incident.args, by: 'olivia' } },
      { issuer: ISSUER, subject: 'sub-olivia' },
    );
    assert.match(
      await refused(id, { kind: 'report-incident', args: { ...forOlivia.args, by: 'cara' } }),
      /does not verify against the room key/,
    );
    assert.match(await send(id, signMessageAsRoom(roomKey(), running, incident, { issuer: ISSUER, subject: 'sub-cara' })), /sev3 logged/);
    await handle.terminate('end of test');

    const unpinned = await harness.start({ plan: planFor(harness.stack) });
    const atStart = await advanceUntil(harness.env, unpinned, (s) => s.checklist.length > 0, 'the checklist');
    assert.match(
      await refused(unpinned.workflowId, signMessageAsRoom(roomKey(), atStart, incident, { issuer: ISSUER, subject: 'sub-cara' })),
      /the plan pins no room key \(identity\.roomPublicKey\), so the room's statement cannot be checked/,
    );
    await unpinned.terminate('end of test');
  });
});

/** The status as if go-live had shown other evidence when the person looked. */
function withGoLiveEvidence(status: CutoverStatus, extra: Record<string, unknown>): CutoverStatus {
  return { ...status, stages: status.stages.map((s) => (s.id === 'go-live' ? { ...s, evidence: { ...s.evidence, ...extra } } : s)) };
}
