/** The plan's time zone, the rehearsal it follows and stage estimates, as `plan validate` and `start` read them. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import type { PlanInvalidError } from '../src/errors.js';
import { calibratePlanText } from '../src/plan/calibrate.js';
import { parsePlanText } from '../src/plan/load.js';

/** From dist/test, without the CLI helper, so this stays a unit suite. */
const EXAMPLE_PLAN = resolve(__dirname, '..', '..', 'plans', 'example.yaml');

describe("the plan's time zone, rehearsal and estimates", () => {
  let example: Record<string, unknown> = {};
  before(async () => {
    example = parse(await readFile(EXAMPLE_PLAN, 'utf8')) as Record<string, unknown>;
  });
  const load = (changes: Record<string, unknown>) => parsePlanText(stringify({ ...example, ...changes }), 'plan.yaml');
  const refusedAt = (changes: Record<string, unknown>, path: string, says: RegExp) =>
    assert.throws(
      () => load(changes),
      (err: PlanInvalidError) => {
        const problem = err.problems.find((p) => p.path === path);
        assert.ok(problem, JSON.stringify(err.problems));
        assert.match(problem.message, says);
        return true;
      },
    );

  it('shows planned times in UTC when the plan names no zone', () => {
    assert.equal(load({}).timeZone, 'UTC');
  });

  it('keeps an IANA zone as written, its case corrected, even where the runtime knows it by an older alias', () => {
    assert.equal(load({ timeZone: 'Asia/Kolkata' }).timeZone, 'Asia/Kolkata');
    assert.equal(load({ timeZone: 'europe/london' }).timeZone, 'Europe/London');
  });

  for (const zone of ['Mars/Olympus_Mons', '+05:30', 'BST', 'Europe London']) {
    it(`refuses ${JSON.stringify(zone)} as a time zone, with its path`, () => {
      refusedAt({ timeZone: zone }, 'timeZone', /is not an IANA time zone; write it like Europe\/London/);
    });
  }

  it('keeps the rehearsal a cutover follows, and refuses an id with a space', () => {
    assert.equal(load({ rehearsalOf: 'rehearsal-1' }).rehearsalOf, 'rehearsal-1');
    assert.equal(load({}).rehearsalOf, undefined);
    refusedAt({ rehearsalOf: 'rehearsal 1' }, 'rehearsalOf', /must not contain spaces/);
  });

  it('takes a stage estimate as a duration above zero', () => {
    const stages = example['stages'] as Record<string, unknown>;
    assert.equal(
      load({ stages: { ...stages, 'config-diff': { estimate: '1m30s' } } }).stages.find((s) => s.id === 'config-diff')?.estimateMs,
      90_000,
    );
    refusedAt({ stages: { ...stages, 'config-diff': { estimate: '0s' } } }, 'stages.config-diff.estimate', /longer than zero/);
  });

  it('refuses to calibrate a plan whose stages are not a mapping, and writes nothing invalid', () => {
    const text = stringify({ ...example, stages: [] });
    assert.throws(() => calibratePlanText(text, 'list.yaml', [{ stage: 'config-diff', durationMs: 1 }]), /stages/);
  });

  it('writes an estimate of at least a second, in whole seconds rounded up', () => {
    const text = stringify(example);
    const plan = parsePlanText(
      calibratePlanText(text, 'plan.yaml', [
        { stage: 'config-diff', durationMs: 12 },
        { stage: 'funding-check', durationMs: 61_001 },
      ]),
      'plan.yaml',
    );
    assert.equal(plan.stages.find((s) => s.id === 'config-diff')?.estimateMs, 1_000);
    assert.equal(plan.stages.find((s) => s.id === 'funding-check')?.estimateMs, 62_000);
  });
});
