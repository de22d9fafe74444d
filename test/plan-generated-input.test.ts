import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { PLAN_PROBLEM_CODES, PlanInvalidError } from '../src/errors.js';
import { EXIT_REFUSED } from '../src/client/exit-codes.js';
import { parsePlanText } from '../src/plan/load.js';
import {
  anyBadPlan,
  badDuration,
  badNumber,
  badPostLaunch,
  duplicate,
  gateWithoutApprovers,
  goodEdit,
  insecureTransport,
  missingRequired,
  notAPlan,
  unknownName,
  wrongType,
  type BadPlan,
} from './helpers/arbitraries-plan.js';
import { EXAMPLE_PLAN, runCli } from './helpers/cli.js';
import { fuzzOptions, FUZZ_RUNS } from './helpers/arbitraries-settings.js';
import { note } from './helpers/suite-logs.js';

/** Every problem line says what to do about it, not only what is wrong. */
const ADVICE = /\b(must|write|list|add|remove|use|name|give|change|correct|needs)\b|such as|e\.g\./i;
const STACK_TRACE = /\n\s+at .+[:(]\d+/;

/** `a.b[2]` is under `a.b[2]`, `a.b` and the root. YAML problems add `line L, column C` after the path. */
function isAtOrAbove(named: string, spoiled: string): boolean {
  const path = named.replace(/(^|, )line \d+, column \d+$/, '');
  if (path === '' || path === spoiled) return true;
  return spoiled.startsWith(path) && (spoiled[path.length] === '.' || spoiled[path.length] === '[');
}

/** The loader's refusal of one bad plan, checked for shape, path and advice; returns it for more checks. */
function assertRefused(bad: BadPlan, file = 'generated.yaml'): PlanInvalidError {
  let refusal: unknown;
  try {
    parsePlanText(bad.text, file);
  } catch (err) {
    refusal = err;
  }
  assert.ok(refusal !== undefined, `accepted a bad plan (${bad.what})`);
  assert.ok(
    refusal instanceof PlanInvalidError,
    `${bad.what}: crashed with ${refusal instanceof Error ? refusal.message : JSON.stringify(refusal)}`,
  );
  assert.equal(refusal.code, 'PLAN_INVALID');
  assert.ok(refusal.problems.length > 0, `${bad.what}: no problems listed`);
  assert.ok(refusal.message.startsWith(`${file} is not a valid cutover plan:\n`), refusal.message);
  assert.doesNotMatch(refusal.message, STACK_TRACE, `${bad.what}: stack trace in the message`);
  for (const problem of refusal.problems) {
    assert.ok(
      refusal.message.includes(`\n  - ${problem.path || '(root)'}: ${problem.message}`),
      `${bad.what}: problem not shown as "  - path: message"`,
    );
    assert.match(problem.message, ADVICE, `${bad.what}: "${problem.path}: ${problem.message}" does not say what to do`);
    assert.ok(
      PLAN_PROBLEM_CODES.includes(problem.code),
      `${bad.what}: "${problem.path}" has no known problem code (${String(problem.code)})`,
    );
    if (!bad.anywhere) {
      assert.ok(
        bad.paths.some((spoiled) => isAtOrAbove(problem.path, spoiled)),
        `${bad.what}: problem at "${problem.path}" (${problem.message}) is not at or above ${bad.paths.join(' or ')}`,
      );
    }
  }
  if (bad.mustName) {
    const must = bad.mustName;
    assert.ok(
      refusal.problems.some((p) => isAtOrAbove(p.path, must)),
      `${bad.what}: no problem names ${must}; got ${refusal.problems.map((p) => p.path || '(root)').join(', ')}`,
    );
  }
  return refusal;
}

describe('plan validation under generated bad input', function () {
  this.timeout(120_000);
  const counts = new Map<string, number>();

  function refusesEvery(name: string, arbitrary: fc.Arbitrary<BadPlan>): void {
    it(`refuses every generated plan with ${name}, naming the path and what to do`, () => {
      let cases = 0;
      fc.assert(
        fc.property(arbitrary, (bad) => {
          cases += 1;
          assertRefused(bad);
        }),
        fuzzOptions(),
      );
      counts.set(name, cases);
      assert.ok(cases >= FUZZ_RUNS, `only ${cases} cases ran`);
    });
  }

  refusesEvery('a value of the wrong type at any path', wrongType);
  refusesEvery('a required field missing', missingRequired);
  refusesEvery('a duration that is not one, negative, zero or absurd', badDuration);
  refusesEvery('a negative, fractional or absurd number', badNumber);
  refusesEvery('an unknown stage, role, readiness item or key', unknownName);
  refusesEvery('a stage id, key, job name or item id written twice', duplicate);
  refusesEvery('a gating role whose approvers are missing', gateWithoutApprovers);
  refusesEvery('contradictory or unusable post-launch settings', badPostLaunch);
  refusesEvery('a production PayCA or webhook URL over plain http to a host that is not loopback', insecureTransport);
  refusesEvery('text that is not a YAML plan', notAPlan);

  it('accepts every generated good edit, with the edit in the loaded plan', () => {
    let cases = 0;
    fc.assert(
      fc.property(goodEdit, (good) => {
        cases += 1;
        good.check(parsePlanText(good.text, 'generated.yaml'));
      }),
      fuzzOptions(),
    );
    counts.set('good edits', cases);
    assert.ok(cases >= FUZZ_RUNS);
  });

  it('names the second of two stages with one id, with its line', () => {
    const refusal = assertRefused({
      what: 'go-live twice',
      text: 'programme: x\nstages:\n  go-live: { offset: 1h }\n  debrief: {}\n  go-live: { offset: 2h }\n',
      paths: ['stages.go-live'],
      mustName: 'stages.go-live',
    });
    assert.deepEqual(
      refusal.problems.map((p) => p.path),
      ['stages.go-live, line 5, column 3'],
    );
  });

  describe('through `cutover start`', () => {
    const SAMPLE = 30;
    let dir: string;
    /** Nothing listens here: a command that tried to connect would say Temporal is unreachable. */
    const env = { ...process.env, CUTOVER_DEBUG: '', TEMPORAL_ADDRESS: '127.0.0.1:9', TEMPORAL_CONFIG_FILE: '' };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cutover-generated-plans-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('tries to connect for the example plan, so a refusal before connecting is visible', async () => {
      const result = await runCli(['start', EXAMPLE_PLAN, '--go-live', '+25h', '--id', 'generated-control'], env);
      assert.equal(result.code, EXIT_REFUSED, result.stderr);
      assert.doesNotMatch(result.stderr, /is not a valid cutover plan/);
      assert.match(result.stderr, /127\.0\.0\.1:9/, result.stderr);
    });

    it(`refuses ${SAMPLE} generated bad plans with exit ${EXIT_REFUSED}, the file and each problem, before connecting`, async () => {
      const sample = fc.sample(anyBadPlan, { numRuns: SAMPLE, seed: fuzzOptions().seed });
      const refuseOne = async (bad: BadPlan, i: number) => {
        const file = join(dir, `bad-${i}.yaml`);
        await writeFile(file, bad.text);
        const expected = assertRefused(bad, file);
        const result = await runCli(['start', file, '--go-live', '+25h', '--id', `generated-${i}`], env);
        assert.equal(result.code, EXIT_REFUSED, `${bad.what}: exit ${result.code}\n${result.stderr}`);
        assert.equal(result.stdout, '', `${bad.what}: printed ${result.stdout}`);
        assert.equal(result.stderr, `error: ${expected.message}\n`, `${bad.what}: stderr differs from the loader's refusal`);
        assert.doesNotMatch(result.stderr, /127\.0\.0\.1:9|unexpected failure|CUTOVER_DEBUG/, bad.what);
      };
      // Three CLI processes at a time: most of each run is Node starting up.
      for (let i = 0; i < sample.length; i += 3) {
        await Promise.all(sample.slice(i, i + 3).map((bad, j) => refuseOne(bad, i + j)));
      }
      counts.set('through cutover start', sample.length);
    });
  });

  after(() => {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    note(`      generated cases: ${[...counts].map(([k, v]) => `${k} ${v}`).join('; ')}; total ${total}`);
  });
});
