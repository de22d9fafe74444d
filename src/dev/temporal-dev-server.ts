/**
 * Runs the Temporal CLI dev server as a child process: SQLite-backed so cutovers survive restarts,
 * with the cutover's search attributes registered. Its output goes to a log file in the data
 * directory, so a chatty server can never block on a full pipe and a failed start can be explained.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { CutoverError } from '../errors.js';
import { temporalCliPath } from '../temporal/binaries.js';
import { registerSearchAttributes } from '../temporal/register-search-attributes.js';

export interface TemporalDevServerOptions {
  dataDir: string;
  host: string;
  port: number;
  uiPort: number;
  namespace: string;
  /** `Name=Type` pairs for `--search-attribute`. */
  searchAttributes: string[];
  /** How long to wait for the server to answer. */
  startTimeoutMs?: number;
  /** A codec server the UI calls to show encrypted payloads decoded (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  /** Server settings (`--dynamic-config-value KEY=JSON`), e.g. `limit.historySize.error` for history limits. */
  dynamicConfig?: Record<string, string | number | boolean>;
}

export interface TemporalDevServer {
  address: string;
  namespace: string;
  uiUrl: string;
  pid: number;
  logFile: string;
  /**
   * Stops the server and starts it again on the same port and SQLite file, as after a host restart:
   * what it had persisted (histories, timers, pending activities) must carry on. `pid` changes.
   */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

export function devServerArgs(options: TemporalDevServerOptions): string[] {
  return [
    'server',
    'start-dev',
    '--db-filename',
    join(options.dataDir, 'temporal.sqlite'),
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--ip',
    options.host,
    '--namespace',
    options.namespace,
    '--log-level',
    'warn',
    ...options.searchAttributes.flatMap((registration) => ['--search-attribute', registration]),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
    ...Object.entries(options.dynamicConfig ?? {}).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
  ];
}

function requireCliPath(): string {
  const path = temporalCliPath();
  if (!path || !existsSync(path)) {
    throw new CutoverError(
      'CONFIG_INVALID',
      `the Temporal CLI was not found${path ? ` at ${path}` : ''}; run \`npm run setup\` (or set TEMPORAL_CLI_PATH to a temporal binary)`,
    );
  }
  return path;
}

function logTail(logFile: string, lines = 15): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server output)';
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  await waitForExit(child, STOP_GRACE_MS);
}

/** Polls until the frontend answers and the namespace exists; a dead child ends the wait at once. */
async function waitUntilServing(child: ChildProcess, options: TemporalDevServerOptions, logFile: string): Promise<void> {
  const address = `${options.host}:${options.port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new CutoverError(
        'TEMPORAL_UNREACHABLE',
        `the Temporal dev server exited (${child.exitCode ?? child.signalCode}) before it served ${address}. Its last output (${logFile}):\n${logTail(logFile)}`,
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1s' });
      try {
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
        await registerSearchAttributes(connection, options.namespace, {
          where: `the Temporal data in ${options.dataDir}`,
          remedy: `start with another --data-dir or delete ${options.dataDir}/temporal.sqlite`,
        });
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (err instanceof CutoverError) throw err;
      lastError = err instanceof Error ? err.message : String(err);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new CutoverError(
    'TEMPORAL_UNREACHABLE',
    `the Temporal dev server did not answer on ${address} within ${Math.round((options.startTimeoutMs ?? 60_000) / 1000)}s (${lastError}). Its last output (${logFile}):\n${logTail(logFile)}`,
  );
}

interface RunningChild {
  child: ChildProcess;
  killOnExit: () => void;
}

/** One server process, serving once this resolves; a failed start leaves nothing running. */
async function launch(cli: string, options: TemporalDevServerOptions, logFile: string): Promise<RunningChild> {
  const logFd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(cli, devServerArgs(options), { stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  // If this process dies without closing the stack, take the server with it rather than leave an orphan.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(new CutoverError('CONFIG_INVALID', `could not start ${cli}: ${err.message}`)));
  });
  try {
    await spawned;
    await waitUntilServing(child, options, logFile);
  } catch (err) {
    await stop(child);
    process.off('exit', killOnExit);
    throw err;
  }
  return { child, killOnExit };
}

async function shutDown(running: RunningChild): Promise<void> {
  try {
    await stop(running.child);
  } finally {
    process.off('exit', running.killOnExit);
  }
}

export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const cli = requireCliPath();
  mkdirSync(options.dataDir, { recursive: true });
  const logFile = join(options.dataDir, 'temporal.log');
  let running = await launch(cli, options, logFile);

  let closing: Promise<void> | undefined;
  const server: TemporalDevServer = {
    address: `${options.host}:${options.port}`,
    namespace: options.namespace,
    uiUrl: `http://localhost:${options.uiPort}`,
    pid: running.child.pid ?? -1,
    logFile,
    async restart() {
      if (closing) throw new CutoverError('CONFIG_INVALID', 'the Temporal dev server was closed; it cannot be restarted');
      await shutDown(running);
      running = await launch(cli, options, logFile);
      server.pid = running.child.pid ?? -1;
    },
    close() {
      closing ??= shutDown(running);
      return closing;
    },
  };
  return server;
}
