/**
 * The cluster path for real, without Docker: a Temporal server built from the module the compose file
 * pins, on PostgreSQL, set up by `scripts/cluster-rehearsal.sh` as the compose set-up jobs would. A
 * compressed cutover runs on it through a separate `cutover worker` process and the `cutover` CLI,
 * both configured only by TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE.
 *
 * On demand (`CUTOVER_CLUSTER_TEST=1`, or `npm run cluster:rehearse`): the first run builds the server
 * with Go, which takes minutes, and PostgreSQL may need installing.
 */
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ensureSandboxSchedule } from '../src/dev/sandbox-schedule.js';
import { openRequiredItems } from '../src/workflows/checklist-rules.js';
import type { CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import { CLI, ROOT, runCli, type CliResult } from './helpers/cli.js';
import { shortExamplePlan } from './helpers/example-plan.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';
import { freshWorkflowId } from './helpers/temporal.js';
import { note } from './helpers/suite-logs.js';

const ENABLED = process.env.CUTOVER_CLUSTER_TEST === '1';
const SCRIPT = join(ROOT, 'scripts', 'cluster-rehearsal.sh');
/** Files the example plan names relative to the checkout. */

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 900_000): Promise<CliResult> {
  return new Promise((done) => {
    execFile(file, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

const title = ENABLED
  ? 'a cutover on a Temporal cluster with PostgreSQL persistence (no Docker)'
  : 'a cutover on a Temporal cluster with PostgreSQL persistence (skipped: set CUTOVER_CLUSTER_TEST=1 to build and run it)';

(ENABLED ? describe : describe.skip)(title, function () {
  // The first run builds the server; later ones only start it.
  this.timeout(1_200_000);
  let stateDir: string;
  let clusterEnv: Record<string, string> = {};
  let payca: PaycaStack;
  let worker: ChildProcess | undefined;
  let workerOutput = '';
  let planFile: string;
  const workflowId = freshWorkflowId('cluster-rehearsal');

  /** Only what an operator sets: where Temporal is, and nothing about how it was started. */
  const cliEnv = () => ({ ...process.env, ...clusterEnv, CUTOVER_DEBUG: '' });
  const cutover = (args: string[]) => runCli(args, cliEnv());

  async function status(): Promise<CutoverStatus> {
    const result = await cutover(['status', workflowId, '--json']);
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as CutoverStatus;
  }

  async function waitFor(what: string, done: (s: CutoverStatus) => boolean, timeoutMs = 120_000): Promise<CutoverStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: CutoverStatus | undefined;
    while (Date.now() < deadline) {
      last = await status();
      if (done(last)) return last;
      await delay(500);
    }
    const stages = last?.stages.map((s) => `${s.id}:${s.status}`).join(', ');
    assert.fail(
      `${workflowId} never reached "${what}"; last phase ${last?.phase}, stages ${stages}\nworker:\n${workerOutput.slice(-3000)}`,
    );
  }

  const stage = (s: CutoverStatus, id: string) => s.stages.find((x) => x.id === id) as StageState;

  /** PostgreSQL itself, to show the history and the visibility records live there. */
  async function psql(database: string, sql: string): Promise<string> {
    const result = await run(
      'psql',
      ['-h', '127.0.0.1', '-p', clusterEnv.CLUSTER_PG_PORT ?? '', '-U', 'temporal', '-d', database, '-At', '-c', sql],
      {
        ...process.env,
        PGPASSWORD: 'temporal',
      },
    );
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim();
  }

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'cutover-cluster-'));
    const up = await run('bash', [SCRIPT, 'up', stateDir]);
    assert.equal(up.code, 0, `cluster-rehearsal.sh up failed:\n${up.stdout}\n${up.stderr}`);
    clusterEnv = Object.fromEntries(
      up.stdout
        .split('\n')
        .map((line) => /^([A-Z_]+)=(.*)$/.exec(line))
        .filter((m): m is RegExpExecArray => !!m)
        .map((m) => [m[1] as string, m[2] as string]),
    );
    assert.ok(clusterEnv.TEMPORAL_ADDRESS, up.stdout);

    // The sandbox automation the plan pauses at T-2h includes a Temporal Schedule. A programme's cluster
    // already has it; a new cluster gets the same stand-in `cutover dev` creates.
    const connection = await Connection.connect({ address: clusterEnv.TEMPORAL_ADDRESS });
    try {
      await ensureSandboxSchedule(new Client({ connection, namespace: clusterEnv.TEMPORAL_NAMESPACE }), { unpause: true });
    } finally {
      await connection.close();
    }

    payca = await startPaycaStack();
    const plan = await shortExamplePlan(payca);
    planFile = join(stateDir, 'plan.yaml');
    await writeFile(planFile, stringifyYaml(plan));

    worker = spawn(process.execPath, [CLI, 'worker'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...cliEnv(),
        PAYCA_PRODUCTION_CLIENT_ID: payca.credentials.production.clientId,
        PAYCA_PRODUCTION_CLIENT_SECRET: payca.credentials.production.clientSecret,
        PAYCA_SANDBOX_CLIENT_ID: payca.credentials.sandbox.clientId,
        PAYCA_SANDBOX_CLIENT_SECRET: payca.credentials.sandbox.clientSecret,
      },
    });
    const keep = (chunk: Buffer) => {
      workerOutput = (workerOutput + chunk.toString()).slice(-20_000);
    };
    worker.stdout?.on('data', keep);
    worker.stderr?.on('data', keep);
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await Promise.race([new Promise((r) => worker?.once('exit', r)), delay(15_000)]);
      if (worker.exitCode === null) worker.kill('SIGKILL');
    }
    await payca?.close();
    if (stateDir) {
      const down = await run('bash', [SCRIPT, 'down', stateDir], process.env, 120_000);
      if (down.code !== 0) note(`cluster-rehearsal.sh down: ${down.stderr}`);
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it('starts a compressed cutover through the CLI', async () => {
    const result = await cutover(['start', planFile, '--id', workflowId, '--go-live', '+1h', '--time-scale', '720', '--as', 'lara']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`started cutover ${workflowId}`));
  });

  it('runs the readiness checks on the worker; owners close the checklist through the CLI', async () => {
    const settled = (s: CutoverStatus) =>
      s.checklist.every((i) => i.kind === 'attested' || !!i.postLaunch || ['done', 'failed', 'waived'].includes(i.status));
    const ready = await waitFor('every automated check has run', settled);
    assert.deepEqual(
      ready.checklist.filter((i) => i.status === 'failed').map((i) => i.id),
      ['webhook-endpoint-tls'],
    );
    const plan = parseYaml(await readFile(planFile, 'utf8')) as { approvers: Record<string, string[]> };
    const commands = ready.checklist.flatMap((i): string[][] => {
      if (i.status === 'failed') return [['waive', workflowId, i.id, '--as', 'lara', '--reason', 'rehearsal: the receiver has no TLS']];
      const owner = plan.approvers[i.owner]?.[0];
      if (i.kind !== 'attested' || i.optional || i.postLaunch || i.status !== 'open' || !owner) return [];
      return [['complete', workflowId, i.id, '--as', owner, '--evidence', `${i.id}: cluster rehearsal`]];
    });
    for (const args of commands) {
      const result = await cutover(args);
      assert.equal(result.code, 0, `cutover ${args.join(' ')}: ${result.stderr}`);
    }
    await waitFor('no required readiness item open', (s) => openRequiredItems(s).size === 0);
  });

  it('passes go-live on the lead’s and Engineering’s approvals', async () => {
    await waitFor('go-live holding', (s) => stage(s, 'go-live').status === 'holding');
    const lead = await cutover([
      'approve',
      workflowId,
      'go-live',
      '--as',
      'lara',
      '--authorization-id',
      (await runLowRiskAuthorization(payca.production.url)).id,
    ]);
    assert.equal(lead.code, 0, lead.stderr);
    const engineering = await cutover(['approve', workflowId, 'go-live', '--as', 'erin', '--note', 'smoke tests green']);
    assert.equal(engineering.code, 0, engineering.stderr);
    await waitFor('go-live passed', (s) => stage(s, 'go-live').status === 'passed');
  });

  it('is found by its CutoverPhase search attribute while it holds at the debrief', async () => {
    await waitFor('debrief holding', (s) => stage(s, 'debrief').status === 'holding');
    // Visibility on PostgreSQL is eventually consistent with the workflow's own state.
    const deadline = Date.now() + 30_000;
    let listed = '';
    while (Date.now() < deadline) {
      const result = await cutover(['list', '--phase', 'holding']);
      assert.equal(result.code, 0, result.stderr);
      listed = result.stdout;
      if (listed.includes(workflowId)) break;
      await delay(500);
    }
    assert.ok(listed.includes(workflowId), listed);
  });

  it('completes after the lead rolls forward and the post-launch items are done', async () => {
    const decided = await cutover(['decide', workflowId, 'roll-forward', '--as', 'lara', '--reason', 'cluster rehearsal green']);
    assert.equal(decided.code, 0, decided.stderr);
    await waitFor('the post-launch watch', (s) => s.phase === 'watching');
    for (const [item, person] of [
      ['support-ticket-review', 'carlos'],
      ['retro-scheduled', 'lara'],
    ] as const) {
      const result = await cutover(['complete', workflowId, item, '--as', person, '--evidence', `${item}: cluster rehearsal`]);
      assert.equal(result.code, 0, result.stderr);
    }
    const done = await waitFor('completed', (s) => s.phase === 'completed', 180_000);
    assert.deepEqual(
      done.stages.map((s) => [s.id, s.status]),
      ['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test', 'go-live', 'debrief', 'fee-reconciliation'].map(
        (id) => [id, 'passed'],
      ),
    );
  });

  it('kept its history and visibility records in PostgreSQL', async () => {
    const executions = Number(await psql('temporal', `select count(*) from executions where workflow_id = '${workflowId}'`));
    assert.ok(executions >= 1, `no execution row for ${workflowId}`);
    const events = Number(await psql('temporal', 'select count(*) from history_node'));
    assert.ok(events > 0, 'no history in PostgreSQL');
    const visibility = await psql(
      'temporal_visibility',
      `select status from executions_visibility where workflow_id = '${workflowId}' order by start_time`,
    );
    // Status 2 is completed; a continue-as-new run before it shows as 6.
    assert.match(visibility, /(^|\n)2$/, visibility);
  });

  it('writes the launch report from the cluster', async () => {
    const result = await cutover(['report', workflowId, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { workflowId?: string };
    assert.ok(JSON.stringify(report).includes(workflowId));
  });
});
