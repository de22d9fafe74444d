/** Real Temporal servers for suites: the time-skipping test server and the CLI dev server. */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { Connection, type WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { setTimeout as delay } from 'node:timers/promises';
import { devServerExecutable, temporalCliPath, testServerExecutable } from '../../src/temporal/binaries.js';
import { freePort } from '../../src/dev/ports.js';
import type { StageId } from '../../src/runbook/stages.js';
import { statusQuery } from '../../src/workflows/messages.js';
import type { CutoverStatus, StageState } from '../../src/workflows/cutover-state.js';
import { registerSearchAttributes } from '../../src/temporal/register-search-attributes.js';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../src/workflows/search-attributes.js';
import { suiteLogFile } from './suite-logs.js';

export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: testServerExecutable() } });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/**
 * `payloadCodecs` go to the environment's client, for suites whose workers encrypt. The server is the same
 * in-memory dev server `TestWorkflowEnvironment.createLocal` runs, but started here so that its banner and
 * log go to the suite's log file instead of the test output.
 */
export async function startDevServer(options: { payloadCodecs?: PayloadCodec[] } = {}): Promise<TestWorkflowEnvironment> {
  const client = options.payloadCodecs?.length ? { dataConverter: { payloadCodecs: options.payloadCodecs } } : undefined;
  const cli = temporalCliPath();
  if (!cli) {
    return TestWorkflowEnvironment.createLocal({
      ...(client ? { client } : {}),
      server: {
        executable: devServerExecutable(),
        ip: '127.0.0.1',
        extraArgs: SEARCH_ATTRIBUTE_REGISTRATIONS.flatMap((sa) => ['--search-attribute', sa]),
      },
    });
  }
  const server = await spawnDevServer(cli);
  try {
    const env = await TestWorkflowEnvironment.createFromExistingServer({
      address: server.address,
      namespace: 'default',
      ...(client ? { client } : {}),
    });
    const closeConnections = env.teardown.bind(env);
    env.teardown = async () => {
      try {
        await closeConnections();
      } finally {
        await server.stop();
      }
    };
    return env;
  } catch (err) {
    await server.stop();
    throw err;
  }
}

const DEV_SERVER_START_MS = 60_000;

async function spawnDevServer(cli: string): Promise<{ address: string; stop(): Promise<void> }> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const logFile = suiteLogFile('temporal-dev-server');
  const logFd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(
      cli,
      [
        'server',
        'start-dev',
        ...['--ip', '127.0.0.1', '--port', String(port), '--namespace', 'default', '--headless'],
        ...['--log-format', 'pretty', '--log-level', 'warn'],
        // What the SDK's own dev server turns on, so suites see the server they saw before.
        ...['--dynamic-config-value', 'frontend.enableServerVersionCheck=false'],
        ...['--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true'],
        ...['--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true'],
        ...SEARCH_ATTRIBUTE_REGISTRATIONS.flatMap((sa) => ['--search-attribute', sa]),
      ],
      { stdio: ['ignore', logFd, logFd] },
    );
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + DEV_SERVER_START_MS;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return { address, stop };
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await delay(250);
  }
  await stop();
  throw new Error(
    `the Temporal dev server on ${address} did not serve within ${DEV_SERVER_START_MS / 1000}s (${lastError}); its output is in ${logFile}`,
  );
}

let counter = 0;
export function freshWorkflowId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/**
 * Drives a cutover on the time-skipping server until `done` holds: skips time while the workflow waits
 * for a stage's due time, and waits in real time while activities run. Bounded in steps.
 */
export async function advanceUntil(
  env: TestWorkflowEnvironment,
  handle: WorkflowHandle,
  done: (status: CutoverStatus) => boolean,
  what: string,
): Promise<CutoverStatus> {
  let last: CutoverStatus | undefined;
  for (let step = 0; step < 600; step++) {
    last = await handle.query(statusQuery);
    if (done(last)) return last;
    // Skipping time while an activity runs would time it out, so readiness checks finish first.
    const checking = last.checklist.some((item) => item.status === 'checking');
    if (last.phase === 'waiting' && env.supportsTimeSkipping && !checking) {
      const stage = last.stages.find((s) => s.id === last?.currentStage);
      const now = await env.currentTimeMs();
      const wait = stage ? Date.parse(stage.dueAt) - now : 0;
      if (wait > 0) {
        await env.sleep(wait + 1_000);
        continue;
      }
    }
    if (last.phase === 'holding' || last.phase === 'completed' || last.phase === 'aborted' || last.phase === 'rolled-back') {
      const at = last.stages.find((s) => s.id === last?.currentStage);
      throw new Error(`cutover is ${last.phase} at ${last.currentStage} (${at?.hold?.reason ?? ''}) while waiting for ${what}`);
    }
    await delay(100);
  }
  throw new Error(`gave up waiting for ${what}; last phase ${last?.phase} at ${last?.currentStage}`);
}

/** The stage of this id, typed by it (a stage id the runbook does not list gives the untyped stage). */
export function stageOf<S extends StageId>(status: CutoverStatus, id: S): StageState<S>;
export function stageOf(status: CutoverStatus, id: string): StageState;
export function stageOf(status: CutoverStatus, id: string): StageState {
  const stage = status.stages.find((s) => s.id === id);
  if (!stage) throw new Error(`no stage ${id}`);
  return stage;
}

export const holdingAt = (id: string) => (s: CutoverStatus) => s.phase === 'holding' && s.currentStage === id;
