import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import { cutoverSummary } from '../src/operations/cutover-workflow.js';
import { startCodecServer, type CodecAccess, type RunningCodecServer } from '../src/codec/codec-server.js';
import { payloadCodecsFromEnv } from '../src/codec/payload-codecs.js';
import { freePort } from '../src/dev/ports.js';
import { startDevelopmentProvider, type RunningDevelopmentProvider } from '../src/identity/development-provider.js';
import { loadPlanFile } from '../src/plan/load.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { launchBrowser, type HeadlessBrowser } from './helpers/browser.js';
import { requireTestTool } from './helpers/test-tools.js';
import { useCliStack } from './helpers/cli-stack.js';
import { historyText } from './helpers/history.js';
import { metadataPanel, openEventHistory, openUserMetadata, type WorkflowRef } from './helpers/temporal-ui.js';
import { freshWorkflowId } from './helpers/temporal.js';
import { holdingAtGoLive, waitForStatus } from './helpers/wait-for-status.js';
import { note } from './helpers/suite-logs.js';

const KEYS_ENV = { CUTOVER_PAYLOAD_KEYS: `ui-2026-12:${randomBytes(32).toString('base64')}` };
const HOST = '127.0.0.1';

/** The query the UI sends for the current details; its answer is a payload the worker's codec encrypts. */
const METADATA_QUERY = '__temporal_workflow_metadata';

/** Early stages, seen from the start of the history; the UI shows it a page at a time. */
const EARLY_ACTIVITY_SUMMARIES = ['T-24h config diff: sandbox vs production (Ops)', 'T-12h funding check (Treasury)'];
/** The last stage before the go-live hold, seen from the end of the history. */
const LATE_ACTIVITY_SUMMARY = 'T-1h webhook smoke test (Engineering)';
const ACTIVITY_SUMMARIES = [...EARLY_ACTIVITY_SUMMARIES, LATE_ACTIVITY_SUMMARY];
const GO_LIVE_TIMER = 'go-live holds for Programme lead, Engineering';
const TIME_SCALE_DETAIL = '720× faster than real time';
const GO_LIVE_HOLD = 'awaiting Programme lead, Engineering';

describe('engineers reading an encrypted cutover in the Temporal UI through the codec server', function () {
  this.timeout(240_000);
  const codecs = payloadCodecsFromEnv(KEYS_ENV);
  const workflowId = freshWorkflowId('ui-codec');
  let uiPort: number;
  let codecServer: RunningCodecServer;
  let browser: HeadlessBrowser;
  let ref: WorkflowRef;
  let summary: string;
  const accessLog: CodecAccess[] = [];

  let codecUrl: string;
  let provider: RunningDevelopmentProvider;

  // The codec server only grants CORS to the UI's origin, so the UI's port is chosen before either starts.
  // It requires sign-in: the engineer signs in at the codec server through the development provider, and
  // the UI sends that cookie because the browser's codec setting includes cross-origin credentials
  // (`temporal server start-dev` has no flag for it). The codec server is named `localhost` like the UI,
  // so the SameSite=Lax cookie goes along.
  before(async () => {
    uiPort = await freePort(HOST);
    const codecPort = await freePort(HOST);
    codecUrl = `http://localhost:${codecPort}`;
    const client = { clientId: 'codec-server', clientSecret: randomBytes(16).toString('hex'), redirectUris: [`${codecUrl}/callback`] };
    provider = await startDevelopmentProvider({
      accounts: [{ id: 'erin', email: 'erin@northwind.example', name: 'Erin Engineering' }],
      clients: [client],
    });
    codecServer = await startCodecServer({
      codecs,
      authentication: {
        kind: 'sign-in',
        settings: { issuer: provider.issuer, clientId: client.clientId, clientSecret: client.clientSecret, sessionKey: randomBytes(32) },
      },
      host: HOST,
      port: codecPort,
      publicUrl: codecUrl,
      corsOrigins: [`http://localhost:${uiPort}`],
      accessLog: (entry) => accessLog.push(entry),
    });
  });
  const world = useCliStack('ui-codec', {
    stackOptions: () => ({ uiPort, uiCodecEndpoint: codecUrl, payloadCodecs: codecs }),
    env: KEYS_ENV,
  });

  before(async function () {
    // The browser first: a machine without Chromium is pending here, before minutes of cutover.
    requireTestTool(this, 'chromium');
    browser = await launchBrowser();
    const plan = await loadPlanFile(world.planFile);
    // Go-live an hour ahead at 720× puts T in five seconds: T-24h…T-1h run at once, then go-live holds for people.
    const started = await world.cutover([
      'start',
      world.planFile,
      '--id',
      workflowId,
      '--go-live',
      '+1h',
      '--time-scale',
      '720',
      '--as',
      'lara',
    ]);
    assert.equal(started.code, 0, started.stderr);
    const atGoLive: CutoverStatus = await waitForStatus(world.stack.client, workflowId, 'go-live holding', holdingAtGoLive);
    summary = cutoverSummary(plan, new Date(atGoLive.goLive));
    const { runId } = await world.stack.client.workflow.getHandle(workflowId).describe();
    ref = { uiUrl: world.stack.temporal.uiUrl, namespace: world.stack.temporal.namespace, workflowId, runId };

    await browser.page.goto(`${codecUrl}/login?return=${encodeURIComponent(ref.uiUrl)}`);
    await browser.page.getByRole('button', { name: /Sign in as Erin Engineering/ }).click();
    await browser.page.waitForURL(`${ref.uiUrl}/**`);
    // The UI's own codec setting, as an engineer sets it in its Codec Server dialog: this browser's endpoint,
    // with cross-origin credentials.
    const setting = { endpoint: JSON.stringify(codecUrl), overrideRemoteCodecConfiguration: 'true', includeCredentials: 'true' };
    await browser.page.evaluate(
      Object.entries(setting)
        .map(([key, value]) => `localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(value)});`)
        .join(''),
    );
  });

  after(async () => {
    await browser?.close();
    await codecServer?.close();
    await provider?.close();
  });

  it('stores the summaries, details and current details only encrypted, so the server alone cannot show them', async () => {
    // What the UI gets from the server before it asks the codec server: the history and the metadata query's answer.
    const withoutKeys = new Client({ connection: world.stack.client.connection, namespace: ref.namespace });
    const history = historyText(await withoutKeys.workflow.getHandle(workflowId, ref.runId).fetchHistory());
    for (const text of [summary, TIME_SCALE_DETAIL, GO_LIVE_TIMER, ...ACTIVITY_SUMMARIES]) {
      assert.equal(history.includes(text), false, `"${text}" is not in the history in clear`);
    }
    const metadata = await world.stack.client.connection.workflowService.queryWorkflow({
      namespace: ref.namespace,
      execution: { workflowId, runId: ref.runId },
      query: { queryType: METADATA_QUERY },
    });
    const answer = historyText(metadata.queryResult);
    assert.match(answer, /binary\/encrypted/, 'the current details arrive encrypted');
    assert.equal(answer.includes(GO_LIVE_HOLD), false, `"${GO_LIVE_HOLD}" is not in the query answer in clear`);
  });

  it('shows the decoded summary, details and stage table on the workflow page', async () => {
    await openUserMetadata(browser.page, ref);
    await metadataPanel(browser.page, 'summary').locator('body').getByText(summary).waitFor();
    const details = metadataPanel(browser.page, 'details').locator('body');
    await details.getByText('Started by:').waitFor();
    assert.match(await details.innerText(), new RegExp(TIME_SCALE_DETAIL));
    const table = metadataPanel(browser.page, 'current-details').locator('table').first();
    const goLive = table.getByRole('row').filter({ hasText: 'go-live' }).first();
    await goLive.waitFor();
    assert.match(await goLive.innerText(), new RegExp(`holding[\\s\\S]*${GO_LIVE_HOLD}`));
    const path = await browser.screenshot('cutover-decoded-details');
    note(`      screenshot: ${path}`);
  });

  it('shows the decoded activity and timer summaries in the event history', async () => {
    await openEventHistory(browser.page, ref, 'ascending');
    for (const activity of EARLY_ACTIVITY_SUMMARIES) await browser.page.getByText(activity).first().waitFor();
    await browser.page.getByText('T-12h funding check (Treasury)').first().scrollIntoViewIfNeeded();
    const path = await browser.screenshot('cutover-decoded-event-history');
    note(`      screenshot: ${path}`);

    await openEventHistory(browser.page, ref, 'descending');
    await browser.page.getByText(LATE_ACTIVITY_SUMMARY).first().waitFor();
    await browser.page.getByRole('row').filter({ hasText: 'Timer Started' }).filter({ hasText: GO_LIVE_TIMER }).first().waitFor();
  });

  it('decodes only for the engineer who signed in, and says so in its log', () => {
    const decodes = accessLog.filter((entry) => entry.path === '/decode');
    assert.ok(decodes.length > 0, 'the UI called the codec server');
    assert.ok(
      decodes.every((entry) => entry.status === 200 && entry.who?.subject === 'erin' && entry.who.via === 'session'),
      JSON.stringify(decodes.slice(0, 3)),
    );
  });
});
