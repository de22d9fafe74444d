/**
 * The HTML launch report of a real finished run, opened in headless Chromium: its sections, the timeline and
 * the watch's charts drawn, the dashboard screenshot the worker took embedded, and the dashboards that did
 * not load named with the reason while the cutover still completed. The same report printed to PDF opens
 * with pdftoppm.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { renderLaunchReportHtml } from '../src/client/format/launch-report/document.js';
import { printHtmlToPdf } from '../src/client/format/launch-report/print-pdf.js';
import { approveUpdate, decideUpdate } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { launchBrowser, type HeadlessBrowser } from './helpers/browser.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt } from './helpers/temporal.js';
import { requireTestTool } from './helpers/test-tools.js';

const run = promisify(execFile);

/** A loopback port that was free a moment ago and that nothing listens on now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

describe('the HTML launch report of a finished cutover', function () {
  this.timeout(300_000);
  const artifactsDir = mkdtempSync(join(tmpdir(), 'cutover-artifacts-'));
  const harness = useCutoverHarness('time-skipping', 'html-report', {
    rateLimit: { perSecond: 10_000, burst: 10_000 },
    artifactsDir: () => artifactsDir,
  });
  let final: CutoverStatus;
  let html: string;
  let browser: HeadlessBrowser | undefined;
  let pdftoppm: string;
  /** A board whose server takes the connection and never answers: the load times out. */
  const silent = createServer(() => undefined);

  before(async function () {
    requireTestTool(this, 'chromium');
    pdftoppm = requireTestTool(this, 'pdftoppm');
    const { stack, env } = harness;
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
    const silentPort = (silent.address() as AddressInfo).port;
    const plan = planFor(stack, {
      postLaunch: {
        watch: { window: '5h' },
        dashboards: [
          { title: 'Simulator overview', url: `${stack.production.url}/_sim/dashboard` },
          { title: 'Broken board', url: `${stack.production.url}/_sim/dashboard?fail=503` },
          // A port nothing listens on: the board's server is down.
          { title: 'Unreachable board', url: `http://127.0.0.1:${await closedPort()}/d/gone` },
          { title: 'Silent board', url: `http://127.0.0.1:${silentPort}/d/slow` },
        ],
      },
    });
    const handle = await harness.start({ plan });
    await advanceUntil(env, handle, holdingAt('go-live'), 'the go-live gate');
    const auth = await runLowRiskAuthorization(stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    const atDebrief = await advanceUntil(env, handle, holdingAt('debrief'), 'the debrief');
    const T = Date.parse(atDebrief.goLive);
    // A webhook failure burst in the watch's second hour, so its chart has something to show.
    await stack.admin('inject/webhook-failures', 'POST', {
      count: 5,
      succeeded: 20,
      at: new Date(T + 3 * HOUR + 32 * 60_000).toISOString(),
    });
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-forward', by: 'lara', reason: 'all green' }] });
    final = await handle.result();
    html = await renderLaunchReportHtml(final, new Date(), artifactsDir);
    browser = await launchBrowser();
  });

  after(async () => {
    silent.close();
    await browser?.close();
    await rm(artifactsDir, { recursive: true, force: true });
  });

  it('completes although three dashboards did not load, naming each with the reason', () => {
    assert.equal(final.phase, 'completed');
    const shots = final.dashboardShots ?? [];
    assert.deepEqual(
      shots.map((s) => [s.moment, s.title]),
      ['debrief', 'watch-end'].flatMap((moment) =>
        ['Simulator overview', 'Broken board', 'Unreachable board', 'Silent board'].map((title) => [moment, title]),
      ),
    );
    for (const shot of shots.filter((s) => s.title === 'Broken board')) assert.match(shot.failed ?? '', /^HTTP 503/);
    for (const shot of shots.filter((s) => s.title === 'Unreachable board')) assert.match(shot.failed ?? '', /ERR_CONNECTION_REFUSED/);
    for (const shot of shots.filter((s) => s.title === 'Silent board')) assert.match(shot.failed ?? '', /Timeout 15000ms exceeded/);
  });

  it('records only a path and a digest for each screenshot, and the image is where the path says', async () => {
    const taken = (final.dashboardShots ?? []).filter((s) => s.title === 'Simulator overview');
    assert.equal(taken.length, 2);
    for (const shot of taken) {
      assert.equal(shot.failed, undefined);
      assert.ok(shot.path && !shot.path.startsWith('/'), `a relative path: ${shot.path}`);
      const bytes = await readFile(join(artifactsDir, shot.path));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), shot.sha256);
    }
    assert.ok(!JSON.stringify(final).includes('iVBORw0KGgo'), 'no PNG bytes in the workflow state');
    assert.equal((await readdir(join(artifactsDir, final.workflowId))).length, 2);
  });

  it('opens offline with every section, the outcome first', async () => {
    assert.ok(browser);
    const file = join(artifactsDir, 'launch-report.html');
    await writeFile(file, html);
    const requests: string[] = [];
    browser.page.on('request', (request) => requests.push(request.url()));
    await browser.page.goto(pathToFileURL(file).href);
    const ids = await browser.page.$$eval('section[id]', (sections) => sections.map((s) => s.id));
    // The watch starts at T by default, so the debrief held with a data pack, which the report shows.
    assert.deepEqual(ids, [
      'outcome',
      'timeline',
      'approvals',
      'smoke-tests',
      'debrief',
      'watch',
      'incidents',
      'fees',
      'dashboards',
      'checklist',
    ]);
    assert.match(await browser.page.locator('#outcome').innerText(), /completed/i);
    assert.match(await browser.page.locator('#approvals').innerText(), /go-live.*approved.*lara/s);
    assert.match(await browser.page.locator('#smoke-tests').innerText(), /issueCard/);
    assert.match(await browser.page.locator('#fees').innerText(), /GBP/);
    assert.doesNotMatch(await browser.page.locator('#checklist').innerText(), /\{"/, 'no raw JSON in the checklist');
    assert.deepEqual(
      requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:')),
      [],
      'the report makes no request',
    );
    await browser.screenshot('launch-report-html');
  });

  it('draws the timeline as lanes and the watch as charts', async () => {
    assert.ok(browser);
    const page = browser.page;
    const lanes = await page.locator('#timeline svg text.lane').count();
    assert.equal(lanes, final.stages.length, 'a lane per stage');
    assert.ok((await page.locator('#timeline svg [data-kind="actual"]').count()) >= final.stages.filter((s) => s.startedAt).length);
    assert.equal(await page.locator('#timeline svg [data-kind="planned"]').count(), final.stages.length);
    const box = await page.locator('#timeline svg').boundingBox();
    assert.ok(box && box.width > 300 && box.height > 100, `the timeline is drawn: ${JSON.stringify(box)}`);
    const charts = page.locator('#watch figure.chart svg');
    assert.equal(await charts.count(), 4, 'authorizations, webhook failure rate, balances, 429s');
    for (const name of ['approved', 'declined', 'failed deliveries', '429s']) {
      assert.equal(await page.locator(`#watch polyline[data-series="${name}"]`).count(), 1, name);
    }
    assert.equal((await page.locator('#watch line.threshold').count()) >= 1, true, 'the webhook failure limit is drawn');
    const peak = await page.locator('#watch polyline[data-series="failed deliveries"]').getAttribute('points');
    assert.ok(peak && new Set(peak.split(' ').map((p) => p.split(',')[1])).size > 1, `the failure burst shows on the rate chart: ${peak}`);
    assert.ok((await page.locator('#incidents svg [data-kind="alert"]').count()) >= 1, 'the alert is on the incident axis');
  });

  it('embeds the dashboard screenshots and names the dashboards that did not load', async () => {
    assert.ok(browser);
    const page = browser.page;
    const images = page.locator('#dashboards figure.shot img');
    assert.equal(await images.count(), 2);
    const widths = await images.evaluateAll((imgs) => imgs.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
    assert.ok(
      widths.every((w) => w > 100),
      `the images decode: ${widths.join(', ')}`,
    );
    const failed = await page.locator('#dashboards .shot-failed').allInnerTexts();
    assert.equal(failed.length, 6);
    assert.ok(failed.filter((t) => t.startsWith('Broken board') && /HTTP 503/.test(t)).length === 2, failed.join('\n'));
    assert.ok(failed.filter((t) => t.startsWith('Unreachable board') && /ERR_CONNECTION_REFUSED/.test(t)).length === 2, failed.join('\n'));
  });

  it('prints to a PDF that pdftoppm opens', async () => {
    const pdf = await printHtmlToPdf(html);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const file = join(artifactsDir, 'launch-report.pdf');
    await writeFile(file, pdf);
    await run(pdftoppm, ['-png', '-r', '40', '-f', '1', '-l', '1', file, join(artifactsDir, 'page')]);
    const pages = (await readdir(artifactsDir)).filter((name) => name.startsWith('page') && name.endsWith('.png'));
    assert.equal(pages.length, 1, pages.join(', '));
    assert.ok((await stat(join(artifactsDir, pages[0] ?? ''))).size > 1_000);
  });
});
