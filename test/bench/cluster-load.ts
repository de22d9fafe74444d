/**
 * On the PostgreSQL cluster path: many cutovers (1,000 by default) held open at their gates, with real
 * `cutover worker` processes (two by default) serving them. `scripts/cluster-rehearsal.sh load` brings the
 * cluster up, runs this with TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, and tears the cluster down.
 *
 * Each cutover runs the approval-round-trip benchmark's plan (every stage before go-live gated on one role,
 * go-live two seconds after its start, so every stage is due) and is left holding at config-diff with its
 * readiness checks settled. Cutovers start no faster than they reach that gate: at most a window of them
 * (20, `--window`) on their way at once. Then, with all of them open, a bare update's round trip is
 * measured on the same cluster, and a sample of config-diff gates is approved one at a time, spread across
 * the cutovers, timed as that benchmark times them (approval sent to the next activity started). Every
 * cutover's history is read for WorkflowTaskTimedOut events, and each worker's RSS is read while all are held.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startCutover } from '../../src/operations/cutover-workflow.js';
import { readStatus } from '../../src/operations/read-status.js';
import { startPaycaStack } from '../helpers/payca-stack.js';
import { freshWorkflowId } from '../helpers/temporal.js';
import {
  approvalsPlan,
  approveHeldStage,
  measureBare,
  roundTripFigures,
  settledAt,
  timingsOf,
  type Sample,
} from './approval-round-trip.js';
import {
  clusterLoadResult,
  parseClusterLoadArgs,
  spreadSample,
  workflowTaskTrouble,
  type ClusterLoadOptions,
  type WorkerMemory,
} from './cluster-load-figures.js';
import type { HistoryEvent } from './history-times.js';
import { machineInfo, type MachineInfo } from './machine.js';
import { waitForPollers } from './seeding-at-scale.js';
import { textTable } from './table.js';
import type { BenchResult } from './types.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

export const CLUSTER_LOAD_PATH = join(resolve(__dirname, '..', '..', '..'), 'bench', 'cluster-load.json');
/** PayCA is not what is measured: the simulator and the workers' shared rate leave it out of the way. */
const PAYCA_RATE = 1_000;
/** Holding 1,000 cutovers takes minutes on a busy machine; a cutover that has not held by then is a fault. */
const HOLD_DEADLINE_MS = 60 * 60_000;

export interface ClusterLoadReport {
  machine: MachineInfo;
  temporal: { address: string; namespace: string };
  options: ClusterLoadOptions;
  result: BenchResult;
}

/** Runs `task` over `items`, `concurrency` at a time, keeping the answers in order. */
async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const answers: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        answers[index] = await task(items[index] as T);
      }
    }),
  );
  return answers;
}

/**
 * The ids among `ids` that visibility lists as holding, at `stage` when given. The server allows a namespace
 * few visibility calls a second (10 by default), so callers list once a second at most, and a refused
 * listing is tried again.
 */
async function listedHolding(client: Client, ids: readonly string[], stage?: string): Promise<Set<string>> {
  const wanted = new Set(ids);
  const query = `CutoverPhase = 'holding'${stage ? ` AND CutoverStage = '${stage}'` : ''}`;
  for (let attempt = 1; ; attempt++) {
    try {
      const holding = new Set<string>();
      for await (const execution of client.workflow.list({ query, pageSize: 1_000 })) {
        if (wanted.has(execution.workflowId) && execution.status.name === 'RUNNING') holding.add(execution.workflowId);
      }
      return holding;
    } catch (err) {
      if (attempt >= 10) throw err;
      await delay(1_000 * attempt);
    }
  }
}

/**
 * Waits until every cutover holds at config-diff with its readiness checks settled. Visibility says which
 * hold, at no cost to the workers; only those are asked for their status, since every status query is a
 * workflow task a busy worker must make room for. A query that fails on a busy worker is asked again later.
 */
async function waitUntilHolding(client: Client, ids: readonly string[], concurrency: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + HOLD_DEADLINE_MS;
  const settled = settledAt('config-diff');
  const done = new Set<string>();
  let failedReads = 0;
  while (done.size < ids.length) {
    if (Date.now() > deadline) throw new Error(`${ids.length - done.size} cutovers did not hold within ${HOLD_DEADLINE_MS / 60_000} min`);
    const listed = [...(await listedHolding(client, ids, 'config-diff'))].filter((id) => !done.has(id));
    await pool(listed, concurrency, async (id) => {
      const status = await readStatus(client, id).catch(() => undefined);
      if (status === undefined) failedReads += 1;
      else if (settled(status)) done.add(id);
    });
    log(
      `  ${done.size} of ${ids.length} cutovers holding at config-diff${failedReads ? ` (${failedReads} status reads failed, asked again)` : ''}`,
    );
    if (done.size < ids.length) await delay(2_000);
  }
}

async function allEvents(client: Client, ids: readonly string[], concurrency: number): Promise<HistoryEvent[][]> {
  return pool(ids, concurrency, async (id) => (await client.workflow.getHandle(id).fetchHistory()).events ?? []);
}

/** Cutovers open and holding once the approvals' stages have held again; visibility catches up within seconds. */
async function stillHolding(client: Client, ids: readonly string[]): Promise<number> {
  let holding = 0;
  for (let read = 0; read < 30; read++) {
    holding = (await listedHolding(client, ids)).size;
    if (holding === ids.length) break;
    await delay(1_000);
  }
  return holding;
}

export async function runClusterLoad(
  target: { address: string; namespace: string },
  options: ClusterLoadOptions,
  log: (line: string) => void = (line) => console.log(line),
): Promise<ClusterLoadReport> {
  const connection = await Connection.connect({ address: target.address });
  const client = new Client({ connection, namespace: target.namespace });
  const stack = await startPaycaStack({ rateLimit: { perSecond: PAYCA_RATE, burst: PAYCA_RATE } });
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < options.workers; i++) {
      workers.push(await startWorkerProcess({ address: target.address, namespace: target.namespace, stack, paycaRate: PAYCA_RATE }));
    }
    await waitForPollers(client, target.namespace, options.workers);
    const idleMiB = await Promise.all(workers.map(async (w) => (await w.rss()) ?? Number.NaN));
    log(`${options.workers} workers polling (${idleMiB.map((m) => `${Math.round(m)} MiB`).join(', ')} idle)`);

    const plan = approvalsPlan(stack, 'Cluster Load');
    const ids = Array.from({ length: options.cutovers }, () => freshWorkflowId('cluster-load'));
    const firstStartMs = Date.now();
    let started = 0;
    let held = 0;
    let accepted = 0;
    let starting = true;
    let countFailed: Error | undefined;
    // One listing a second for all the starters: how many have reached the first gate.
    const heldCounter = (async () => {
      while (starting) {
        await delay(1_000);
        held = (await listedHolding(client, ids, 'config-diff')).size;
      }
    })().catch((err: unknown) => {
      countFailed = err instanceof Error ? err : new Error(String(err));
    });
    await pool(ids, options.concurrency, async (workflowId) => {
      // No more than a window of cutovers on their way to the first gate at once (see ClusterLoadOptions.window).
      while (started - held >= options.window) {
        if (countFailed) throw countFailed;
        await delay(250);
      }
      started += 1;
      const goLive = new Date(Date.now() + 2_000);
      await startCutover(client, { plan, planFile: 'cluster-load.yaml', goLive, timeScale: 1, startedBy: 'lara', workflowId });
      if (++accepted % 100 === 0) log(`  ${accepted} of ${ids.length} started`);
    }).finally(() => {
      starting = false;
    });
    const startSeconds = (Date.now() - firstStartMs) / 1000;
    await heldCounter;
    log(`${ids.length} cutovers started in ${startSeconds.toFixed(1)} s`);
    await waitUntilHolding(client, ids, options.concurrency, log);
    const allHoldingAtMs = Date.now();
    const holdingSeconds = (allHoldingAtMs - firstStartMs) / 1000;
    log(`every cutover holding ${holdingSeconds.toFixed(1)} s after the first start`);
    const holdingMiB = await Promise.all(workers.map(async (w) => (await w.rss()) ?? Number.NaN));

    const bare = await timingsOf(client, await measureBare({ address: target.address, client }, options.approvals));
    log(`bare update round trip: ${options.approvals} samples`);
    const samples: Sample[] = [];
    for (const index of spreadSample(ids.length, options.approvals)) {
      samples.push(await approveHeldStage(client, plan, ids[index] as string, 'config-diff'));
      if (samples.length % 50 === 0) log(`  ${samples.length} of ${options.approvals} approvals`);
    }
    const approvals = await timingsOf(client, samples);
    log(`${samples.length} approvals timed`);

    const openCutovers = await stillHolding(client, ids);
    const histories = await allEvents(client, ids, options.concurrency);
    const memory: WorkerMemory[] = await Promise.all(
      workers.map(async (w, i) => ({
        idleMiB: idleMiB[i] ?? Number.NaN,
        holdingMiB: holdingMiB[i] ?? Number.NaN,
        peakMiB: (await w.memory()).highWaterMiB ?? Number.NaN,
      })),
    );
    const result = clusterLoadResult({
      cutovers: ids.length,
      openCutovers,
      startSeconds,
      holdingSeconds,
      allHoldingAtMs,
      approvals: { ...roundTripFigures(approvals), approvals: samples.length },
      bare: { ...roundTripFigures(bare), updates: bare.sendToActivityMs.length },
      trouble: workflowTaskTrouble(histories),
      workers: memory,
      largestHistoryEvents: Math.max(0, ...histories.map((events) => events.length)),
    });
    return { machine: await machineInfo(), temporal: target, options, result };
  } finally {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await stack.close();
    await connection.close();
  }
}

function describe(report: ClusterLoadReport): string {
  const m = report.machine;
  const lines = [
    `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}, load ${m.loadAverage1m}, ${m.date}`,
    '',
    textTable([report.result]),
    '',
    ...Object.entries(report.result.metrics).map(([name, value]) => `  ${name}: ${value}`),
    '  baseline (bare update):',
    ...Object.entries(report.result.baseline).map(([name, value]) => `    ${name}: ${value}`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  // The SDK's log lines (the bare update's worker) would bury the figures; errors still show.
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { forward: {}, filter: 'ERROR' } } });
  const address = process.env.TEMPORAL_ADDRESS;
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  (async () => {
    const options = parseClusterLoadArgs(process.argv.slice(2));
    if (!address) throw new Error('TEMPORAL_ADDRESS is not set: run this through scripts/cluster-rehearsal.sh load');
    const report = await runClusterLoad({ address, namespace }, options);
    const path = resolve(options.out ?? CLUSTER_LOAD_PATH);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, JSON.stringify(report, null, 2) + '\n');
    console.log(`\n${describe(report)}\n\nwritten to ${path}`);
  })().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  });
}
