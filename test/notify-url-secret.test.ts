/**
 * No token-bearing URL in workflow input: a plan whose `notifications.webhookUrl` carries a secret is
 * refused, naming the worker's CUTOVER_NOTIFY_URL, and a URL given there reaches its webhook while the
 * cutover's history never holds it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { notifyUrlSecret } from '../src/plan/notifications.js';
import { createCutoverWorkers, type CutoverWorkers } from '../src/worker/create-workers.js';
import { abortUpdate, CUTOVER_TASK_QUEUE } from '../src/workflows/messages.js';
import type { CutoverInput } from '../src/workflows/cutover-state.js';
import { cutoverWorkflow } from '../src/workflows/cutover.js';
import { EXAMPLE_PLAN, runCli } from './helpers/cli.js';
import { HOUR } from './helpers/cutover-harness.js';
import { startPaycaStack, type PaycaStack } from './helpers/payca-stack.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, freshWorkflowId, holdingAt, startTimeSkippingServer } from './helpers/temporal.js';

const TOKEN = 'xq7Tok3nNeverInHistory';

/** Every string and payload byte in a history, as text: payload data is bytes, which JSON would show as numbers. */
function textOf(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(textOf).join('\n');
  if (value !== null && typeof value === 'object') return Object.values(value).map(textOf).join('\n');
  return '';
}

/** URLs that carry a secret, what the refusal says about each, and the secret that must not be echoed. */
const SECRET_URLS: { url: string; says: RegExp }[] = [
  { url: `https://hooks.slack.com/services/T0ACME/B0LAUNCH/${TOKEN}`, says: /Slack's incoming-webhook token in its path/ },
  { url: `https://HOOKS.SLACK.COM./workflows/T0ACME/${TOKEN}`, says: /Slack's incoming-webhook token in its path/ },
  { url: `https://discord.com/api/webhooks/1234/${TOKEN}`, says: /Discord's incoming-webhook token in its path/ },
  { url: `https://acme.webhook.office.com/webhookb2/${TOKEN}`, says: /Microsoft Teams' incoming-webhook token in its path/ },
  { url: `https://chat.googleapis.com/v1/spaces/AAA/messages?key=k&token=${TOKEN}`, says: /a query string/ },
  { url: `https://notify:${TOKEN}@notify.acme.example/cutover`, says: /a user name or password before the host/ },
];

describe('a notification webhook URL that carries a secret', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutover-notify-url-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is refused by plan validation, naming CUTOVER_NOTIFY_URL and never echoing the secret', async () => {
    const example = parse(await readFile(EXAMPLE_PLAN, 'utf8')) as Record<string, Record<string, unknown>>;
    for (const [n, { url, says }] of SECRET_URLS.entries()) {
      const plan = structuredClone(example);
      plan.notifications = { ...plan.notifications, webhookUrl: url };
      const file = join(dir, `secret-${n}.yaml`);
      await writeFile(file, stringify(plan));
      const result = await runCli(['plan', 'validate', file]);
      assert.equal(result.code, 1, `${url}: ${result.stdout}`);
      assert.match(result.stderr, /notifications\.webhookUrl: the URL carries a secret/, url);
      assert.match(result.stderr, says, url);
      assert.match(result.stderr, /remove notifications\.webhookUrl and give the URL to the worker as CUTOVER_NOTIFY_URL/);
      assert.ok(!result.stderr.includes(TOKEN) && !result.stdout.includes(TOKEN), `the secret of ${url} is echoed`);
    }
  });

  it('takes webhook URLs without a visible secret', () => {
    for (const url of [
      'https://notify.acme.example/cutover',
      'http://127.0.0.1:4020/notify',
      'https://hooks.slack.com.acme.example/services/relay',
      'https://discord.com/channels/1234',
    ]) {
      assert.equal(notifyUrlSecret(url), undefined, url);
    }
  });
});

describe("the worker's CUTOVER_NOTIFY_URL (time-skipping server)", function () {
  this.timeout(180_000);
  let env: TestWorkflowEnvironment;
  let stack: PaycaStack;
  let workers: CutoverWorkers | undefined;
  let running: Promise<void> | undefined;

  before(async () => {
    [env, stack] = await Promise.all([startTimeSkippingServer(), startPaycaStack()]);
    workers = await createCutoverWorkers({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      temporalClient: env.client,
      paycaCredentials: stack.credentials,
      notifyUrl: `${stack.receiver.url}/services/T0ACME/B0LAUNCH/${TOKEN}`,
    });
    running = workers.run();
  });

  after(async () => {
    workers?.shutdown();
    await running;
    await stack?.close();
    await env?.teardown();
  });

  it("carries a token-bearing URL: the hold's notice reaches it, and the cutover's history never holds it", async () => {
    await stack.admin('config', 'PUT', { settings: { dailyLoadLimit: 1 } });
    const now = await env.currentTimeMs();
    const input: CutoverInput = { plan: planFor(stack), goLive: new Date(now + 25 * HOUR).toISOString(), timeScale: 1, startedBy: 'lara' };
    assert.equal(input.plan.notifications.webhookUrl, undefined);
    const handle = await env.client.workflow.start(cutoverWorkflow, {
      taskQueue: CUTOVER_TASK_QUEUE,
      workflowId: freshWorkflowId('notify-url'),
      args: [input],
    });
    await advanceUntil(env, handle, holdingAt('config-diff'), 'the config-diff hold');
    const deadline = Date.now() + 30_000;
    const posted = () => stack.receiver.events.filter((e) => e.path.endsWith(TOKEN)).map((e) => String(e.data));
    while (!posted().some((body) => body.includes('config-diff holds for Ops')) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(
      posted().some((body) => body.includes('config-diff holds for Ops')),
      `Ops was told through CUTOVER_NOTIFY_URL; got ${posted().join(' | ')}`,
    );
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
    const history = textOf(await handle.fetchHistory());
    assert.match(history, /dailyLoadLimit/, 'the history text is readable');
    assert.ok(!history.includes(TOKEN), 'the token is nowhere in the history');
  });
});
