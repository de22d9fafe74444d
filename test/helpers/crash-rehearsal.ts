/**
 * One compressed cutover rehearsal with everything its own: a Temporal dev server on a SQLite file (which
 * can be restarted), PayCA simulators, a `cutover worker` process (which can be killed with SIGKILL and
 * replaced), the example plan pointed at them, and the `cutover` CLI. Several run side by side without
 * sharing a task queue, so one rehearsal's crashes never help or hurt another.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { stringify as stringifyYaml } from 'yaml';
import { readStatus } from '../../src/operations/read-status.js';
import { freePort } from '../../src/dev/ports.js';
import { ensureSandboxSchedule } from '../../src/dev/sandbox-schedule.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/dev/temporal-dev-server.js';
import type { Listening } from '../../src/net/listen.js';
import { RUNBOOK_ITEMS } from '../../src/runbook/readiness-items.js';
import type { CutoverStatus } from '../../src/workflows/cutover-state.js';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../src/workflows/search-attributes.js';
import { runCli, type CliResult } from './cli.js';
import { shortExamplePlan } from './example-plan.js';
import { startPaycaStack, type PaycaStack } from './payca-stack.js';
import { startSlowRelay } from './slow-relay.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

/** Files the example plan names relative to the checkout. */
/** How late the sandbox job relay answers: the window in which the T-2h pause is in flight. */
export const SANDBOX_JOB_DELAY_MS = 1_500;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

export interface PendingActivity {
  workflowId: string;
  activityId: string;
  type: string;
  started: boolean;
  attempt: number;
  hasHeartbeat: boolean;
}

export interface CrashEvent {
  kind: 'worker killed' | 'server restarted' | 'worker died with the server';
  at: string;
  /** Seconds since the rehearsal started. */
  second: number;
}

export class CrashRehearsal {
  readonly events: CrashEvent[] = [];
  private worker: WorkerProcess | undefined;
  private readonly workers: WorkerProcess[] = [];
  private readonly startedAt = Date.now();

  private constructor(
    readonly name: string,
    readonly workflowId: string,
    readonly dataDir: string,
    readonly server: TemporalDevServer,
    readonly client: Client,
    readonly payca: PaycaStack,
    private readonly relay: Listening,
    readonly planFile: string,
  ) {}

  static async start(name: string, workflowId: string): Promise<CrashRehearsal> {
    const dataDir = await mkdtemp(join(tmpdir(), `cutover-crash-${name}-`));
    const payca = await startPaycaStack();
    const relay = await startSlowRelay(payca.sandbox.url, SANDBOX_JOB_DELAY_MS);
    const server = await startTemporalDevServer({
      dataDir,
      host: '127.0.0.1',
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
    });
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, namespace: server.namespace });
    // The Temporal Schedule the example plan pauses at T-2h, as `cutover dev` creates it.
    await ensureSandboxSchedule(client, { unpause: true });
    const planFile = join(dataDir, 'plan.yaml');
    await writeFile(planFile, await examplePlanFor(payca, relay.url));
    const rehearsal = new CrashRehearsal(name, workflowId, dataDir, server, client, payca, relay, planFile);
    rehearsal.startWorker();
    return rehearsal;
  }

  get cliEnv(): NodeJS.ProcessEnv {
    return { ...process.env, TEMPORAL_ADDRESS: this.server.address, TEMPORAL_NAMESPACE: this.server.namespace, CUTOVER_DEBUG: '' };
  }

  /** The real CLI; a non-zero exit fails with what it said. */
  async cutover(args: string[]): Promise<CliResult> {
    const result = await runCli(args, this.cliEnv);
    if (result.code !== 0)
      throw new Error(`${this.name}: cutover ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
    return result;
  }

  startWorker(): void {
    this.worker = startWorkerProcess({
      ...this.cliEnv,
      PAYCA_PRODUCTION_CLIENT_ID: this.payca.credentials.production.clientId,
      PAYCA_PRODUCTION_CLIENT_SECRET: this.payca.credentials.production.clientSecret,
      PAYCA_SANDBOX_CLIENT_ID: this.payca.credentials.sandbox.clientId,
      PAYCA_SANDBOX_CLIENT_SECRET: this.payca.credentials.sandbox.clientSecret,
    });
    this.workers.push(this.worker);
  }

  /**
   * Until then a new worker's PayCA calls wait for the other workers to count it (docs/payca-rate.md), so a
   * kill meant to land while a call is at PayCA would land while it still waits.
   */
  async workerCallsPayca(): Promise<void> {
    await this.worker?.waitForOutput(/PayCA rate: this worker makes PayCA calls from now on/, 60_000);
  }

  async killWorker(): Promise<void> {
    await this.worker?.kill();
    this.record('worker killed');
  }

  /** Stops the dev server and starts it again on the same SQLite file; a worker that died meanwhile is replaced. */
  async restartServer(): Promise<void> {
    await this.server.restart();
    this.record('server restarted');
    // The worker is expected to reconnect on its own; give it a moment to show whether it gave up instead.
    await delay(1_000);
    if (!this.worker?.alive()) {
      this.record('worker died with the server');
      this.startWorker();
    }
  }

  workerOutput(): string {
    return this.workers.map((w, n) => `--- worker ${n + 1} (pid ${w.pid})\n${w.output()}`).join('\n');
  }

  kills(): number {
    return this.events.filter((e) => e.kind === 'worker killed').length;
  }

  /** Extra time on every PayCA production answer, so a call stays in flight long enough to crash in. */
  async setLatency(latencyMs: number): Promise<void> {
    if (latencyMs > 0) await this.payca.admin('faults', 'POST', { latencyMs });
    else await this.payca.admin('faults', 'DELETE');
  }

  /** The status through a worker's query; undefined while the server or the worker cannot answer yet. */
  async status(): Promise<CutoverStatus | undefined> {
    try {
      return await this.client.connection.withDeadline(Date.now() + 5_000, () => readStatus(this.client, this.workflowId));
    } catch {
      return undefined;
    }
  }

  async waitFor(what: string, done: (status: CutoverStatus) => boolean, timeoutMs = 90_000): Promise<CutoverStatus> {
    const deadline = Date.now() + timeoutMs;
    let last: CutoverStatus | undefined;
    while (Date.now() < deadline) {
      last = (await this.status()) ?? last;
      if (last && done(last)) return last;
      await delay(250);
    }
    const stages = last?.stages.map((s) => `${s.id}:${s.status}`).join(', ');
    throw new Error(
      `${this.name}: ${this.workflowId} never reached "${what}"; last phase ${last?.phase}, stages ${stages}\n${this.workerOutput()}`,
    );
  }

  /** Activities the server holds as pending for a workflow (the cutover, or its watch); read without a worker. */
  async pendingActivities(workflowId = this.workflowId): Promise<PendingActivity[]> {
    try {
      const description = await this.client.connection.withDeadline(Date.now() + 5_000, () =>
        this.client.workflow.getHandle(workflowId).describe(),
      );
      return (description.raw.pendingActivities ?? []).map((a) => ({
        workflowId,
        activityId: a.activityId ?? '',
        type: a.activityType?.name ?? '',
        started: a.state === STARTED,
        attempt: a.attempt ?? 1,
        hasHeartbeat: (a.heartbeatDetails?.payloads?.length ?? 0) > 0,
      }));
    } catch {
      return [];
    }
  }

  /** Polls the server until `ready` holds over the pending activities of the cutover and its watch, within a bounded time. */
  async waitForActivity(
    what: string,
    ready: (pending: PendingActivity[], watch: PendingActivity[]) => boolean,
    timeoutMs = 60_000,
  ): Promise<PendingActivity[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [pending, watch] = await Promise.all([this.pendingActivities(), this.pendingActivities(`${this.workflowId}.watch`)]);
      if (ready(pending, watch)) return [...pending, ...watch];
      await delay(100);
    }
    throw new Error(`${this.name}: ${what} was never in flight within ${timeoutMs / 1000}s\n${this.workerOutput()}`);
  }

  /** The attempt each activity of a workflow (the cutover, or its watch) finished on, by activity id, from its history. */
  async finalAttempts(workflowId = this.workflowId): Promise<Map<string, { type: string; attempt: number }>> {
    const history = await this.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = new Map<string, { id: string; type: string }>();
    const attempts = new Map<string, { type: string; attempt: number }>();
    for (const event of history.events ?? []) {
      const scheduling = event.activityTaskScheduledEventAttributes;
      if (scheduling) scheduled.set(String(event.eventId), { id: scheduling.activityId ?? '', type: scheduling.activityType?.name ?? '' });
      const started = event.activityTaskStartedEventAttributes;
      const activity = started && scheduled.get(String(started.scheduledEventId));
      if (activity) attempts.set(activity.id, { type: activity.type, attempt: started.attempt ?? 1 });
    }
    return attempts;
  }

  async close(): Promise<void> {
    for (const worker of this.workers) await worker.kill();
    await this.client.connection.close().catch(() => undefined);
    await this.server.close();
    await this.relay.close();
    await this.payca.close();
    await rm(this.dataDir, { recursive: true, force: true });
  }

  private record(kind: CrashEvent['kind']): void {
    this.events.push({ kind, at: new Date().toISOString(), second: Math.round((Date.now() - this.startedAt) / 1000) });
  }
}

/**
 * The example plan for one rehearsal: its simulators and receiver, the HTTP sandbox job read through the
 * slow relay, a three-hour watch and the fee reconciliation at T+2h30m so a rolled-forward run ends soon.
 * Readiness items before launch are optional (their checks still run) so go/no-go waits for the gate
 * alone; the two post-launch items stay required and are closed through the CLI.
 */
async function examplePlanFor(payca: PaycaStack, relayUrl: string): Promise<string> {
  const jobStatus = 'http://127.0.0.1:4011/_sim/jobs/sandbox-card-generator';
  const plan = await shortExamplePlan(payca, (example) => {
    if (!example.includes(`statusUrl: ${jobStatus}`))
      throw new Error('the example plan no longer reads the sandbox job status from the simulator');
    return example.replace(`statusUrl: ${jobStatus}`, `statusUrl: ${relayUrl}/_sim/jobs/sandbox-card-generator`);
  });
  const items = (plan['readiness']?.['items'] ?? {}) as Record<string, object>;
  for (const item of RUNBOOK_ITEMS) if (!item.postLaunch) items[item.id] = { ...items[item.id], optional: true };
  const extraItems = ((plan['readiness']?.['extraItems'] ?? []) as object[]).map((item) => ({ ...item, optional: true }));
  plan['readiness'] = { ...plan['readiness'], items, extraItems };
  // The short window would be over before the roll-forward if the watch ran from T; the rehearsal kills
  // the worker while the watch started at the roll-forward reads beside fee reconciliation.
  const postLaunch = (plan['postLaunch'] ?? {}) as { watch?: Record<string, unknown> };
  plan['postLaunch'] = { ...postLaunch, watch: { ...postLaunch.watch, from: 'roll-forward' } };
  return stringifyYaml(plan);
}
