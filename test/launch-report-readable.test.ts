/**
 * The launch report people read: evidence as labelled fields in the Markdown, and the self-contained HTML
 * rendered from a fixed status (sections, thresholds, evidence lists, screenshots, inert text). The browser
 * suite, `launch-report-html.test.ts`, opens the HTML of a real run.
 */
import assert from 'node:assert/strict';
import { buildLaunchReport, renderLaunchReportMarkdown } from '../src/client/format/launch-report.js';
import { launchReportHtml } from '../src/client/format/launch-report/html.js';
import type { CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import type { WatchSummary } from '../src/workflows/watch-protocol.js';
import { sectionOf } from './helpers/markdown-sections.js';
import { unescapeMarkdown } from './helpers/markdown-source.js';

const GO_LIVE = '2026-12-01T09:00:00.000Z';
const GENERATED_AT = new Date('2026-12-03T22:00:00.000Z');
const HOUR = 3_600_000;
const at = (offsetMs: number) => new Date(Date.parse(GO_LIVE) + offsetMs).toISOString();

function stage(id: StageState['id'], offsetMs: number, change: Partial<StageState> = {}): StageState {
  return {
    id,
    title: `Title of ${id}`,
    owner: 'lead',
    offset: offsetMs === 0 ? 'T' : `T${offsetMs > 0 ? '+' : ''}${offsetMs / HOUR}h`,
    status: 'passed',
    plannedAt: at(offsetMs),
    dueAt: at(offsetMs),
    startedAt: at(offsetMs),
    finishedAt: at(offsetMs + 60_000),
    attempts: 1,
    problems: [],
    approvals: [],
    evidence: {},
    ...change,
  };
}

function summary(period: number, failed: number): WatchSummary {
  return {
    period,
    fromPlan: at((period + 1) * HOUR),
    toPlan: at((period + 2) * HOUR),
    totals: {
      authorizations: { approved: 940, declined: 60 },
      settlements: { count: 310, amount: 1_250_000 },
      refunds: { count: 4, amount: 8_000 },
      fees: { amount: 1_200, currency: 'GBP' },
      webhooks: { succeeded: 1_500, failed },
      rateLimited: 2,
    },
    lowestBalances: { acc_gbp: { currency: 'GBP', available: 40_000 + period * 100_000 } },
    openAlerts: [],
    requestIds: [],
  };
}

/** A rolled-forward, watched cutover with a check's nested evidence, the plan's thresholds and the dashboards' screenshots. */
function readableStatus(): CutoverStatus {
  return {
    workflowId: 'cutover-acme-prepaid-uk-202612010900',
    programme: 'Acme Prepaid UK',
    phase: 'completed',
    goLive: GO_LIVE,
    timeScale: 1,
    startedBy: 'lara',
    startedAt: at(-25 * HOUR),
    finishedAt: at(60 * HOUR),
    stages: [
      stage('config-diff', -24 * HOUR, { owner: 'ops' }),
      stage('go-live', 0, {
        attempts: 2,
        approvals: [
          { by: 'erin', role: 'engineering', attempt: 1, decision: 'rejected', at: at(10 * 60_000), note: 'ledger entry missing' },
          {
            by: 'lara',
            role: 'lead',
            attempt: 2,
            decision: 'approved',
            at: at(35 * 60_000),
            note: 'all green',
            authorizationId: 'auth_8812',
          },
        ],
      }),
      stage('debrief', 2 * HOUR, {
        approvals: [{ by: 'lara', role: 'lead', attempt: 1, decision: 'roll-forward', at: at(2 * HOUR + 60_000), note: 'metrics green' }],
      }),
    ],
    checklist: [
      {
        id: 'bin-configuration',
        section: '3 Data',
        title: 'BIN catalogue matches',
        owner: 'ops',
        kind: 'automated',
        optional: false,
        status: 'done',
        attempts: 1,
        problems: [],
        completedBy: 'automated check',
        at: at(-20 * HOUR),
        evidence: {
          requestIds: { sandbox: 'req_bins_sb', production: 'req_bins_pr' },
          bins: [
            { bin: '400000', currency: 'GBP' },
            { bin: '400001', currency: 'EUR' },
          ],
          matches: true,
        },
      },
    ],
    refusals: [],
    escalations: [],
    incidents: [{ at: at(3 * HOUR), severity: 'sev3', summary: 'decline rate up 2%, watching', by: 'olivia' }],
    compensations: [],
    reminders: [],
    decision: { decision: 'roll-forward', by: 'lara', reason: 'metrics green', at: at(2 * HOUR + 60_000) },
    watch: {
      workflowId: 'cutover-acme-prepaid-uk-202612010900.watch',
      status: 'completed',
      startedAt: at(2 * HOUR + 61_000),
      startedPlanAt: at(2 * HOUR + 61_000),
      endsPlanAt: at(5 * HOUR),
      endsAt: at(5 * HOUR),
      decisions: [],
      alerts: [
        {
          id: 'webhook-failure-rate',
          rule: 'webhook-failure-rate',
          severity: 'sev2',
          openedAt: at(3 * HOUR + 5 * 60_000),
          openedPlanAt: at(3 * HOUR + 5 * 60_000),
          opened: 'webhook failure rate 3.00% in 5m; the limit is 1.00%',
          recoveredAt: at(3 * HOUR + 10 * 60_000),
          recoveredPlanAt: at(3 * HOUR + 10 * 60_000),
          recovered: 'webhook failure rate 0.00% in 5m',
        },
      ],
      summaries: [summary(1, 3), summary(2, 60), summary(3, 0)],
      reads: 36,
      runs: 1,
      finishedAt: at(5 * HOUR + 5_000),
    },
    dashboards: [
      { title: 'PayCA launch', url: 'https://grafana.acme.example/d/payca-launch' },
      { title: 'Webhook deliveries', url: 'https://grafana.acme.example/d/payca-webhooks' },
    ],
    alertRules: {
      webhookFailureRate: 0.01,
      lowBalance: { GBP: 100_000 },
      rateLimited: { limit: 20, baselineFactor: 3 },
      declineRate: { margin: 0.1, minAuthorizations: 20 },
    },
    dashboardShots: [
      {
        title: 'PayCA launch',
        url: 'https://grafana.acme.example/d/payca-launch',
        moment: 'debrief',
        at: '2026-12-01T11:00:05.000Z',
        path: 'cutover/debrief-1.png',
        sha256: 'ab'.repeat(32),
      },
      {
        title: 'Webhook deliveries',
        url: 'https://grafana.acme.example/d/payca-webhooks',
        moment: 'debrief',
        at: '2026-12-01T11:00:06.000Z',
        failed: 'net::ERR_NAME_NOT_RESOLVED at https://grafana.acme.example/d/payca-webhooks',
      },
    ],
  };
}

describe('the launch report people read', () => {
  it("writes a check's nested evidence in the Markdown checklist as labelled fields, not JSON", () => {
    const checklist = sectionOf(renderLaunchReportMarkdown(readableStatus(), GENERATED_AT), 'Launch checklist');
    const row = checklist.split('\n').find((line) => line.includes('`bin-configuration`'));
    assert.ok(row, checklist);
    assert.ok(
      unescapeMarkdown(row).includes(
        'request ids › sandbox: req_bins_sb; request ids › production: req_bins_pr; bins 1 › bin: 400000; bins 1 › currency: GBP',
      ),
      row,
    );
    assert.ok(!row.includes('{'), `no JSON in the cell: ${row}`);
  });

  it('lists each dashboard screenshot in the Markdown with its path, or why there is none', () => {
    const dashboards = unescapeMarkdown(sectionOf(renderLaunchReportMarkdown(readableStatus(), GENERATED_AT), 'Dashboards'));
    assert.match(dashboards, /\| PayCA launch \| debrief \| 2026-12-01 11:00:05Z \| `cutover\/debrief-1\.png` sha256 `abababababab` \|/);
    assert.match(
      dashboards,
      /\| Webhook deliveries \| debrief \| .* \| not loaded: net::ERR_NAME_NOT_RESOLVED at https:\/\/grafana\.acme\.example\/d\/payca-webhooks \|/,
    );
  });

  describe('as HTML', () => {
    const html = launchReportHtml(buildLaunchReport(readableStatus(), GENERATED_AT), {
      'cutover/debrief-1.png': 'data:image/png;base64,iVBORw0KGgo=',
    });

    it('is one self-contained file: inline style, no script, nothing fetched', () => {
      assert.match(html, /^<!doctype html>/);
      assert.match(
        html,
        /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">/,
      );
      assert.doesNotMatch(html, /<script|<link |src="http/);
    });

    it('puts the outcome first, then the timeline, approvals, smoke tests, watch, incidents, fees, dashboards and checklist', () => {
      const ids = [...html.matchAll(/<section id="([a-z-]+)"/g)].map((m) => m[1]);
      assert.deepEqual(ids, ['outcome', 'timeline', 'approvals', 'smoke-tests', 'watch', 'incidents', 'fees', 'dashboards', 'checklist']);
    });

    it('says how each approval was authenticated', () => {
      const row = html.split('<tr>').find((r) => r.includes('<td>lara (Programme lead)</td>') && r.includes('<code>auth_8812</code>'));
      assert.ok(row, "the lead's go-live approval has a row");
      assert.match(row, /<td><code>go-live<\/code><\/td><td>2<\/td><td>approved<\/td>.*<td>name only<\/td><\/tr>/);
    });

    it("draws the plan's thresholds on the webhook failure rate and balance charts", () => {
      assert.equal(html.match(/<figure class="chart">/g)?.length, 4);
      assert.match(html, /data-threshold="alert above 1%"/);
      assert.match(html, /data-threshold="GBP minimum 100000"/);
    });

    it("shows a check's evidence as a definition list", () => {
      assert.match(html, /<dl><dt>request ids › sandbox<\/dt><dd>req_bins_sb<\/dd>/);
      assert.doesNotMatch(html, /\{&quot;|\{"/);
    });

    it('embeds the screenshot it has and names the dashboard that did not load', () => {
      assert.match(html, /<img alt="PayCA launch at debrief" src="data:image\/png;base64,iVBORw0KGgo=">/);
      assert.match(
        html,
        /<p class="failed shot-failed">Webhook deliveries, at the debrief, 2026-12-01 11:00:06Z: no screenshot: net::ERR_NAME_NOT_RESOLVED/,
      );
    });

    it("writes people's text as inert text", () => {
      const hostile = readableStatus();
      const text = '<script>alert(1)</script><img src=x onerror=alert(1)>';
      hostile.programme = text;
      hostile.incidents = hostile.incidents.map((i) => ({ ...i, summary: text }));
      hostile.checklist = hostile.checklist.map((item) => ({ ...item, evidence: { note: text } }));
      const page = launchReportHtml(buildLaunchReport(hostile, GENERATED_AT));
      assert.doesNotMatch(page, /<script|<img src=x/);
      assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    });
  });
});
