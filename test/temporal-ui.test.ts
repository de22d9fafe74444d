import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { cutoverSummary } from '../src/operations/cutover-workflow.js';
import { loadPlanFile } from '../src/plan/load.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { approveSignal } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { launchBrowser, type HeadlessBrowser } from './helpers/browser.js';
import { requireTestTool } from './helpers/test-tools.js';
import { useCliStack } from './helpers/cli-stack.js';
import {
  listedWorkflow,
  metadataPanel,
  openEventHistory,
  openUserMetadata,
  openWorkflowList,
  type WorkflowRef,
} from './helpers/temporal-ui.js';
import { freshWorkflowId } from './helpers/temporal.js';
import { holdingAtGoLive, waitForStatus } from './helpers/wait-for-status.js';
import { note } from './helpers/suite-logs.js';

describe('engineers reading a cutover in the Temporal UI', function () {
  this.timeout(240_000);
  const world = useCliStack('ui');
  const holdingId = freshWorkflowId('ui-holding');
  const waitingId = freshWorkflowId('ui-waiting');
  const markupId = freshWorkflowId('ui-markup');
  /** What a plan's author wrote that Markdown would render as bold text and a link to an outside site. */
  const PROGRAMME = '**bold** [link](https://evil.example)';
  const PLAN_FILE_NAME = '**plan** [site](www.evil.example).yaml';
  let browser: HeadlessBrowser;
  let ref: WorkflowRef;
  let atGoLive: CutoverStatus;
  let plan: CutoverPlan;

  before(async function () {
    // The browser first: a machine without Chromium is pending here, before minutes of cutover.
    requireTestTool(this, 'chromium');
    browser = await launchBrowser();
    plan = await loadPlanFile(world.planFile);
    // Go-live an hour ahead at 720× puts T in five seconds: T-24h…T-1h run at once, then go-live holds for people.
    const start = (id: string, goLive: string, timeScale: string, planFile = world.planFile) =>
      world.cutover(['start', planFile, '--id', id, '--go-live', goLive, '--time-scale', timeScale, '--as', 'lara']);
    // The held cutover watches from roll-forward: a watch from T at 720× would fill the newest page of its
    // history with its reports before the suite reads the stages' labels there.
    const holdingPlan = parse(await readFile(world.planFile, 'utf8')) as { postLaunch: { watch: Record<string, unknown> } };
    holdingPlan.postLaunch.watch.from = 'roll-forward';
    const holdingFile = join(world.dataDir, 'ui-holding-plan.yaml');
    await writeFile(holdingFile, stringify(holdingPlan));
    for (const result of [await start(holdingId, '+1h', '720', holdingFile), await start(waitingId, '+25h', '1')]) {
      assert.equal(result.code, 0, result.stderr);
    }
    const markupPlan = parse(await readFile(world.planFile, 'utf8')) as Record<string, unknown>;
    markupPlan.programme = PROGRAMME;
    const markupFile = join(world.dataDir, PLAN_FILE_NAME);
    await writeFile(markupFile, stringify(markupPlan));
    const markup = await world.cutover(['start', markupFile, '--id', markupId, '--go-live', '+25h', '--as', 'lara']);
    assert.equal(markup.code, 0, markup.stderr);
    atGoLive = await waitForStatus(world.stack.client, holdingId, 'go-live holding', holdingAtGoLive);
    const { runId } = await world.stack.client.workflow.getHandle(holdingId).describe();
    ref = { uiUrl: world.stack.temporal.uiUrl, namespace: world.stack.temporal.namespace, workflowId: holdingId, runId };
  });

  after(async () => {
    await browser?.close();
  });

  it('shows the cutover summary and its start details on the workflow page', async () => {
    await openUserMetadata(browser.page, ref);
    const summary = metadataPanel(browser.page, 'summary').locator('body');
    await summary.getByText(cutoverSummary(plan, new Date(atGoLive.goLive))).waitFor();
    const details = metadataPanel(browser.page, 'details').locator('body');
    await details.getByText('Started by:').waitFor();
    assert.match(await details.innerText(), /Time scale:\s*720× faster than real time/);
  });

  it('shows a programme name and a plan file name carrying Markdown as the text written, with no link and no bold', async () => {
    const { runId } = await world.stack.client.workflow.getHandle(markupId).describe();
    await openUserMetadata(browser.page, { ...ref, workflowId: markupId, runId });
    const summary = metadataPanel(browser.page, 'summary').locator('body');
    await summary.getByText('cutover, go-live').waitFor();
    assert.ok(
      (await summary.innerText()).includes(`${PROGRAMME} cutover, go-live`),
      `the programme as written:\n${await summary.innerText()}`,
    );
    const details = metadataPanel(browser.page, 'details').locator('body');
    await details.getByText('Plan file:').waitFor();
    assert.match(await details.innerText(), /Plan file:\s*\*\*plan\*\* \[site\]\(www\.evil\.example\)\.yaml/);
    for (const panel of [summary, details]) {
      assert.equal(await panel.locator('a').count(), 0, 'no link at all');
      assert.equal(await panel.locator('strong', { hasText: /^(bold|plan)$/ }).count(), 0, 'nothing the author wrote is bold');
    }
    const path = await browser.screenshot('cutover-markup-programme');
    note(`      screenshot: ${path}`);
  });

  it('shows the stage table as current details, with passed stages and the go-live hold', async () => {
    await openUserMetadata(browser.page, ref);
    const table = metadataPanel(browser.page, 'current-details').locator('table').first();
    await table.getByRole('row').filter({ hasText: 'go-live' }).first().waitFor();
    const rows = await table.getByRole('row').allInnerTexts();
    const rowOf = (stage: string) => rows.find((row) => row.split(/\s+/).includes(stage)) ?? '';
    assert.equal(rows.length, 1 + atGoLive.stages.length, `a header and one row per stage:\n${rows.join('\n')}`);
    for (const stage of ['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test']) {
      assert.match(rowOf(stage), /passed/, `${stage}: ${rowOf(stage)}`);
    }
    assert.match(rowOf('go-live'), /holding[\s\S]*awaiting Programme lead, Engineering/);
    assert.match(rowOf('debrief'), /pending/);
    const path = await browser.screenshot('cutover-workflow-details');
    note(`      screenshot: ${path}`);
  });

  it('labels activities and timers with their stage in the event history', async () => {
    // The UI shows the history a page at a time: the early stages from the start, the later ones from the end.
    await openEventHistory(browser.page, ref, 'ascending');
    for (const activity of ['T-24h config diff: sandbox vs production (Ops)', 'T-12h funding check (Treasury)']) {
      await browser.page.getByText(activity).first().waitFor();
    }
    await browser.page.getByText('T-12h funding check (Treasury)').first().scrollIntoViewIfNeeded();
    const path = await browser.screenshot('cutover-event-history');
    note(`      screenshot: ${path}`);

    // The newest events are the go-live hold's timer, re-armed at each escalation.
    await openEventHistory(browser.page, ref, 'descending');
    await browser.page.getByText('T-1h webhook smoke test (Engineering)').first().waitFor();
    const timer = browser.page
      .getByRole('row')
      .filter({ hasText: 'Timer Started' })
      .filter({ hasText: 'go-live holds for Programme lead, Engineering' });
    await timer.first().waitFor();
  });

  it('lists only the cutovers a CutoverPhase filter asks for', async () => {
    await openWorkflowList(browser.page, ref.uiUrl, ref.namespace, 'CutoverPhase="holding"');
    await listedWorkflow(browser.page, holdingId).waitFor();
    assert.equal(await listedWorkflow(browser.page, waitingId).count(), 0, `${waitingId} is waiting, not holding`);
    const path = await browser.screenshot('cutover-list-holding');
    note(`      screenshot: ${path}`);

    await openWorkflowList(browser.page, ref.uiUrl, ref.namespace, 'CutoverPhase="waiting"');
    await listedWorkflow(browser.page, waitingId).waitFor();
    assert.equal(await listedWorkflow(browser.page, holdingId).count(), 0, `${holdingId} is holding, not waiting`);
  });

  it('shows a refused sender name as literal text with no link in the current details', async () => {
    const sender = '**mallory** [click](https://evil.example)';
    // The CLI refuses such a name itself; anyone with access to the namespace can still signal it.
    await world.stack.client.workflow.getHandle(holdingId).signal(approveSignal, { stage: 'go-live', by: sender });
    await waitForStatus(world.stack.client, holdingId, 'the stranger counted', (s) => (s.refusalSummary?.strangers.attempts ?? 0) > 0);
    await openUserMetadata(browser.page, ref);
    const details = metadataPanel(browser.page, 'current-details').locator('body');
    await details.getByText('Last refused message:').waitFor();
    const line = await details.getByText('Last refused message:').innerText();
    assert.ok(line.includes('approve by **mallory** [click](https://evil.example'), `the name as sent, not rendered:\n${line}`);
    assert.equal(await details.locator('a[href*="evil.example"]').count(), 0, 'no link to the outside site');
    assert.equal(await details.locator('strong', { hasText: 'mallory' }).count(), 0, 'the name is not bold');
    const path = await browser.screenshot('cutover-refused-sender');
    note(`      screenshot: ${path}`);
  });
});
