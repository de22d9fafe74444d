/**
 * The local stack, in one call: Temporal dev server (child process), production and sandbox PayCA
 * simulators and the webhook receiver (in-process), the sandbox automation schedule, and optionally
 * the cutover worker. `cutover dev`, `cutover demo` and the CLI tests all start it through here.
 */
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { dataConverterFor } from '../codec/payload-codecs.js';
import { startSimulator, type RunningSimulator } from '../simulator/server.js';
import { startWebhookReceiver, type RunningWebhookReceiver } from '../simulator/webhook-receiver.js';
import { createCutoverWorkers } from '../worker/create-workers.js';
import { startLocalRoom, type LocalRoom, type LocalRoomOptions } from './local-room.js';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../workflows/search-attributes.js';
import { DEV_STACK_DEFAULTS } from './defaults.js';
import { claimPort } from './ports.js';
import { preferQuietWorkerLogs } from './quiet-runtime.js';
import { ensureSandboxSchedule, type ScheduleSetup } from './sandbox-schedule.js';
import { chooseSimulatorCredentials } from './simulator-credentials.js';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-dev-server.js';

export interface DevStackOptions {
  dataDir?: string;
  host?: string;
  namespace?: string;
  /** Each port: 0 picks a free one. */
  temporalPort?: number;
  uiPort?: number;
  productionSimPort?: number;
  sandboxSimPort?: number;
  receiverPort?: number;
  /** Run the cutover worker in this process (default true). */
  worker?: boolean;
  paycaActivitiesPerSecond?: number;
  /** Slack-compatible URL for the worker's notifications; without it they are written with `notifyWrite`. */
  notifyUrl?: string;
  notifyWrite?: (line: string) => void;
  /** Unpause the sandbox schedule if an earlier run left it paused (the demo wants a fresh start). */
  resetSandboxSchedule?: boolean;
  /** Keep the worker SDK's INFO lines out of the output (default true). */
  quietWorkerLogs?: boolean;
  /** Progress lines while starting and stopping. */
  log?: (line: string) => void;
  temporalStartTimeoutMs?: number;
  /** Codecs for the stack's client and worker (the encryption codec when keys are configured); default none. */
  payloadCodecs?: PayloadCodec[];
  /** A codec server the Temporal UI calls to decode those payloads for people; default none. */
  uiCodecEndpoint?: string;
  /** Server settings for the Temporal dev server, such as lower history limits; default none. */
  temporalDynamicConfig?: Record<string, string | number | boolean>;
  /** Start the cutover room beside the Temporal UI, with the development identity provider for these people. */
  room?: LocalRoomOptions;
  /** Where the worker writes dashboard screenshots; default `artifacts/` in the data directory. */
  artifactsDir?: string;
}

export interface DevStack {
  /** Where the Temporal server keeps its data; the demo also keeps its working files here. */
  dataDir: string;
  /** Where the stack's worker writes dashboard screenshots, for the report to embed. */
  artifactsDir: string;
  temporal: TemporalDevServer;
  /** A client on the stack's Temporal; closed by `close()`. */
  client: Client;
  production: RunningSimulator;
  sandbox: RunningSimulator;
  receiver: RunningWebhookReceiver;
  /** True when the environment supplied the simulator credentials (then they are not printed). */
  credentialsFromEnvironment: { production: boolean; sandbox: boolean };
  sandboxSchedule: ScheduleSetup;
  workerRunning: boolean;
  /** The cutover room, when asked for, and the development provider it signs people in with. */
  room?: LocalRoom;
  /** Stops the worker, the simulators, the receiver and the Temporal server, in that order. */
  close(): Promise<void>;
}

type Closer = () => Promise<void>;

async function closeAll(closers: Closer[], log: (line: string) => void): Promise<void> {
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (err) {
      log(`while stopping: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const settings = { ...DEV_STACK_DEFAULTS, ...definedOnly(options) };
  const log = options.log ?? (() => undefined);
  const closers: Closer[] = [];
  try {
    const host = settings.host;
    // The process environment first, so `cutover dev` writes where a separately run `cutover report` reads.
    const artifactsDir = options.artifactsDir ?? (process.env.CUTOVER_ARTIFACTS_DIR || join(settings.dataDir, 'artifacts'));
    const ports = {
      temporal: await claimPort(host, settings.temporalPort, '--temporal-port'),
      ui: await claimPort(host, settings.uiPort, '--ui-port'),
      production: await claimPort(host, settings.productionSimPort, '--sim-port'),
      sandbox: await claimPort(host, settings.sandboxSimPort, '--sandbox-sim-port'),
      receiver: await claimPort(host, settings.receiverPort, '--receiver-port'),
      room: options.room ? await claimPort(host, options.room.port ?? DEV_STACK_DEFAULTS.roomPort, '--room-port') : 0,
    };

    const productionCredentials = chooseSimulatorCredentials('production');
    const sandboxCredentials = chooseSimulatorCredentials('sandbox');
    const production = await startSimulator({
      mode: 'production',
      host,
      port: ports.production,
      credentials: productionCredentials.credentials,
    });
    closers.push(() => production.close());
    const sandbox = await startSimulator({ mode: 'sandbox', host, port: ports.sandbox, credentials: sandboxCredentials.credentials });
    closers.push(() => sandbox.close());
    const receiver = await startWebhookReceiver({
      host,
      port: ports.receiver,
      signingSecrets: () => [...production.state.subscriptions.values()].map((s) => s.signingSecret),
    });
    closers.push(() => receiver.close());
    log(`PayCA simulators on ${production.url} (production) and ${sandbox.url} (sandbox); webhook receiver on ${receiver.url}`);

    // The Temporal server opens more ports than it is told (HTTP, metrics) on free ones; starting it after
    // the simulators keeps it from taking a port the stack was asked to use.
    log(`starting the Temporal dev server on ${host}:${ports.temporal} (data in ${settings.dataDir})`);
    const temporal = await startTemporalDevServer({
      dataDir: settings.dataDir,
      host,
      port: ports.temporal,
      uiPort: ports.ui,
      namespace: settings.namespace,
      searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
      startTimeoutMs: options.temporalStartTimeoutMs,
      uiCodecEndpoint: options.uiCodecEndpoint,
      dynamicConfig: options.temporalDynamicConfig,
    });
    closers.push(() => temporal.close());

    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverterFor(options.payloadCodecs) });
    closers.push(() => connection.close());
    const sandboxSchedule = await ensureSandboxSchedule(client, { unpause: options.resetSandboxSchedule ?? false });

    let workerRunning = false;
    if (options.worker ?? true) {
      if (options.quietWorkerLogs ?? true) preferQuietWorkerLogs();
      const workerConnection = await NativeConnection.connect({ address: temporal.address });
      closers.push(() => workerConnection.close());
      const workers = await createCutoverWorkers({
        connection: workerConnection,
        namespace: temporal.namespace,
        temporalClient: client,
        paycaActivitiesPerSecond: options.paycaActivitiesPerSecond,
        notifyUrl: options.notifyUrl,
        notifyWrite: options.notifyWrite,
        identity: `cutover-dev@${process.pid}`,
        paycaCredentials: { production: productionCredentials.credentials, sandbox: sandboxCredentials.credentials },
        payloadCodecs: options.payloadCodecs,
        artifactsDir,
      });
      const running = workers.run().catch((err: unknown) => {
        log(`the cutover worker stopped: ${err instanceof Error ? err.message : String(err)}`);
      });
      workerRunning = true;
      closers.push(async () => {
        workers.shutdown();
        await running;
      });
      log('cutover worker polling the cutover and payca task queues');
    }

    let room: LocalRoom | undefined;
    if (options.room) {
      room = await startLocalRoom(client, {
        host,
        port: ports.room,
        temporalUiUrl: temporal.uiUrl,
        people: options.room.people,
        launchReport: options.room.launchReport,
        signingKey: options.room.signingKey,
        log,
      });
      const started = room;
      closers.push(() => started.close());
    }

    let closing: Promise<void> | undefined;
    return {
      dataDir: settings.dataDir,
      artifactsDir,
      temporal,
      client,
      production,
      sandbox,
      receiver,
      credentialsFromEnvironment: {
        production: productionCredentials.fromEnvironment,
        sandbox: sandboxCredentials.fromEnvironment,
      },
      sandboxSchedule,
      workerRunning,
      room,
      close() {
        closing ??= closeAll(closers, log);
        return closing;
      },
    };
  } catch (err) {
    await closeAll(closers, log);
    throw err;
  }
}

/** Options left undefined keep their defaults instead of overwriting them. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
