/**
 * A whole cutover, T-24h to the end of the post-launch watch, run by a separate `cutover worker` process
 * holding known PayCA credentials (production from variables, sandbox from files), a Temporal API key and
 * the payload key, logging at DEBUG. Everything the run left behind is then searched for those values and
 * their encodings: every history of every run, as stored, as JSON, decoded, and as `temporal workflow show`
 * prints it; the worker's output; every CLI command's output; the launch report as Markdown and JSON; the
 * dev server's database and log; the simulators' delivery logs and the webhook receiver's.
 */
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { startCodecServer, type RunningCodecServer } from '../src/codec/codec-server.js';
import { payloadCodecsFromEnv } from '../src/codec/payload-codecs.js';
import { loadPlanFile } from '../src/plan/load.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { temporalCliPath } from '../src/temporal/binaries.js';
import { openRequiredItems } from '../src/workflows/checklist-rules.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { CLI, ROOT, type CliResult } from './helpers/cli.js';
import { useCliStack } from './helpers/cli-stack.js';
import { describeHits, scanForSecrets, type ScanSource, type Secret } from './helpers/secret-scan.js';
import { fileSources, historySources, temporalShowSources, type HistorySources } from './helpers/secret-scan-sources.js';
import { freshWorkflowId } from './helpers/temporal.js';
import { waitForStatus } from './helpers/wait-for-status.js';
import { note } from './helpers/suite-logs.js';

/**
 * Distinctive values with the characters that change under URL and form encoding, so those forms are
 * real alternatives to the plain one rather than the same bytes.
 */
const PAYCA = {
  production: { clientId: 'acme.prod/client+K7vQ2xR9', clientSecret: 'prod-secret/Zq7+Kx=9mW2#vL4&pN8' },
  sandbox: { clientId: 'acme.sandbox/client+H3wP6tY1', clientSecret: 'sbx-secret/Rt5+Jc=2nB7%qX9?dF3' },
};
const TEMPORAL_API_KEY = 'tmprl-api-key/Vb8+Ns=4kQ1$Gh6';
const PAYLOAD_KEY = randomBytes(32);
const PAYLOAD_KEYS = `scan-2026:${PAYLOAD_KEY.toString('base64')}`;

/** Values planted on purpose in what people type, to prove the scan finds what is there. */
const PLANTED = {
  plain: 'canary-plain/Wq3+Ty=8',
  base64: 'canary-base64/Lp5+Mz=1',
  urlEncoded: 'canary-url/Fd2+Hs=6&x',
};

const CREDENTIAL_VARIABLES = [
  'PAYCA_PRODUCTION_CLIENT_ID',
  'PAYCA_PRODUCTION_CLIENT_SECRET',
  'PAYCA_SANDBOX_CLIENT_ID',
  'PAYCA_SANDBOX_CLIENT_SECRET',
];

describe('secrets through a whole cutover', function () {
  this.timeout(240_000);
  const suiteStarted = Date.now();
  const codecs = payloadCodecsFromEnv({ CUTOVER_PAYLOAD_KEYS: PAYLOAD_KEYS });
  const workflowId = freshWorkflowId('secret-scan');
  const cliOutputs: ScanSource[] = [];
  const workerOutput = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  let worker: ChildProcess | undefined;
  let codecServer: RunningCodecServer;
  let plan: CutoverPlan;
  let planFile: string;
  let reportDir: string;
  let signingSecret: string;
  let history: HistorySources;
  let sources: ScanSource[];
  let secrets: Secret[];

  const saved = new Map<string, string | undefined>();
  // The simulators take the pair the environment holds (src/dev/simulator-credentials.ts), so the
  // environment holds the known pair only while the stack starts; the worker process gets its own copy.
  before(() => {
    for (const name of CREDENTIAL_VARIABLES) saved.set(name, process.env[name]);
    process.env.PAYCA_PRODUCTION_CLIENT_ID = PAYCA.production.clientId;
    process.env.PAYCA_PRODUCTION_CLIENT_SECRET = PAYCA.production.clientSecret;
    process.env.PAYCA_SANDBOX_CLIENT_ID = PAYCA.sandbox.clientId;
    process.env.PAYCA_SANDBOX_CLIENT_SECRET = PAYCA.sandbox.clientSecret;
  });
  const world = useCliStack('secret-scan', {
    stackOptions: () => ({ worker: false, payloadCodecs: codecs }),
    // The CLI is a person's tool: it gets the Temporal and payload keys, never PayCA's credentials.
    env: {
      ...Object.fromEntries(CREDENTIAL_VARIABLES.map((name) => [name, undefined])),
      CUTOVER_PAYLOAD_KEYS: PAYLOAD_KEYS,
      TEMPORAL_API_KEY,
      TEMPORAL_TLS: 'false',
      CUTOVER_DEBUG: '1',
    },
  });
  before(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  async function cutover(args: string[]): Promise<CliResult> {
    const result = await world.cutover(args);
    cliOutputs.push({ name: `cutover ${args.join(' ')} (exit ${result.code})`, bytes: Buffer.from(`${result.stdout}\n${result.stderr}`) });
    return result;
  }

  async function ok(args: string[]): Promise<CliResult> {
    const result = await cutover(args);
    assert.equal(result.code, 0, `cutover ${args.join(' ')}: ${result.stderr}`);
    return result;
  }

  const status = (what: string, done: (s: CutoverStatus) => boolean) => waitForStatus(world.stack.client, workflowId, what, done, 120_000);

  /** Waits until the watch has continued as new at least once, from the server's list of its runs. */
  async function watchRuns(atLeast: number): Promise<void> {
    let runs = 0;
    for (let i = 0; i < 480 && runs < atLeast; i++) {
      runs = 0;
      for await (const wf of world.stack.client.workflow.list({ query: `WorkflowId = '${workflowId}.watch'` })) if (wf.runId) runs += 1;
      if (runs < atLeast) await delay(250);
    }
    if (runs < atLeast) {
      const watch = world.stack.client.workflow.getHandle(`${workflowId}.watch`);
      const described = await watch.describe();
      const history = await watch.fetchHistory();
      const tail = (history.events ?? [])
        .slice(-8)
        .map((e) => `${String(e.eventType)} ${JSON.stringify(e).slice(0, 300)}`)
        .join('\n');
      assert.fail(
        `the watch has ${runs} runs, expected ${atLeast}; ${described.status.name}, ${JSON.stringify(described.raw.pendingActivities).slice(0, 1500)}\n${tail}\nworker:\n${Buffer.concat(workerOutput.stderr).toString().slice(-3000)}`,
      );
    }
  }

  /** A real `cutover worker`, with credentials as a deployment mounts them: some as variables, some as files. */
  async function startWorker(): Promise<void> {
    const files = join(world.dataDir, 'worker-secrets');
    await mkdir(files, { mode: 0o700 });
    const file = async (name: string, value: string) => {
      const path = join(files, name);
      await writeFile(path, `${value}\n`, { mode: 0o600 });
      return path;
    };
    const child = spawn(process.execPath, [CLI, 'worker'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...world.cliEnv,
        CUTOVER_PAYLOAD_KEYS: undefined,
        CUTOVER_PAYLOAD_KEYS_FILE: await file('payload-keys', PAYLOAD_KEYS),
        PAYCA_PRODUCTION_CLIENT_ID: PAYCA.production.clientId,
        PAYCA_PRODUCTION_CLIENT_SECRET: PAYCA.production.clientSecret,
        PAYCA_SANDBOX_CLIENT_ID_FILE: await file('sandbox-client-id', PAYCA.sandbox.clientId),
        PAYCA_SANDBOX_CLIENT_SECRET_FILE: await file('sandbox-client-secret', PAYCA.sandbox.clientSecret),
        CUTOVER_LOG_LEVEL: 'DEBUG',
        CUTOVER_DEBUG: '1',
      },
    });
    worker = child;
    child.stdout?.on('data', (chunk: Buffer) => workerOutput.stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => workerOutput.stderr.push(chunk));
    for (let i = 0; i < 300 && !Buffer.concat(workerOutput.stdout).includes('cutover worker polling'); i++) {
      if (child.exitCode !== null) break;
      await delay(100);
    }
    assert.ok(
      Buffer.concat(workerOutput.stdout).includes('cutover worker polling'),
      `the worker did not start:\n${Buffer.concat(workerOutput.stderr).toString().slice(-3000)}`,
    );
  }

  async function stopWorker(): Promise<void> {
    const child = worker;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await Promise.race([exited, delay(15_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }

  /** A forced answer from a PayCA that echoes the caller's credentials back, as a careless gateway might. */
  async function echoCredentialsOnce(base: string, environment: 'production' | 'sandbox', path: string): Promise<void> {
    const { clientId, clientSecret } = PAYCA[environment];
    const res = await fetch(`${base}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        force: {
          count: 1,
          code: 'ErrUnavailable',
          path,
          message: `upstream refused x-client-id: ${clientId}, x-client-secret: ${clientSecret} (request line GET ${path}?client_id=${encodeURIComponent(clientId)}&client_secret=${encodeURIComponent(clientSecret)})`,
        },
      }),
    });
    assert.equal(res.status, 200, await res.text());
  }

  before(async () => {
    codecServer = await startCodecServer({ codecs, authentication: { kind: 'none-on-loopback' }, host: '127.0.0.1', port: 0 });
    reportDir = join(world.dataDir, 'reports');
    await mkdir(reportDir);
    // At 720× the people's steps before the roll-forward take plan hours, so the watch keeps its 48 h
    // window and is ended early, in one-hour segments so its history has runs joined by continue-as-new.
    // Reads every 15 minutes keep the worker, logging at DEBUG on shared cores, close to the clock.
    const document = parseYaml(await readFile(world.planFile, 'utf8')) as Record<string, Record<string, unknown>>;
    document['postLaunch'] = { ...document['postLaunch'], watch: { window: '48h', interval: '15m', segment: '1h' } };
    planFile = join(world.dataDir, 'plan-secret-scan.yaml');
    await writeFile(planFile, stringifyYaml(document));
    plan = await loadPlanFile(planFile);
    await startWorker();
  });

  after(async () => {
    await stopWorker();
    await codecServer?.close();
  });

  it('runs a cutover through roll-forward and an ended watch on the worker holding the known credentials', async () => {
    // Different calls, so neither failure hides the other (the config diff reads both environments at once).
    await echoCredentialsOnce(world.stack.production.url, 'production', '/v1/bins');
    await echoCredentialsOnce(world.stack.sandbox.url, 'sandbox', '/v1/program/config');
    await ok(['start', planFile, '--id', workflowId, '--go-live', '+1h', '--time-scale', '720', '--as', 'lara']);

    const checked = (s: CutoverStatus) =>
      s.checklist.every((i) => i.kind === 'attested' || !!i.postLaunch || ['done', 'failed', 'waived'].includes(i.status));
    const ready = await status('every automated check has run', checked);
    const credentialsItem = ready.checklist.find((i) => i.id === 'production-credentials');
    assert.equal(
      credentialsItem?.status,
      'done',
      `PayCA accepted the known production pair and refused the sandbox one: ${JSON.stringify(credentialsItem)}`,
    );
    const closing = ready.checklist.flatMap((i): string[][] => {
      if (i.status === 'failed') return [['waive', workflowId, i.id, '--as', 'lara', '--reason', 'local stack: the receiver has no TLS']];
      const owner = plan.approvers[i.owner]?.[0];
      if (i.kind !== 'attested' || i.optional || i.postLaunch || i.status !== 'open' || !owner) return [];
      return [['complete', workflowId, i.id, '--as', owner, '--evidence', `${i.id}: checked before the secret scan`]];
    });
    await Promise.all(closing.map(ok));
    await status('no required readiness item open', (s) => openRequiredItems(s).size === 0);
    await status('go-live holding', (s) => s.phase === 'holding' && s.currentStage === 'go-live');

    const refused = await cutover(['approve', workflowId, 'go-live', '--as', 'olivia']);
    assert.equal(refused.code, 1, 'a refusal, with its stack trace under CUTOVER_DEBUG=1, is part of what is scanned');
    await ok([
      'approve',
      workflowId,
      'go-live',
      '--as',
      'lara',
      '--authorization-id',
      (await runLowRiskAuthorization(world.stack.production.url)).id,
    ]);
    await ok(['approve', workflowId, 'go-live', '--as', 'erin', '--note', `smoke tests green; planted ${PLANTED.plain}`]);
    await status('debrief holding', (s) => s.phase === 'holding' && s.currentStage === 'debrief');
    await ok(['decide', workflowId, 'roll-forward', '--as', 'lara', '--reason', 'all green']);
    await status('the post-launch watch', (s) => s.phase === 'watching');
    await ok([
      'complete',
      workflowId,
      'support-ticket-review',
      '--as',
      'carlos',
      '--evidence',
      `token ${Buffer.from(PLANTED.base64).toString('base64')}`,
    ]);
    await ok([
      'complete',
      workflowId,
      'retro-scheduled',
      '--as',
      'lara',
      '--evidence',
      `https://cal.example/retro?ref=${encodeURIComponent(PLANTED.urlEncoded)}`,
    ]);
    await watchRuns(2);
    await ok(['watch', 'end', workflowId, '--as', 'lara', '--reason', 'stable after two segments']);
    const done = await status('completed', (s) => s.phase === 'completed');
    assert.equal(done.watch?.status, 'ended-early');

    for (const args of [
      ['status', workflowId],
      ['status', workflowId, '--json'],
      ['checklist', workflowId],
      ['list', '--json'],
      ['report', workflowId, '--format', 'md'],
      ['report', workflowId, '--format', 'json'],
      ['report', workflowId, '--format', 'md', '--out', join(reportDir, 'launch-report.md')],
      ['report', workflowId, '--format', 'json', '--out', join(reportDir, 'launch-report.json')],
      ['report', workflowId, '--checklist', '--out', join(reportDir, 'launch-checklist.md')],
    ]) {
      await ok(args);
    }
    const subscriptions = [...world.stack.production.state.subscriptions.values()];
    assert.equal(subscriptions.length, 1, 'the run created one webhook subscription');
    signingSecret = subscriptions[0]?.signingSecret ?? '';
    assert.ok(signingSecret.length >= 16, 'the signing secret PayCA issued is known to the scan');
  });

  it('gathers every history run, the worker and CLI output, the reports, the server files and the simulator logs', async () => {
    await stopWorker();
    const { client, temporal } = world.stack;
    history = await historySources(client, codecs);
    const runsOf = (id: string) => history.executions.filter((e) => e.workflowId === id).length;
    assert.equal(runsOf(workflowId), 1);
    assert.ok(runsOf(`${workflowId}.watch`) >= 2, `the watch's runs: ${JSON.stringify(history.executions)}`);
    assert.ok(history.decodedPayloads > 100, `payloads were decrypted before scanning (${history.decodedPayloads})`);

    const cliPath = temporalCliPath();
    assert.ok(cliPath, 'the Temporal CLI is installed (npm run setup)');
    const shown = await temporalShowSources(history.executions, {
      cliPath,
      address: temporal.address,
      namespace: temporal.namespace,
      codecEndpoint: codecServer.url,
    });
    const workerLog = [
      { name: 'worker stdout', bytes: Buffer.concat(workerOutput.stdout) },
      { name: 'worker stderr', bytes: Buffer.concat(workerOutput.stderr) },
    ];
    const simulatorLogs = [world.stack.production, world.stack.sandbox].map((sim) => ({
      name: `${sim.mode} simulator deliveries, attempts and injections`,
      bytes: Buffer.from(
        JSON.stringify({ deliveries: sim.state.deliveries, attempts: sim.state.webhookAttempts, injections: sim.state.injections }),
      ),
    }));
    const receiverLog = { name: 'webhook receiver events', bytes: Buffer.from(JSON.stringify(world.stack.receiver.events)) };
    // The dev server's SQLite files and log, and the reports written with --out.
    const files = await fileSources(world.dataDir, 'data');
    const serverFiles = files.filter((f) => !f.name.includes('worker-secrets') && !f.name.endsWith('.yaml'));
    for (const file of ['temporal.log', 'temporal.sqlite']) {
      assert.ok(
        serverFiles.some((f) => f.name.endsWith(file)),
        `${file} is scanned: ${files.map((f) => f.name).join(', ')}`,
      );
    }
    sources = [...history.sources, ...shown, ...workerLog, ...cliOutputs, ...simulatorLogs, receiverLog, ...serverFiles];

    secrets = [
      { name: 'PayCA production client id', value: PAYCA.production.clientId },
      { name: 'PayCA production client secret', value: PAYCA.production.clientSecret },
      { name: 'PayCA sandbox client id', value: PAYCA.sandbox.clientId },
      { name: 'PayCA sandbox client secret', value: PAYCA.sandbox.clientSecret },
      { name: 'PayCA webhook signing secret', value: signingSecret },
      { name: 'Temporal API key', value: TEMPORAL_API_KEY },
      { name: 'payload key (base64, as configured)', value: PAYLOAD_KEY.toString('base64') },
      { name: 'payload key (bytes)', value: PAYLOAD_KEY },
    ];
    const bytes = sources.reduce((sum, s) => sum + s.bytes.length, 0);
    note(
      `      scanned ${sources.length} sources, ${(bytes / 1e6).toFixed(1)} MB (${history.executions.length} executions, worker log ${workerLog.reduce((n, s) => n + s.bytes.length, 0)} bytes, ${cliOutputs.length} CLI commands)`,
    );
  });

  it('finds the planted values where they were typed, in the clear and encoded, so a clean scan means something', () => {
    const planted: Secret[] = [
      { name: 'planted note', value: PLANTED.plain },
      { name: 'planted base64 evidence', value: PLANTED.base64 },
      { name: 'planted URL-encoded evidence', value: PLANTED.urlEncoded },
    ];
    const hits = scanForSecrets(sources, planted);
    const where = (secret: string, source: RegExp) => hits.some((h) => h.secret === secret && source.test(h.source));
    for (const secret of planted.map((p) => p.name)) {
      assert.ok(where(secret, /payloads decoded$/), `${secret} is found in the decoded history`);
      assert.ok(where(secret, /launch-report\.md$/) && where(secret, /launch-report\.json$/), `${secret} is found in both written reports`);
    }
    // The CLI prints payloads as base64 of their JSON: the note is found through its base64 form.
    assert.ok(where('planted note', /through the codec server$/), 'found in `temporal workflow show` through the codec server');
    assert.ok(
      hits.some((h) => h.secret === 'planted base64 evidence' && h.form.startsWith('base64')),
      'found through its base64 form',
    );
    assert.ok(
      hits.some((h) => h.secret === 'planted URL-encoded evidence' && h.form === 'URL-encoded'),
      'found through its URL-encoded form',
    );
    assert.ok(
      hits.some((h) => h.secret === 'planted note' && /^cutover status .* --json/.test(h.source)),
      'found in CLI output',
    );
    assert.ok(!where('planted note', /, protobuf$/), 'the stored history holds it only encrypted');
  });

  it('saw PayCA echo the credentials back in an error, and kept only the redacted message', () => {
    for (const path of ['/v1/bins', '/v1/program/config']) {
      const echoed = `upstream refused x-client-id: [redacted], x-client-secret: [redacted] (request line GET ${path}?client_id=[redacted]&client_secret=[redacted])`;
      const seenIn = sources.filter((s) => s.bytes.includes(echoed)).map((s) => s.name);
      assert.ok(seenIn.includes('worker stderr'), `the worker logged the refused ${path}: ${seenIn.join(', ')}`);
      assert.ok(
        seenIn.some((name) => name.endsWith('payloads decoded')),
        `the history kept the failure of ${path}: ${seenIn.join(', ')}`,
      );
    }
  });

  it('shows the worker logged at DEBUG, so the scan read what a diagnosing operator would', () => {
    const stderr = Buffer.concat(workerOutput.stderr).toString('utf8');
    assert.match(stderr, /\[DEBUG\]/);
    assert.match(stderr, /Activity (started|completed)/);
  });

  it('finds no PayCA credential, signing secret, API key or payload key anywhere, in any encoding', () => {
    const hits = scanForSecrets(sources, secrets);
    assert.deepEqual(hits, [], `secrets leaked:\n${describeHits(hits)}`);
    note(`      suite wall time so far ${((Date.now() - suiteStarted) / 1000).toFixed(1)} s`);
  });
});
