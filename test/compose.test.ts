/**
 * The compose cluster, validated without a Docker engine: `docker-compose config` must accept the file, and
 * what it resolves to must hold together (healthchecks, pinned images, start order by health, the search
 * attributes the workflow sets, how the worker finds Temporal). The services that run this project's
 * commands are started outside Docker on loopback, with their own healthchecks run against them.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parse as parseYaml } from 'yaml';
import { freePort } from '../src/dev/ports.js';
import { checkWorkerHealth } from '../src/worker/healthcheck.js';
import { createCutoverWorkers, type CutoverWorkers } from '../src/worker/create-workers.js';
import { CUTOVER_TASK_QUEUE } from '../src/workflows/messages.js';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../src/workflows/search-attributes.js';
import { ROOT } from './helpers/cli.js';
import { startDevServer } from './helpers/temporal.js';
import { requireTestTool, testToolPath } from './helpers/test-tools.js';

const run = promisify(execFile);
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  entrypoint?: string[] | string;
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: Record<string, { condition?: string }>;
  profiles?: string[];
  ports?: (string | { published?: number | string; target?: number })[];
  network_mode?: string;
  volumes?: (string | { source?: string; target?: string })[];
}

interface ComposeConfig {
  services: Record<string, Service>;
}

/** The one-shot set-up jobs: others wait for them to finish, not to be healthy. */
const ONE_SHOT_JOBS = ['temporal-schema', 'temporal-namespace'];
const LOCAL_PROFILE_SERVICES = ['payca-production', 'payca-sandbox', 'codec-server'];

function tagOf(image: string): string | undefined {
  const name = image.split('/').pop() ?? image;
  if (name.includes('@sha256:')) return name.split('@')[1];
  return name.includes(':') ? name.split(':').pop() : undefined;
}

function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

function argv(value: string[] | string | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(/\s+/);
}

/** A shell script as the container's shell gets it: `config` keeps compose's `$$` escape for a literal `$`. */
function script(service: Service | undefined): string {
  return argv(service?.command).join(' ').replaceAll('$$', '$');
}

/** The host path mounted at a container path containing `target`. */
function mountSource(service: Service | undefined, target: string): string | undefined {
  for (const volume of service?.volumes ?? []) {
    if (typeof volume === 'string') {
      const [source, inside] = volume.split(':');
      if (inside?.includes(target)) return source;
    } else if (volume.target?.includes(target)) {
      return volume.source;
    }
  }
  return undefined;
}

function publishedPort(service: Service, target: number): number | undefined {
  for (const port of service.ports ?? []) {
    if (typeof port === 'string') {
      const parts = port.replace(/\/tcp$/, '').split(':');
      if (Number(parts[parts.length - 1]) === target) return Number(parts[parts.length - 2]);
    } else if (port.target === target) {
      return Number(port.published);
    }
  }
  return undefined;
}

/** The compose command with its listen address moved to loopback and its port to `port`. */
function onLoopback(command: string[], port: number): string[] {
  return command.map((arg, i) => {
    if (command[i - 1] === '--host') return '127.0.0.1';
    if (command[i - 1] === '--port') return String(port);
    return arg;
  });
}

/** The healthcheck's command with the service's port moved to `port`. */
function healthcheckOnPort(service: Service, from: number, port: number): string[] {
  const test = argv(service.healthcheck?.test);
  assert.equal(test[0], 'CMD', 'healthchecks run a command without a shell, so they can run here too');
  return test.slice(1).map((arg) => arg.replaceAll(`127.0.0.1:${from}`, `127.0.0.1:${port}`));
}

async function runHealthcheck(command: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [program, ...args] = command;
  const executable = program === 'node' ? process.execPath : (program ?? '');
  try {
    await run(executable, args, { cwd: ROOT, env, timeout: 20_000 });
    return 0;
  } catch (err) {
    return typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1;
  }
}

async function untilHealthy(command: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    if ((await runHealthcheck(command, env)) === 0) return;
    await delay(250);
  }
  throw new Error(`healthcheck never passed: ${command.join(' ')}`);
}

function startService(command: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const [program, ...args] = command;
  assert.equal(program, 'node', 'project services run under node');
  return spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGINT');
  await exited;
}

describe('compose cluster', function () {
  let compose: ComposeConfig;
  let services: Record<string, Service>;

  before(async function () {
    const binary = requireTestTool(this, 'dockerCompose');
    const { stdout } = await run(binary, ['-f', COMPOSE_FILE, '--profile', 'local', '--profile', 'room', 'config'], { cwd: ROOT });
    compose = parseYaml(stdout) as ComposeConfig;
    services = compose.services;
  });

  it('is accepted by `docker-compose config` with and without the local and room profiles', async () => {
    const binary = testToolPath('dockerCompose');
    await run(binary, ['-f', COMPOSE_FILE, 'config', '-q'], { cwd: ROOT });
    await run(binary, ['-f', COMPOSE_FILE, '--profile', 'local', 'config', '-q'], { cwd: ROOT });
    await run(binary, ['-f', COMPOSE_FILE, '--profile', 'room', 'config', '-q'], { cwd: ROOT });
    assert.deepEqual(Object.keys(services).sort(), [
      'codec-server',
      'payca-production',
      'payca-sandbox',
      'postgresql',
      'room',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
  });

  it('gives every service a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.healthcheck && !service.healthcheck.disable, `${name} has no healthcheck`);
      assert.ok(argv(service.healthcheck.test).length > 1, `${name}'s healthcheck has no command`);
    }
  });

  it('pins every image to a version', () => {
    for (const [name, service] of Object.entries(services)) {
      assert.ok(service.image, `${name} names no image (built services are tagged too)`);
      const tag = tagOf(service.image);
      assert.ok(tag && tag !== 'latest' && /\d/.test(tag), `${name}: image ${service.image} is not pinned to a version`);
    }
  });

  it('starts each service only once what it needs is healthy, or has finished for set-up jobs', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [needed, { condition }] of Object.entries(service.depends_on ?? {})) {
        assert.ok(services[needed], `${name} depends on unknown ${needed}`);
        const expected = ONE_SHOT_JOBS.includes(needed) ? 'service_completed_successfully' : 'service_healthy';
        assert.equal(condition, expected, `${name} waits for ${needed} with ${condition}`);
        assert.ok(
          !services[needed]?.profiles?.length || service.profiles?.length,
          `${name} depends on ${needed}, which only runs in a profile`,
        );
      }
    }
    const chain = (name: string): string[] => Object.keys(services[name]?.depends_on ?? {}).flatMap((n) => [n, ...chain(n)]);
    assert.deepEqual(chain('worker'), ['temporal-namespace', 'temporal', 'temporal-schema', 'postgresql']);
    assert.deepEqual(chain('temporal-ui'), ['temporal-namespace', 'temporal', 'temporal-schema', 'postgresql']);
  });

  it('registers exactly the search attributes the cutover workflow sets', () => {
    const job = services['temporal-namespace'];
    const registered = (job?.environment?.CUTOVER_SEARCH_ATTRIBUTES ?? '').split(/\s+/).filter(Boolean);
    assert.deepEqual([...registered].sort(), [...SEARCH_ATTRIBUTE_REGISTRATIONS].sort());
    const shell = script(job);
    assert.match(shell, /for attribute in \$CUTOVER_SEARCH_ATTRIBUTES/);
    assert.match(shell, /temporal operator search-attribute create -n "\$TEMPORAL_NAMESPACE" --name "\$name" --type "\$type"/);
    assert.match(shell, /temporal operator namespace create -n "\$TEMPORAL_NAMESPACE"/);
  });

  it('sets up both PostgreSQL schemas before the server starts on them', () => {
    const shell = script(services['temporal-schema']);
    for (const db of ['temporal', 'temporal_visibility']) {
      assert.match(shell, new RegExp(`--db ${db} setup-schema`));
      assert.match(shell, new RegExp(`--db ${db} update-schema`));
    }
    assert.equal(services.temporal?.environment?.DB, 'postgres12');
    assert.equal(
      tagOf(services.temporal?.image ?? ''),
      tagOf(services['temporal-schema']?.image ?? ''),
      'schema tools match the server release',
    );
    const source = mountSource(services.temporal, 'dynamicconfig');
    assert.ok(source && existsSync(source), 'the dynamic config file the server mounts exists');
    const settings = parseYaml(readFileSync(source, 'utf8')) as Record<string, unknown>;
    assert.ok(settings['system.forceSearchAttributesCacheRefreshOnRead']);
  });

  it('points the worker at the cluster by TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE', () => {
    const env = services.worker?.environment ?? {};
    const [host] = (env.TEMPORAL_ADDRESS ?? '').split(':');
    assert.equal(env.TEMPORAL_ADDRESS, 'temporal:7233');
    assert.ok(host && services[host], `TEMPORAL_ADDRESS names the service ${host}`);
    assert.equal(env.TEMPORAL_NAMESPACE, services['temporal-namespace']?.environment?.TEMPORAL_NAMESPACE);
    assert.equal(
      env.PAYCA_PRODUCTION_BASE_URLS,
      'http://payca-production:4010',
      'production credentials go to the production simulator only',
    );
    assert.equal(env.PAYCA_SANDBOX_BASE_URLS, 'http://payca-sandbox:4011', 'sandbox credentials go to the sandbox simulator only');
    for (const name of [
      'PAYCA_PRODUCTION_CLIENT_ID',
      'PAYCA_PRODUCTION_CLIENT_SECRET',
      'PAYCA_SANDBOX_CLIENT_ID',
      'PAYCA_SANDBOX_CLIENT_SECRET',
    ]) {
      assert.ok(env[name], `the worker gets ${name}`);
    }
    assert.deepEqual(argv(services.worker?.healthcheck?.test), ['CMD', 'node', 'dist/src/worker/healthcheck.js']);
  });

  it('runs a Temporal UI that shows summaries and current details, decoding through the codec server', () => {
    const ui = services['temporal-ui'];
    const version = tagOf(ui?.image ?? '') ?? '';
    assert.ok(versionAtLeast(version, '2.34.6'), `temporalio/ui ${version} is older than 2.34.6`);
    const endpoint = new URL(ui?.environment?.TEMPORAL_CODEC_ENDPOINT ?? '');
    const codec = services['codec-server'];
    const command = argv(codec?.command);
    // Without sign-in the codec server listens on loopback only, so it runs on the host's network, on 127.0.0.1.
    assert.equal(codec?.network_mode, 'host');
    assert.deepEqual([command[command.indexOf('--host') + 1], command.includes('--no-auth')], ['127.0.0.1', true]);
    assert.equal(endpoint.port, command[command.indexOf('--port') + 1]);
    const uiOrigin = `http://localhost:${publishedPort(ui ?? {}, 8080)}`;
    assert.equal(command[command.indexOf('--cors-origin') + 1], uiOrigin, 'the codec server lets the UI call it');
  });

  it('keeps the simulators and the codec server in the local profile, the room in its own, and the cluster out of any', () => {
    for (const [name, service] of Object.entries(services)) {
      const expected = LOCAL_PROFILE_SERVICES.includes(name) ? ['local'] : name === 'room' ? ['room'] : undefined;
      assert.deepEqual(service.profiles, expected, `${name}'s profiles`);
    }
  });

  it('runs the room on the cluster like the CLI, with its provider secrets from files and no default secret', () => {
    const room = services['room'];
    assert.ok(room, 'a room service');
    const env = room.environment ?? {};
    assert.equal(env.TEMPORAL_ADDRESS, services['worker']?.environment?.TEMPORAL_ADDRESS);
    assert.equal(env.TEMPORAL_NAMESPACE, services['worker']?.environment?.TEMPORAL_NAMESPACE);
    assert.deepEqual(argv(room.command).slice(2), ['room', '--host', '0.0.0.0', '--port', '8290']);
    assert.equal(env.CUTOVER_ROOM_OIDC_CLIENT_SECRET, undefined, 'the client secret comes from a file');
    assert.equal(env.CUTOVER_ROOM_SESSION_KEY, undefined, 'the session key comes from a file');
    assert.match(env.CUTOVER_ROOM_OIDC_CLIENT_SECRET_FILE ?? '', /^\/run\/secrets\//);
    assert.match(env.CUTOVER_ROOM_SESSION_KEY_FILE ?? '', /^\/run\/secrets\//);
  });

  it('builds the worker image in stages, as a non-root user, with a healthcheck and the prebuilt bundle', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1] ?? '');
    assert.ok(froms.length >= 2, 'multi-stage');
    for (const image of froms) assert.ok(/:\d/.test(image), `base image ${image} is pinned`);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    assert.ok(users.length > 0 && users[users.length - 1] !== 'root', 'runs as a non-root user');
    assert.match(dockerfile, /^HEALTHCHECK .*CMD \["node", "dist\/src\/worker\/healthcheck.js"\]/m);
    assert.match(dockerfile, /COPY --from=build \/app\/dist\/workflow-bundle.js/);
    assert.match(dockerfile, /build-bundle\.js/);
    assert.match(dockerfile, /apt-get install -y --no-install-recommends chromium/, "Debian's Chromium for dashboard screenshots and PDFs");
    assert.match(dockerfile, /^ENV CUTOVER_ARTIFACTS_DIR=\/var\/lib\/cutover\/artifacts$/m);
  });

  describe('project services, run outside Docker', () => {
    for (const [name, target] of [
      ['payca-production', 4010],
      ['payca-sandbox', 4011],
      ['codec-server', 8088],
    ] as const) {
      it(`${name}: its command starts on loopback and its healthcheck passes`, async () => {
        const service = services[name] ?? {};
        const port = await freePort();
        const env = { ...process.env, CUTOVER_PAYLOAD_KEYS: `compose-test:${randomBytes(32).toString('base64')}` };
        const child = startService(onLoopback(argv(service.command), port), env);
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        try {
          await untilHealthy(healthcheckOnPort(service, target, port)).catch((err: Error) => {
            throw new Error(`${err.message}\n${name} said:\n${output}`);
          });
        } finally {
          await stopService(child);
        }
      });
    }
  });

  describe("the worker's healthcheck against a dev server", () => {
    let env: TestWorkflowEnvironment;
    let workers: CutoverWorkers | undefined;
    let running: Promise<void> | undefined;
    let temporalEnv: NodeJS.ProcessEnv;

    before(async function () {
      this.timeout(120_000);
      env = await startDevServer();
      temporalEnv = {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: env.namespace ?? 'default',
        TEMPORAL_CONFIG_FILE: '',
        TEMPORAL_PROFILE: '',
      };
    });

    after(async () => {
      workers?.shutdown();
      await running;
      await env?.teardown();
    });

    it('fails while no worker from this host polls the cutover queue', async () => {
      const health = await checkWorkerHealth({ env: temporalEnv });
      assert.equal(health.healthy, false);
      assert.match(health.detail, new RegExp(`no worker from ${hostname()} polled task queue ${CUTOVER_TASK_QUEUE}`));
      assert.equal(await runHealthcheck(['node', 'dist/src/worker/healthcheck.js'], temporalEnv), 1);
    });

    it('passes once this host runs a polling worker', async () => {
      workers = await createCutoverWorkers({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        temporalClient: env.client,
        identity: `${process.pid}@${hostname()}`,
      });
      running = workers.run();
      for (let attempt = 0; attempt < 40 && !(await checkWorkerHealth({ env: temporalEnv })).healthy; attempt++) await delay(250);
      assert.equal(await runHealthcheck(['node', 'dist/src/worker/healthcheck.js'], temporalEnv), 0);
      const other = await checkWorkerHealth({ env: temporalEnv, host: 'another-container' });
      assert.equal(other.healthy, false, 'a worker on another host does not make this container healthy');
    });
  });
});
