/**
 * `npm run test:unit` picks the suites that start nothing by what they load (`scripts/unit-suites.mjs`),
 * so a suite that starts a server through a helper two modules away is never taken for a unit suite.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Suite {
  file: string;
  starts: string[];
}

const SCRIPT = resolve(__dirname, '..', '..', 'scripts', 'unit-suites.mjs');

describe('the unit suites', () => {
  let suites: Map<string, string[]>;

  before(async () => {
    const { classifySuites } = (await import(pathToFileURL(SCRIPT).href)) as { classifySuites(): Suite[] };
    suites = new Map(classifySuites().map((suite) => [suite.file.replace(/^dist\/test\//, ''), suite.starts]));
  });

  it('are the suites that load nothing that starts a server, a browser or a process, this one included', () => {
    for (const unit of [
      'watch-rules.test.js',
      'markdown-text.test.js',
      'plan-clock.test.js',
      'payload-encryption.test.js',
      'unit-suites.test.js',
    ]) {
      assert.deepEqual(suites.get(unit), [], unit);
    }
  });

  it('leave out a suite that starts a server only through a helper', () => {
    assert.ok(suites.get('cutover-timeline.test.js')?.includes('a Temporal server'), 'the harness starts the time-skipping server');
    assert.ok(suites.get('readiness-checks.test.js')?.includes('the PayCA simulator'), 'helpers/payca-stack starts the simulators');
    assert.ok(suites.get('temporal-ui.test.js')?.includes('Chromium'), 'helpers/browser starts Chromium');
  });

  it('leave out a suite that runs the CLI or another program as a child process', () => {
    assert.deepEqual(suites.get('plan.test.js'), ['a child process']);
    assert.deepEqual(suites.get('signing-cli.test.js'), ['a child process']);
  });
});
