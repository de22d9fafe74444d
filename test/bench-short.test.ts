/**
 * The benchmarks are not timed tests: here their short mode runs against the real servers only to prove
 * that each still works end to end and writes a results file of the documented shape.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmarks, type BenchReport } from './bench/main.js';
import { BENCHMARKS } from './bench/registry.js';
import { reportProblems } from './bench/report-problems.js';

const SHORT_BENCHMARKS = BENCHMARKS.map((b) => b.name);

describe('benchmarks in short mode', function () {
  this.timeout(360_000);
  let dir: string;
  let report: BenchReport;
  let written: BenchReport;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutover-bench-short-'));
    const resultsPath = join(dir, 'results.json');
    report = await runBenchmarks({ short: true, only: SHORT_BENCHMARKS, resultsPath, log: () => undefined });
    written = JSON.parse(await readFile(resultsPath, 'utf8')) as BenchReport;
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs every registered benchmark and writes what it measured', () => {
    assert.deepEqual(written, report);
    assert.equal(written.short, true);
    const names = written.results.map((r) => r.name);
    assert.deepEqual(names, [
      'seeding at the rate limit, 1 worker',
      'seeding at the rate limit, 2 workers',
      'approval round trip',
      'worker start',
      'whole-cutover',
      'many-rehearsals',
      'seeding at scale, N = 1,000',
    ]);
  });

  it('writes machine info and positive figures of the common shape for every result', () => {
    assert.deepEqual(reportProblems(written), []);
  });

  it('counts every seeded record, every approval it timed and every rehearsal it ran', () => {
    const [oneWorker, twoWorkers, approvals, , wholeCutover, manyRehearsals, atScale] = written.results;
    for (const seeding of [oneWorker, twoWorkers]) {
      assert.equal(seeding?.metrics['records'], 40);
      assert.ok((seeding?.metrics['paycaRequests'] ?? 0) >= 40, JSON.stringify(seeding?.metrics));
    }
    assert.equal(approvals?.metrics['approvals'], 8);
    assert.equal(approvals?.baseline['updates'], 8);
    assert.ok((wholeCutover?.metrics['watchReads'] ?? 0) > 0, JSON.stringify(wholeCutover?.metrics));
    assert.equal(manyRehearsals?.metrics['completed'], manyRehearsals?.metrics['rehearsals']);
    assert.equal(atScale?.metrics['records'], 1_000);
    assert.equal(atScale?.metrics['duplicateCards'], 0, JSON.stringify(atScale?.metrics));
    assert.ok((atScale?.metrics['largestHistoryEvents'] ?? 0) > 0, JSON.stringify(atScale?.metrics));
    assert.ok((atScale?.metrics['largestStatusBytes'] ?? 0) > 0, JSON.stringify(atScale?.metrics));
    assert.ok((atScale?.metrics['workerPeakRssMiB'] ?? 0) > 0, JSON.stringify(atScale?.metrics));
  });

  it('finds a broken result: missing figures, a non-positive headline, a ratio that is not a number', () => {
    const [first] = report.results;
    assert.ok(first);
    const broken: BenchReport = {
      ...report,
      results: [{ ...first, metrics: { wallSeconds: 0 }, baseline: {}, ratio: Number.NaN }],
    };
    const problems = reportProblems(broken);
    assert.ok(
      problems.some((p) => /headline metrics\.wallSeconds is 0/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /no baseline/.test(p)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => /ratio NaN/.test(p)),
      problems.join('\n'),
    );
  });
});
