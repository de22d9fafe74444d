/**
 * `scripts/setup.mjs --test-tools`, run from a copy of the script in a scratch checkout so the real
 * `.tools/` is not touched: it takes a program from its variable, and names what it could not get, with
 * what to do, instead of failing the run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { temporalCliPath, testServerPath } from '../src/temporal/binaries.js';
import { ROOT } from './helpers/cli.js';
import { testToolPath } from './helpers/test-tools.js';

const run = promisify(execFile);

describe('setting up the programs the suites drive', function () {
  this.timeout(60_000);
  let checkout: string;

  beforeEach(() => {
    checkout = mkdtempSync(join(tmpdir(), 'cutover-setup-'));
    mkdirSync(join(checkout, 'scripts'));
    copyFileSync(join(ROOT, 'scripts', 'setup.mjs'), join(checkout, 'scripts', 'setup.mjs'));
  });

  afterEach(() => rmSync(checkout, { recursive: true, force: true }));

  /** Runs the copy with an empty PATH, so nothing is found there and apt-get cannot be reached. */
  async function setUp(env: Record<string, string>) {
    const result = await run(process.execPath, [join(checkout, 'scripts', 'setup.mjs'), '--no-npm', '--test-tools'], {
      env: {
        PATH: join(checkout, 'scripts'),
        TEMPORAL_CLI_PATH: temporalCliPath() ?? '',
        TEMPORAL_TEST_SERVER_PATH: testServerPath() ?? '',
        ...env,
      },
    });
    const tools = JSON.parse(readFileSync(join(checkout, '.tools', 'test-tools.json'), 'utf8')) as Record<
      string,
      { path: string | null; source: string; reason?: string }
    >;
    return { stderr: result.stderr, tools };
  }

  it('takes each program from its variable', async () => {
    const { tools } = await setUp({
      CHROMIUM_PATH: testToolPath('chromium'),
      OPENSSL_PATH: testToolPath('openssl'),
      DOCKER_COMPOSE_PATH: testToolPath('dockerCompose'),
      PDFTOPPM_PATH: testToolPath('pdftoppm'),
    });
    assert.deepEqual(tools.chromium, { path: testToolPath('chromium'), source: 'CHROMIUM_PATH' });
    assert.deepEqual(tools.openssl, { path: testToolPath('openssl'), source: 'OPENSSL_PATH' });
    assert.deepEqual(tools.dockerCompose, { path: testToolPath('dockerCompose'), source: 'DOCKER_COMPOSE_PATH' });
    assert.deepEqual(tools.pdftoppm, { path: testToolPath('pdftoppm'), source: 'PDFTOPPM_PATH' });
  });

  it('names a program it could not get, how to provide it and which suites wait for it, and still succeeds', async () => {
    const { stderr, tools } = await setUp({
      OPENSSL_PATH: testToolPath('openssl'),
      DOCKER_COMPOSE_PATH: testToolPath('dockerCompose'),
      PDFTOPPM_PATH: testToolPath('pdftoppm'),
    });
    assert.equal(tools.chromium?.path, null);
    assert.match(tools.chromium?.reason ?? '', /chromium was not found and could not be installed: this machine has no apt-get/);
    assert.match(tools.chromium?.reason ?? '', /set CHROMIUM_PATH/);
    assert.match(tools.chromium?.reason ?? '', /the Temporal UI suites are pending/);
    assert.match(stderr, /Install Debian's chromium package or set CHROMIUM_PATH/);
    assert.equal(tools.openssl?.source, 'OPENSSL_PATH');
  });

  it('refuses a variable that does not point at a program, naming it', async () => {
    await assert.rejects(setUp({ CHROMIUM_PATH: join(checkout, 'no-such-chromium') }), (err: { stderr?: string; code?: number }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr ?? '', /CHROMIUM_PATH=.*no-such-chromium is not an executable file/);
      return true;
    });
  });
});
