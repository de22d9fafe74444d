/**
 * The approver's side of signing through the real `cutover` CLI: making a key (a person's or the room's), refusing bad key files and
 * bad reports before anything is sent, and a plan whose starter may not approve refused at start.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readRoomSigningKey } from '../src/signing/room-key.js';
import { EXAMPLE_PLAN, runCli } from './helpers/cli.js';

describe('signing from the cutover CLI', function () {
  this.timeout(60_000);
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutover-signing-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes a key pair whose public line the plan accepts, and never overwrites a key', async () => {
    const keyFile = join(dir, 'erin.pem');
    const made = await runCli(['keygen', '--out', keyFile, '--as', 'erin']);
    assert.equal(made.code, 0, made.stderr);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600, 'the private key is readable by its owner only');
    const line = /^ {4}erin: ([A-Za-z0-9+/]{43}=)$/m.exec(made.stdout);
    assert.ok(line, made.stdout);

    const plan = parse(await readFile(EXAMPLE_PLAN, 'utf8')) as Record<string, unknown>;
    plan.signing = { publicKeys: { erin: line[1] } };
    const planFile = join(dir, 'signed.yaml');
    await writeFile(planFile, stringify(plan));
    const validated = await runCli(['plan', 'validate', planFile]);
    assert.equal(validated.code, 0, validated.stderr);

    const again = await runCli(['keygen', '--out', keyFile]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; keygen never overwrites a key/);
  });

  it("makes the room's key, whose identity block the plan accepts, and refuses a signed-only plan nobody could answer", async () => {
    const keyFile = join(dir, 'room.pem');
    const made = await runCli(['keygen', '--room', '--out', keyFile]);
    assert.equal(made.code, 0, made.stderr);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600, "the room's private key is readable by its owner only");
    assert.match(made.stdout, /CUTOVER_ROOM_SIGNING_KEY_FILE=/);
    const line = /^ {2}roomPublicKey: ([A-Za-z0-9+/]{43}=)\n {2}require: signed$/m.exec(made.stdout);
    assert.ok(line, made.stdout);
    assert.equal(readRoomSigningKey(keyFile).publicKeyHex, Buffer.from(line[1]!, 'base64').toString('hex'));

    const plan = parse(await readFile(EXAMPLE_PLAN, 'utf8')) as Record<string, unknown>;
    plan.identity = { roomPublicKey: line[1], require: 'signed' };
    const planFile = join(dir, 'room.yaml');
    await writeFile(planFile, stringify(plan));
    const validated = await runCli(['plan', 'validate', planFile]);
    assert.equal(validated.code, 0, validated.stderr);

    plan.identity = { require: 'signed' };
    plan.signing = { publicKeys: { erin: line[1] } };
    await writeFile(planFile, stringify(plan));
    const unanswerable = await runCli(['plan', 'validate', planFile]);
    assert.equal(unanswerable.code, 1);
    assert.match(
      unanswerable.stderr,
      /identity\.roomPublicKey: identity\.require is signed but the plan pins no room key and lara, olivia, tomas, eli, /,
    );
  });

  it('refuses a key file it cannot read or that is not an Ed25519 key, before contacting the cutover', async () => {
    const missing = await runCli(['approve', 'cutover-x', 'go-live', '--as', 'erin', '--key', join(dir, 'nope.pem')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--key .*nope\.pem cannot be read \(ENOENT\)/);

    const rsaFile = join(dir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await writeFile(rsaFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const rsa = await runCli(['decide', 'cutover-x', 'roll-forward', '--as', 'lara', '--reason', 'ok', '--key', rsaFile]);
    assert.equal(rsa.code, 1);
    assert.match(rsa.stderr, /holds an rsa key; signed answers use Ed25519/);
    assert.doesNotMatch(rsa.stderr, /Temporal|connect/i);
  });

  it('refuses to verify a file that is not a JSON launch report, saying what it needs', async () => {
    const markdown = join(dir, 'report.md');
    await writeFile(markdown, '# Launch report\n');
    const notJson = await runCli(['verify', markdown]);
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /is not JSON: verify reads the JSON launch report \(`cutover report ID --format json --out FILE`\)/);

    const wrongShape = join(dir, 'other.json');
    await writeFile(wrongShape, JSON.stringify({ workflowId: 'x', approvals: [{ stage: 'go-live' }] }));
    const shape = await runCli(['verify', wrongShape]);
    assert.equal(shape.code, 1);
    assert.match(shape.stderr, /is not a launch report: approvals\.0\.attempt/);
  });

  it('refuses to start a cutover whose gates only its starter could answer when the starter may not approve', async () => {
    const plan = parse(await readFile(EXAMPLE_PLAN, 'utf8')) as Record<string, unknown>;
    plan.separationOfDuties = { starterMayApprove: false };
    const planFile = join(dir, 'separated.yaml');
    await writeFile(planFile, stringify(plan));
    const started = await runCli(['start', planFile, '--as', 'lara', '--go-live', '+25h']);
    assert.equal(started.code, 1);
    assert.match(
      started.stderr,
      /keeps the person who started the cutover from approving .* so lara cannot start it:\n {2}- stages\.go-live\.gate: go-live needs 1 different person to approve as Programme lead without lara, who started the cutover, but nobody is listed/,
    );
  });
});
