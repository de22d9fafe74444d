/**
 * Task answers under a plan that takes signed answers only, on the time-skipping server: a name alone is
 * refused and put on the refusal log (as an update reported by its sender, and as a signal); the room's
 * statement and a person's own signature are taken, checked like gate answers, and kept with the task.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSigningKey, signMessage } from '../src/client/approval-signing.js';
import { renderStatus } from '../src/client/format/status.js';
import { signMessageAsRoom } from '../src/operations/room-signing.js';
import type { CutoverMessage } from '../src/operations/send-message.js';
import { messageFor } from '../src/room/answer.js';
import { cutoverSections } from '../src/room/pages.js';
import { awaitedFrom, type Viewer } from '../src/room/viewer.js';
import { readRoomSigningKey } from '../src/signing/room-key.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { statusQuery, taskAnswerSignal } from '../src/workflows/messages.js';
import type { TaskState } from '../src/workflows/task-state.js';
import { answersThrough } from './helpers/answers.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { writeKeyPair } from './helpers/signing-keys.js';
import { planFor } from './helpers/plans.js';
import { waitForStatus } from './helpers/wait-for-status.js';

const dir = mkdtempSync(join(tmpdir(), 'cutover-task-answers-'));

const keyFile = (name: string) => writeKeyPair(dir, name);

const ISSUER = 'https://id.acme.example';

const taskOf = (status: CutoverStatus, id: string): TaskState => {
  const task = status.tasks?.find((t) => t.id === id);
  if (!task) throw new Error(`no task ${id}`);
  return task;
};

describe('task answers under signed answers only', function () {
  this.timeout(240_000);
  const harness = useCutoverHarness('time-skipping', 'task-answers');
  const room = keyFile('room');
  const erin = keyFile('erin');
  const roomKey = () => readRoomSigningKey(room.file);
  const { send, refused } = answersThrough(() => harness.env.client);

  const signedPlan = () =>
    planFor(harness.stack, {
      identity: { roomPublicKey: room.publicKeyBase64, roomUrl: 'https://room.acme.example', require: 'signed' },
      signing: { publicKeys: { erin: erin.publicKeyBase64 } },
      tasks: [
        {
          id: 'freeze',
          title: 'Freeze merchant onboarding',
          stream: 'engineering',
          owner: 'engineering',
          kind: 'manual',
          notBefore: '-30h',
          estimate: '1h',
          gate: ['compliance'],
          before: ['go-live'],
        },
        { id: 'prefund', title: 'Prefund', stream: 'treasury', owner: 'treasury', kind: 'manual', notBefore: '-30h', estimate: '1h' },
      ],
    });

  it('refuses a name alone onto the refusal log, takes the room-signed and key-signed answers and keeps how each was authenticated', async () => {
    const handle = await harness.start({ plan: signedPlan() });
    const id = handle.workflowId;
    const client = harness.env.client;
    const running = await waitForStatus(client, id, 'both tasks running', (s) =>
      ['freeze', 'prefund'].every((t) => taskOf(s, t).status === 'running'),
    );

    const tomasDone = { kind: 'task-answer', args: { task: 'prefund', action: 'done', by: 'tomas', evidence: 'TRS-88' } } as const;
    assert.match(
      await refused(id, tomasDone),
      /this plan requires every answer to be signed \(identity\.require: signed\).*the cutover room \(https:\/\/room\.acme\.example\)/,
    );
    const erinDone = { kind: 'task-answer', args: { task: 'freeze', action: 'done', by: 'erin', evidence: 'CHG-311' } } as const;
    assert.match(await refused(id, erinDone), /erin's answers must be signed: the plan lists erin's public key/);
    await handle.signal(taskAnswerSignal, { task: 'freeze', action: 'done', by: 'eli', evidence: 'by signal' });

    const refusals = await waitForStatus(client, id, 'three task refusals on record', (s) => s.refusals.length >= 3);
    assert.deepEqual(
      refusals.refusals.map((r) => [r.kind, r.via, r.by, r.task, r.reportedBySender ?? false]),
      [
        ['task-answer', 'update', 'tomas', 'prefund', true],
        ['task-answer', 'update', 'erin', 'freeze', true],
        ['task-answer', 'signal', 'eli', 'freeze', false],
      ],
    );
    assert.match(
      renderStatus({ status: refusals, executionStatus: 'RUNNING', approvers: {} }),
      /task-answer freeze by eli via signal: this plan requires every answer to be signed/,
    );
    assert.equal(taskOf(refusals, 'freeze').status, 'running', 'a refused answer changes nothing');

    // Through the room: the form becomes the task answer, the room signs it over what the task shows.
    const asTomas = { issuer: ISSUER, subject: 'sub-tomas' };
    const form = messageFor(
      { name: 'tomas', roles: ['treasury'], identity: { ...asTomas, email: 'tomas@acme.example', via: 'session' } },
      { action: 'task-answer', task: 'prefund', answer: 'done', evidence: 'TRS-88', by: 'lara' },
    );
    assert.deepEqual(form, tomasDone);
    const viaRoom = signMessageAsRoom(roomKey(), running, form, asTomas);
    const forgeries: [string, CutoverMessage, RegExp][] = [
      ['other evidence', { kind: 'task-answer', args: { ...viaRoom.args, evidence: 'TRS-89' } }, /does not verify against the room key/],
      [
        'another task',
        {
          kind: 'task-answer',
          args: {
            ...signMessageAsRoom(roomKey(), running, { ...form, args: { ...form.args, task: 'freeze' } }, asTomas).args,
            task: 'prefund',
          },
        },
        /is not what prefund shows now|does not verify against the room key/,
      ],
    ];
    for (const [what, forged, reason] of forgeries) assert.match(await refused(id, forged), reason, what);
    assert.match(await send(id, viaRoom), /prefund marked done by tomas/);

    // Erin signs with her own key, over the task as the workflow shows it.
    const signed = await signMessage(client, id, erinDone, readSigningKey(erin.file));
    assert.match(signed.description, /signed done of task freeze \(running, attempt 0, digest [0-9a-f]{12}…\) with key/);
    const altered = { ...signed.message, args: { ...signed.message.args, evidence: 'CHG-312' } } as CutoverMessage;
    assert.match(await refused(id, altered), /does not verify against erin's public key in the plan/);
    assert.match(await send(id, signed.message), /freeze marked done by erin; its gate comes next/);

    const held = await waitForStatus(client, id, 'freeze held for Compliance', (s) => taskOf(s, 'freeze').status === 'holding');
    assert.match(
      await refused(id, { kind: 'task-answer', args: { task: 'freeze', action: 'approve', by: 'cody' } }),
      /requires every answer to be signed/,
    );
    const asCody = { issuer: ISSUER, subject: 'sub-cody' };
    // The room shows Compliance the held task as awaiting them, with the form that approves it.
    const cody: Viewer = { name: 'cody', roles: ['compliance'], identity: { ...asCody, email: 'cody@acme.example', via: 'session' } };
    const sections = cutoverSections(
      {
        workflowId: id,
        plan: signedPlan(),
        reading: { status: held, executionStatus: 'RUNNING', approvers: {} },
        viewer: cody,
        awaited: awaitedFrom(held, cody),
      },
      {},
    );
    assert.match(sections['awaiting']?.text ?? '', /Tasks awaiting you, answered under Tasks: freeze/);
    assert.match(
      sections['tasks']?.text ?? '',
      /name="task" value="freeze"><input type="hidden" name="answer" value="approve">[\s\S]*Approve freeze as cody/,
    );
    const codyApproves = signMessageAsRoom(
      roomKey(),
      held,
      { kind: 'task-answer', args: { task: 'freeze', action: 'approve', by: 'cody', note: 'CAB 12' } },
      asCody,
    );
    assert.match(await send(id, codyApproves), /freeze approved: it is done/);

    const done = await waitForStatus(client, id, 'both tasks done', (s) =>
      ['freeze', 'prefund'].every((t) => taskOf(s, t).status === 'done'),
    );
    const prefund = taskOf(done, 'prefund');
    assert.deepEqual(prefund.answeredVia, { via: 'room', issuer: ISSUER, subject: 'sub-tomas' });
    assert.equal(prefund.answers?.length, 1);
    assert.equal(prefund.answers?.[0]?.room?.value, viaRoom.args.roomStatement.value);
    const freeze = taskOf(done, 'freeze');
    assert.equal(freeze.answeredVia?.via, 'key');
    assert.deepEqual(
      freeze.answers?.map((a) => [a.action, a.by, a.signature ? 'key' : a.room ? 'room' : 'name']),
      [
        ['done', 'erin', 'key'],
        ['approve', 'cody', 'room'],
      ],
    );
    assert.equal(freeze.approvals[0]?.room?.subject, 'sub-cody');
    const final = await handle.query(statusQuery);
    assert.ok(
      final.refusals.some((r) => r.task === 'freeze' && /does not verify against erin's public key/.test(r.reason)),
      'the altered signature is on the refusal log',
    );
    await handle.terminate('task answers checked');
  });
});
