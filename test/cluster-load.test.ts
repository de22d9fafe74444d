/**
 * The cluster load at a small size, on the PostgreSQL cluster path (`scripts/cluster-rehearsal.sh up`):
 * cutovers held at their gates by two real `cutover worker` processes, a sample of gates approved and
 * timed, every history read for workflow task timeouts, and the workers' memory read. The full size
 * (1,000 cutovers) is `scripts/cluster-rehearsal.sh load`; its figures are in docs/performance.md.
 *
 * On demand, like the rehearsal it sits beside (`CUTOVER_CLUSTER_TEST=1`, or `npm run cluster:rehearse`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runClusterLoad, type ClusterLoadReport } from './bench/cluster-load.js';
import { DEFAULT_CLUSTER_LOAD } from './bench/cluster-load-figures.js';
import { ROOT } from './helpers/cli.js';
import { note } from './helpers/suite-logs.js';

const ENABLED = process.env.CUTOVER_CLUSTER_TEST === '1';
const SCRIPT = join(ROOT, 'scripts', 'cluster-rehearsal.sh');
const CUTOVERS = 10;

function script(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile('bash', [SCRIPT, ...args], { cwd: ROOT, timeout: 900_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const title = ENABLED
  ? 'cutovers held at gates on the PostgreSQL cluster, at a small size'
  : 'cutovers held at gates on the PostgreSQL cluster (skipped: set CUTOVER_CLUSTER_TEST=1 to build and run it)';

(ENABLED ? describe : describe.skip)(title, function () {
  this.timeout(1_200_000);
  let stateDir: string | undefined;
  let report: ClusterLoadReport;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cutover-cluster-load-'));
    const up = await script(['up', stateDir]);
    assert.equal(up.code, 0, `cluster-rehearsal.sh up failed:\n${up.stdout}\n${up.stderr}`);
    const env = Object.fromEntries([...up.stdout.matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    assert.ok(env.TEMPORAL_ADDRESS, up.stdout);
    report = await runClusterLoad(
      { address: env.TEMPORAL_ADDRESS as string, namespace: env.TEMPORAL_NAMESPACE ?? 'default' },
      { ...DEFAULT_CLUSTER_LOAD, cutovers: CUTOVERS, approvals: CUTOVERS },
      (line) => note(line),
    );
  });

  after(async () => {
    if (!stateDir) return;
    const down = await script(['down', stateDir]);
    if (down.code !== 0) note(`cluster-rehearsal.sh down: ${down.stderr}`);
    await rm(stateDir, { recursive: true, force: true });
  });

  it('holds every cutover at its first gate with two workers, none of them ended by the approvals', () => {
    const { metrics } = report.result;
    assert.equal(metrics.cutovers, CUTOVERS);
    assert.equal(metrics.openCutovers, CUTOVERS);
    assert.ok((metrics.startSeconds ?? 0) > 0 && (metrics.holdingSeconds ?? 0) >= (metrics.startSeconds ?? 0), JSON.stringify(metrics));
  });

  it('times each approval from sending it to the next activity started, beside a bare update on the same cluster', () => {
    const { metrics, baseline } = report.result;
    assert.equal(metrics.approvals, CUTOVERS);
    assert.equal(baseline.updates, CUTOVERS);
    for (const figures of [metrics, baseline]) {
      assert.ok((figures.p50Ms ?? 0) > 0 && (figures.p99Ms ?? 0) >= (figures.p50Ms ?? 0), JSON.stringify(figures));
    }
  });

  it('reads every history for workflow task timeouts and each worker’s memory per open cutover', () => {
    const { metrics } = report.result;
    assert.equal(typeof metrics.workflowTaskTimeouts, 'number');
    assert.equal(report.result.goalMet, metrics.workflowTaskTimeouts === 0);
    assert.ok((metrics.largestHistoryEvents ?? 0) > 0);
    for (const worker of [1, 2]) {
      assert.ok((metrics[`worker${worker}IdleMiB`] ?? 0) > 0, JSON.stringify(metrics));
      assert.ok((metrics[`worker${worker}PeakMiB`] ?? 0) >= (metrics[`worker${worker}HoldingMiB`] ?? Infinity), JSON.stringify(metrics));
    }
    assert.ok((metrics.rssPerCutoverKiB ?? 0) > 0);
  });
});
