import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { seededRandom } from './soak/seeded-random.js';
import { formatSoakReport, runSeed, runSoak, type SoakReport } from './soak/soak-runner.js';
import { note } from './helpers/suite-logs.js';

/** The CI-sized soak; `npm run soak` runs the full one. SOAK_SEED repeats a failing run's faults. */
const CI_RUNS = 12;

describe('soak: compressed rehearsals under random PayCA faults', function () {
  this.timeout(240_000);
  const seed = Number(process.env.SOAK_SEED) || randomInt(1, 2 ** 31);
  let report: SoakReport;

  before(async () => {
    note(`      soak seed ${seed} (SOAK_SEED=${seed} repeats it)`);
    report = await runSoak({ runs: CI_RUNS, seed });
    for (const line of formatSoakReport(report)) note(`      ${line}`);
  });

  it('ends every rehearsal completed, rolled back or held at a stage with a named reason', () => {
    const bad = report.results.filter((r) => !['completed', 'rolled-back', 'held'].includes(r.outcome));
    assert.deepEqual(
      bad.map((r) => ({ run: r.index, outcome: r.outcome, held: r.held, detail: r.detail })),
      [],
    );
    for (const run of report.results.filter((r) => r.outcome === 'held')) {
      assert.match(run.held?.reason ?? '', /\S/, `run ${run.index} names why it holds`);
    }
  });

  it('never issues a second card or makes a second top-up, and leaves no test card open', () => {
    assert.equal(report.duplicates, 0, JSON.stringify(report.results.filter((r) => r.duplicates > 0).map((r) => r.money)));
    assert.equal(report.openCards, 0);
    const reachedGoLive = report.results.filter((r) => r.goLiveAttempts > 0);
    assert.ok(reachedGoLive.length > 0, 'some rehearsals reached go-live, so the money checks saw money');
    for (const run of reachedGoLive) assert.ok(run.money.cards <= run.goLiveAttempts);
  });

  it('actually met the faults it injected', () => {
    assert.ok(report.faultsInjected >= CI_RUNS, `at least one fault per run, got ${report.faultsInjected}`);
    assert.ok(report.faultAnswersMet > 0, 'the simulators spoiled some answers');
  });

  it('draws the same faults from the same seed', () => {
    const draw = (s: number) => {
      const random = seededRandom(runSeed(s, 3));
      return Array.from({ length: 5 }, () => random.int(0, 1_000_000));
    };
    assert.deepEqual(draw(seed), draw(seed));
    assert.notDeepEqual(draw(seed), draw(seed + 1));
  });
});
