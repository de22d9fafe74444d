/**
 * `npm test` prints test names and failures: a passing suite's servers, worker logs, warnings and notes go
 * to its log under test-results/logs/, and a failure's message names that log and quotes what it got.
 * Runs `test/fixtures/quiet/noisy-suite.ts` in a Mocha of its own with the project's root hooks.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './helpers/cli.js';
import { LOG_DIR } from './helpers/suite-logs.js';

const MOCHA = join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const FIXTURE = join(ROOT, 'dist', 'test', 'fixtures', 'quiet', 'noisy-suite.js');

function runNoisySuite(env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MOCHA, '--no-config', '--require', 'dist/test/hooks.js', '--timeout', '120000', '--exit', FIXTURE],
      { cwd: ROOT, env: { ...process.env, NOISY_SUITE_FAILS: '', ...env } },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim().replace(/ \(\d+m?s\)$/, ''))
    .filter((line) => line !== '');

describe('the test output', () => {
  it('shows a passing suite as its test names only, and keeps what its server, worker, Node and notes said in its logs', async () => {
    const run = await runNoisySuite();
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(lines(run.stdout), [
      'a noisy suite',
      '✔ says everything a fault test says',
      'a suite skipped on this machine',
      '- needs what this machine lacks',
      '1 passing',
      '1 pending',
    ]);
    assert.equal(run.stderr, '');

    const log = await readFile(join(LOG_DIR, 'noisy-suite.log'), 'utf8');
    assert.match(log, /note measured: retention \d+ s/);
    assert.match(log, /worker \[WARN\] .*Activity failed {\n  error: Error: PayCA answered 503 \(an expected fault\)/);
    assert.match(log, /\n\s+at .*noisy-suite\.js/, 'the expected stack trace is in the log');
    assert.match(log, /node Warning: an expected warning/);
    const serverLog = await readFile(join(LOG_DIR, 'noisy-suite.temporal-dev-server.log'), 'utf8');
    assert.match(serverLog, /Temporal Server: +\S+:\d+/);
  });

  it("ends a failure's message with the suite's logs and the lines they got while the test ran", async () => {
    const run = await runNoisySuite({ NOISY_SUITE_FAILS: '1' });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const failure = run.stdout.slice(run.stdout.indexOf('1 failing'));
    assert.match(failure, /AssertionError \[ERR_ASSERTION\]: failed on purpose/);
    assert.match(failure, /logs: test-results\/logs\/noisy-suite\.log, test-results\/logs\/noisy-suite\.temporal-dev-server\.log\n/);
    assert.match(failure, /noted by the suite:\n\s+\| noisy seed 42/);
    assert.match(failure, /logged while it ran.*:\n(.*\n)*.*\| .* note measured: retention/);
    assert.match(failure, /\| .* node Warning: an expected warning/);
    assert.match(failure, /\| .* worker \[WARN\] .*Activity failed/);
    const before = run.stdout.slice(0, run.stdout.indexOf('1 failing'));
    assert.doesNotMatch(before, /Temporal Server|Warning|\[WARN\]|^\s+at /m, 'nothing but test names before the failures');
  });
});
