/**
 * The CLI's output reaches a slow reader whole. A pipe holds 64 KiB; a command that exited as soon as it
 * had written used to leave the rest unwritten, with exit code 0 for a cut `status --json`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { CLI, EXAMPLE_PLAN, ROOT } from './helpers/cli.js';

/** Runs the CLI with its output piped to a reader that starts reading only after `lagMs`. */
async function runWithSlowReader(args: string[], lagMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)));
  child.stdout.pause();
  child.stderr.pause();
  await delay(lagMs);
  const collect = (stream: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.resume();
    return () => Buffer.concat(chunks).toString('utf8');
  };
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const code = await exited;
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('the CLI writing to a pipe', function () {
  this.timeout(60_000);
  let dir: string;
  let planFile: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'cutover-output-'));
    // Three thousand readiness items with an unknown owner: one problem line each, about 390 KB.
    const plan = parse(readFileSync(EXAMPLE_PLAN, 'utf8')) as { readiness?: Record<string, unknown> };
    plan.readiness = {
      ...plan.readiness,
      extraItems: Array.from({ length: 3000 }, (_, i) => ({ id: `item-${i}`, title: 'an item', section: 'support', owner: `nobody-${i}` })),
    };
    planFile = join(dir, 'many-problems.yaml');
    writeFileSync(planFile, stringify(plan));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers every line of a long answer to a reader slower than the command', async () => {
    const { code, stderr } = await runWithSlowReader(['plan', 'validate', planFile], 1_000);
    assert.equal(code, 1);
    const problems = stderr.split('\n').filter((line) => line.startsWith('  - readiness.extraItems['));
    assert.ok(stderr.length > 256 * 1024, `the answer is long enough to overflow a pipe (${stderr.length} bytes)`);
    assert.equal(problems.length, 3000, 'one line for each of the 3,000 problems');
    assert.match(problems.at(-1) ?? '', /^ {2}- readiness\.extraItems\[2999\]\.owner: /);
  });
});

describe('the CLI printing what people and plans wrote', () => {
  it('shows escape sequences in a plan as inert text, so a programme name cannot clear the screen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cutover-escapes-'));
    try {
      const plan = parse(readFileSync(EXAMPLE_PLAN, 'utf8')) as Record<string, unknown>;
      plan.programme = 'Acme\u001b[2J\u001b[H\u001b[32mALL CLEAR\u001b[0m\u009b31m\u202eUK';
      const file = join(dir, 'escapes.yaml');
      writeFileSync(file, stringify(plan));
      const { code, stdout, stderr } = await runWithSlowReader(['plan', 'validate', file], 0);
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/, 'no control character reaches the terminal');
      assert.match(stdout, /Acme\\u001b\[2J\\u001b\[H\\u001b\[32mALL CLEAR\\u001b\[0m\\u009b31m\\u202eUK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
