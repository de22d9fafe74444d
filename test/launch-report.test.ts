import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildLaunchReport,
  delayText,
  launchReportMarkdown,
  renderLaunchReportJson,
  renderLaunchReportMarkdown,
  type LaunchReport,
} from '../src/client/format/launch-report.js';
import { renderChecklistDocument } from '../src/client/format/checklist-document.js';
import { renderStatus } from '../src/client/format/status.js';
import type { ChecklistItemState, CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import type { WatchSummary } from '../src/workflows/watch-protocol.js';
import { markdownInline } from '../src/workflows/markdown-text.js';
import { sectionOf } from './helpers/markdown-sections.js';
import { itRefusesUsage, runCli } from './helpers/cli.js';
import { useCliStack } from './helpers/cli-stack.js';
import { waitForStatus } from './helpers/wait-for-status.js';
import { tableCells, unescapeMarkdown } from './helpers/markdown-source.js';

const GO_LIVE = '2026-12-01T09:00:00.000Z';
const GENERATED_AT = new Date('2026-12-01T12:00:00.000Z');

/** A stage as a status holds it; its evidence may take any shape a worker, old or new, recorded. */
function stage(
  id: StageState['id'],
  offset: string,
  owner: StageState['owner'],
  plannedAt: string,
  change: Omit<Partial<StageState>, 'evidence'> & { evidence?: object } = {},
): StageState {
  return {
    id,
    title: `Title of ${id}`,
    owner,
    offset,
    status: 'passed',
    plannedAt,
    dueAt: plannedAt,
    startedAt: plannedAt,
    finishedAt: new Date(Date.parse(plannedAt) + 30_000).toISOString(),
    attempts: 1,
    problems: [],
    approvals: [],
    evidence: {},
    ...change,
  };
}

/**
 * A cutover that went live on its second go-live attempt: Engineering rejected the first, the lead gave the
 * manual authorization id, someone outside the gate was refused, the debrief gate was escalated, and the
 * lead rolled forward.
 */
function completedStatus(): CutoverStatus {
  return {
    workflowId: 'cutover-acme-prepaid-uk-202612010900',
    programme: 'Acme Prepaid UK',
    phase: 'completed',
    goLive: GO_LIVE,
    timeScale: 1,
    startedBy: 'lara',
    startedAt: '2026-11-29T09:00:00.000Z',
    finishedAt: '2026-12-01T11:20:00.000Z',
    stages: [
      stage('config-diff', 'T-24h', 'ops', '2026-11-30T09:00:00.000Z', {
        evidence: { requestIds: { sandbox: 'req_sb_1', production: 'req_pr_1' } },
      }),
      stage('funding-check', 'T-12h', 'treasury', '2026-11-30T21:00:00.000Z', {
        startedAt: '2026-11-30T21:04:12.000Z',
        finishedAt: '2026-11-30T21:05:00.000Z',
        problems: ['GBP master account | 2,000 below the prefund minimum'],
      }),
      stage('disable-sandbox-jobs', 'T-2h', 'engineering', '2026-12-01T07:00:00.000Z'),
      stage('webhook-smoke-test', 'T-1h', 'engineering', '2026-12-01T08:00:00.000Z'),
      stage('go-live', 'T', 'lead', GO_LIVE, {
        attempts: 2,
        finishedAt: '2026-12-01T09:40:00.000Z',
        approvals: [
          {
            by: 'erin',
            role: 'engineering',
            attempt: 1,
            decision: 'rejected',
            at: '2026-12-01T09:10:00.000Z',
            note: 'ledger entry missing',
          },
          {
            by: 'lara',
            role: 'lead',
            attempt: 2,
            decision: 'approved',
            at: '2026-12-01T09:35:00.000Z',
            note: 'all green',
            authorizationId: 'auth_8812',
          },
          { by: 'erin', role: 'engineering', attempt: 2, decision: 'approved', at: '2026-12-01T09:38:00.000Z' },
        ],
        evidence: {
          changeWindowOpenedAt: GO_LIVE,
          smokeTests: {
            health: { status: 'ok', environment: 'production', requestId: 'req_health_2' },
            accounts: { accounts: [{ id: 'acc_gbp', currency: 'GBP', available: 500000, status: 'active' }], requestId: 'req_accounts_2' },
            issueCard: {
              cardId: 'card_42',
              last4: '4242',
              status: 'active',
              externalRef: 'x-smoke-2',
              requestId: 'req_issue_2',
              replayed: false,
            },
            topUp: {
              transactionId: 'txn_7',
              ledgerEntryId: 'le_7',
              cardBalance: 1000,
              requestId: 'req_topup_2',
              replayed: false,
              startedAt: GO_LIVE,
            },
            ledger: { ledgerEntryId: 'le_7', entries: 1, requestId: 'req_ledger_2' },
            topUpWebhook: {
              deliveryId: 'dlv_3',
              eventType: 'card.topup',
              status: 'succeeded',
              responseStatus: 200,
              attempts: 1,
              requestId: 'req_dlv_2',
            },
            closeCard: { cardId: 'card_42', status: 'closed', requestId: 'req_close_2' },
          },
          manualAuthorization: { authorizationId: 'auth_8812', confirmedBy: 'lara', at: '2026-12-01T09:35:00.000Z' },
        },
      }),
      stage('debrief', 'T+2h', 'lead', '2026-12-01T11:00:00.000Z', {
        finishedAt: '2026-12-01T11:20:00.000Z',
        approvals: [
          { by: 'lara', role: 'lead', attempt: 1, decision: 'roll-forward', at: '2026-12-01T11:19:00.000Z', note: 'metrics green' },
        ],
      }),
    ],
    checklist: [
      {
        id: 'secrets-in-vault',
        section: '1 Credentials & Access',
        title: 'Store secrets in vault/KMS',
        owner: 'engineering',
        kind: 'attested',
        optional: false,
        status: 'done',
        attempts: 0,
        problems: [],
        evidence: 'SEC-412',
        completedBy: 'erin',
        at: '2026-11-30T10:00:00.000Z',
      },
    ],
    refusals: [
      {
        kind: 'approve',
        via: 'signal',
        by: 'olivia',
        stage: 'go-live',
        reason: 'Ops is not awaited at go-live',
        at: '2026-12-01T09:36:00.000Z',
      },
    ],
    escalations: [{ stage: 'debrief', at: '2026-12-01T11:15:00.000Z', to: ['oncall@acme.example'], waitingFor: ['lead'] }],
    incidents: [{ at: '2026-12-01T10:05:00.000Z', severity: 'sev3', summary: 'decline rate up 2% | watching', by: 'olivia' }],
    compensations: [],
    reminders: [],
    dashboards: [],
    decision: { decision: 'roll-forward', by: 'lara', reason: 'metrics green', at: '2026-12-01T11:19:00.000Z' },
  };
}

/** The same cutover, rolled back at the debrief: the test card removal failed, the jobs came back. */
function rolledBackStatus(): CutoverStatus {
  const status = completedStatus();
  status.phase = 'rolled-back';
  status.decision = { decision: 'roll-back', by: 'lara', reason: 'decline rate doubled', at: '2026-12-01T11:19:00.000Z' };
  status.compensations = [
    {
      step: 'remove-webhook-subscription',
      status: 'failed',
      at: '2026-12-01T11:19:30.000Z',
      detail: 'PayCA answered 503 (request req_rm_1)',
    },
    { step: 'restore-sandbox-jobs', status: 'done', at: '2026-12-01T11:19:40.000Z', detail: 'resumed nightly-settlement' },
  ];
  return status;
}

const HOUR = 3_600_000;

function postLaunchItem(
  id: string,
  owner: ChecklistItemState['owner'],
  kind: ChecklistItemState['kind'],
  dueAt: string,
  change: Partial<ChecklistItemState> = {},
): ChecklistItemState {
  return {
    id,
    section: '9 Post-Launch',
    title: `Title of ${id}`,
    owner,
    kind,
    optional: false,
    status: 'open',
    attempts: 0,
    problems: [],
    postLaunch: { dueAt },
    ...change,
  };
}

function summary(period: number, fromPlan: string, change: Partial<WatchSummary['totals']> = {}, openAlerts: string[] = []): WatchSummary {
  return {
    period,
    fromPlan,
    toPlan: new Date(Date.parse(fromPlan) + HOUR).toISOString(),
    totals: {
      authorizations: { approved: 940, declined: 60 },
      settlements: { count: 310, amount: 1_250_000 },
      refunds: { count: 4, amount: 8_000 },
      fees: { amount: 1_200, currency: 'GBP' },
      webhooks: { succeeded: 1_500, failed: 3 },
      rateLimited: 2,
      ...change,
    },
    lowestBalances: { acc_gbp: { currency: 'GBP', available: 40_000 } },
    openAlerts,
    requestIds: [`req_metrics_${period}a`, `req_metrics_${period}z`],
  };
}

/**
 * The completed cutover after its post-launch work: the watch ran 48 h plus a 12 h extension, one low-balance
 * alert opened and recovered, the day-1 statement billed 150 more than the metrics and Finance accepted it,
 * the retro went overdue before the lead scheduled it.
 */
function watchedStatus(): CutoverStatus {
  const status = completedStatus();
  status.finishedAt = '2026-12-08T09:05:00.000Z';
  status.stages.push(
    stage('fee-reconciliation', 'T+24h', 'finance', '2026-12-02T09:00:00.000Z', {
      finishedAt: '2026-12-02T09:40:00.000Z',
      problems: ["day-1 fees do not reconcile: the 2026-12-01 statement bills 1350 GBP but PayCA's metrics count 1200"],
      approvals: [
        {
          by: 'fiona',
          role: 'finance',
          attempt: 1,
          decision: 'approved',
          at: '2026-12-02T09:38:00.000Z',
          note: 'PayCA credit note CN-77 covers the 150',
        },
      ],
      evidence: {
        feeReconciliation: {
          date: '2026-12-01',
          currency: 'GBP',
          metricsFees: 1_200,
          statementFees: 1_350,
          statementByType: { card_issuance: 300, authorization: 900, topup: 150 },
          difference: 150,
          tolerance: 50,
          matches: false,
          requestIds: { metrics: 'req_fee_metrics', statement: 'req_fee_statement' },
        },
      },
    }),
  );
  status.watch = {
    workflowId: 'cutover-acme-prepaid-uk-202612010900.watch',
    status: 'completed',
    startedAt: '2026-12-01T11:19:01.000Z',
    startedPlanAt: '2026-12-01T11:19:00.000Z',
    endsPlanAt: '2026-12-03T21:00:00.000Z',
    endsAt: '2026-12-03T21:00:00.000Z',
    decisions: [
      { kind: 'extend', by: 'lara', reason: 'low balance recovered late', extendByMs: 12 * HOUR, at: '2026-12-01T13:30:00.000Z' },
    ],
    alerts: [
      {
        id: 'low-balance:acc_gbp',
        rule: 'low-balance',
        severity: 'sev2',
        openedAt: '2026-12-01T12:05:02.000Z',
        openedPlanAt: '2026-12-01T12:05:00.000Z',
        opened: 'acc_gbp available 40000 GBP is below the minimum 100000',
        recoveredAt: '2026-12-01T13:10:02.000Z',
        recoveredPlanAt: '2026-12-01T13:10:00.000Z',
        recovered: 'acc_gbp available 250000 GBP',
      },
    ],
    summaries: [
      summary(1, '2026-12-01T11:19:00.000Z', {}, ['low-balance:acc_gbp']),
      summary(2, '2026-12-01T12:19:00.000Z', { rateLimited: 0 }),
    ],
    reads: 708,
    runs: 10,
    finishedAt: '2026-12-03T21:00:05.000Z',
  };
  status.incidents.push(
    {
      at: '2026-12-01T12:05:02.000Z',
      severity: 'sev2',
      summary: 'alert low-balance: acc_gbp available 40000 GBP is below the minimum 100000',
      by: 'post-launch watch',
      source: 'alert',
    },
    {
      at: '2026-12-01T13:10:02.000Z',
      severity: 'sev2',
      summary: 'recovered: acc_gbp available 250000 GBP',
      by: 'post-launch watch',
      source: 'alert',
    },
  );
  status.reminders = [
    { item: 'support-ticket-review', kind: 'reminder', at: '2026-12-02T09:00:00.000Z', to: ['carlos'] },
    { item: 'retro-scheduled', kind: 'reminder', at: '2026-12-07T09:00:00.000Z', to: ['lara'] },
    { item: 'retro-scheduled', kind: 'overdue', at: '2026-12-08T09:00:00.000Z', to: ['lara'] },
  ];
  status.dashboards = [
    { title: 'PayCA launch', url: 'https://grafana.acme.example/d/payca-launch' },
    { title: 'Webhook deliveries', url: 'https://grafana.acme.example/d/payca-webhooks' },
  ];
  status.checklist.push(
    postLaunchItem('hourly-metrics-review', 'analytics', 'automated', '2026-12-03T09:00:00.000Z', {
      status: 'done',
      completedBy: 'post-launch watch',
      at: '2026-12-03T21:00:05.000Z',
      evidence: { watch: 'completed', reads: 708, summaries: 2, alerts: 1, stillOpen: [] },
    }),
    postLaunchItem('day1-fee-reconciliation', 'finance', 'automated', '2026-12-02T09:00:00.000Z', {
      status: 'done',
      completedBy: 'fiona',
      at: '2026-12-02T09:40:00.000Z',
    }),
    postLaunchItem('support-ticket-review', 'cx', 'attested', '2026-12-03T09:00:00.000Z', {
      status: 'done',
      completedBy: 'carlos',
      evidence: 'Zendesk view 88: 14 tickets, no pattern',
      at: '2026-12-02T16:00:00.000Z',
      postLaunch: { dueAt: '2026-12-03T09:00:00.000Z', remindedAt: '2026-12-02T09:00:00.000Z' },
    }),
    postLaunchItem('retro-scheduled', 'lead', 'attested', '2026-12-08T09:00:00.000Z', {
      status: 'done',
      completedBy: 'lara',
      evidence: 'retro booked for 2026-12-09, CAL-5',
      at: '2026-12-08T09:04:00.000Z',
      postLaunch: { dueAt: '2026-12-08T09:00:00.000Z', remindedAt: '2026-12-07T09:00:00.000Z', overdueAt: '2026-12-08T09:00:00.000Z' },
    }),
  );
  return status;
}

/** The rolled-back cutover as the workflow leaves it: the post-launch stage skipped, its items never opened. */
function rolledBackWithPostLaunchStatus(): CutoverStatus {
  const status = rolledBackStatus();
  status.stages.push(
    stage('fee-reconciliation', 'T+24h', 'finance', '2026-12-02T09:00:00.000Z', {
      status: 'skipped',
      startedAt: undefined,
      finishedAt: undefined,
      attempts: 0,
    }),
  );
  status.checklist.push(postLaunchItem('support-ticket-review', 'cx', 'attested', '2026-12-03T09:00:00.000Z'));
  return status;
}

describe('launch report formatting', () => {
  describe('a completed cutover', () => {
    const report = buildLaunchReport(completedStatus(), GENERATED_AT);
    const document = renderLaunchReportMarkdown(completedStatus(), GENERATED_AT);

    it('is one JSON model that the Markdown is rendered from', () => {
      assert.deepEqual(JSON.parse(renderLaunchReportJson(completedStatus(), GENERATED_AT)), report);
      assert.equal(launchReportMarkdown(JSON.parse(JSON.stringify(report)) as LaunchReport), document);
      assert.equal(
        renderLaunchReportMarkdown(completedStatus(), GENERATED_AT),
        document,
        'the same status and time give the same document',
      );
    });

    it('has the header fields and the outcome in the model', () => {
      assert.equal(report.generatedAt, GENERATED_AT.toISOString());
      assert.equal(report.workflowId, 'cutover-acme-prepaid-uk-202612010900');
      assert.equal(report.programme, 'Acme Prepaid UK');
      assert.equal(report.goLive, GO_LIVE);
      assert.equal(report.timeScale, 1);
      assert.equal(report.phase, 'completed');
      assert.equal(report.outcome.state, 'completed');
      assert.equal(report.outcome.finishedAt, '2026-12-01T11:20:00.000Z');
      assert.deepEqual(report.decision, completedStatus().decision);
      assert.equal(report.abort, null);
      assert.deepEqual(report.incidents, completedStatus().incidents, 'the incidents people reported, as recorded');
    });

    it('lists the timeline with planned, due and actual times, the delay and the attempts', () => {
      assert.deepEqual(
        report.timeline.map((t) => t.stage),
        ['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test', 'go-live', 'debrief'],
      );
      const funding = report.timeline[1];
      assert.deepEqual(funding, {
        stage: 'funding-check',
        title: 'Title of funding-check',
        offset: 'T-12h',
        owner: 'treasury',
        planned: '2026-11-30T21:00:00.000Z',
        due: '2026-11-30T21:00:00.000Z',
        started: '2026-11-30T21:04:12.000Z',
        finished: '2026-11-30T21:05:00.000Z',
        delayMs: 252_000,
        status: 'passed',
        attempts: 1,
        problems: ['GBP master account | 2,000 below the prefund minimum'],
      });
      assert.equal(report.timeline[4]?.attempts, 2);
      const timeline = sectionOf(document, 'Timeline');
      assert.match(
        timeline,
        /\| stage \| at \| owner \| planned \| due \| started \| finished \| delay \| status \| attempts \| problems \|/,
      );
      assert.match(
        timeline,
        /\| Title of funding-check<br>`funding-check` \| T-12h \| Treasury \| 2026-11-30 21:00:00Z \| 2026-11-30 21:00:00Z \| 2026-11-30 21:04:12Z \| 2026-11-30 21:05:00Z \| \+4m12s late \| passed \| 1 \| GBP master account \\\| 2,000 below the prefund minimum \|/,
      );
      assert.match(timeline, /`go-live` \| T \| Programme lead \| .* \| on time \| passed \| 2 \| - \|/);
    });

    it('keeps every approval, rejection and decision with who, when, why and the authorization id', () => {
      assert.deepEqual(
        report.approvals.map((a) => [a.stage, a.attempt, a.decision, a.by, a.authorizationId]),
        [
          ['go-live', 1, 'rejected', 'erin', null],
          ['go-live', 2, 'approved', 'lara', 'auth_8812'],
          ['go-live', 2, 'approved', 'erin', null],
          ['debrief', 1, 'roll-forward', 'lara', null],
        ],
      );
      const approvals = sectionOf(document, 'Approvals and decisions');
      assert.match(
        approvals,
        /\| `go-live` \| 1 \| rejected \| erin \| Engineering \| 2026-12-01 09:10:00Z \| ledger entry missing \| - \|/,
      );
      assert.match(
        approvals,
        /\| `go-live` \| 2 \| approved \| lara \| Programme lead \| 2026-12-01 09:35:00Z \| all green \| `auth_8812` \|/,
      );
      assert.match(approvals, /\*\*Decision:\*\* roll-forward by lara at 2026-12-01 11:19:00Z: metrics green/);
    });

    it('shows the go-live smoke tests with each PayCA request id, and the manual authorization', () => {
      assert.deepEqual(
        report.smokeTests.map((s) => [s.step, s.requestId]),
        [
          ['health', 'req_health_2'],
          ['accounts', 'req_accounts_2'],
          ['issueCard', 'req_issue_2'],
          ['topUp', 'req_topup_2'],
          ['ledger', 'req_ledger_2'],
          ['topUpWebhook', 'req_dlv_2'],
          ['closeCard', 'req_close_2'],
          ['manualAuthorization', null],
        ],
      );
      const smoke = sectionOf(document, 'Smoke-test evidence');
      assert.match(smoke, /\| `issueCard` \| `req_issue_2` \| test card card_42 \(last4 4242\) active \|/);
      assert.match(smoke, /\| `topUpWebhook` \| `req_dlv_2` \| card\.topup delivery dlv_3 succeeded, HTTP 200 after 1 attempt\(s\) \|/);
      assert.match(smoke, /\| `manualAuthorization` \| - \| real low-risk authorization auth_8812 confirmed by lara/);
    });

    it('embeds the checklist document under its own heading', () => {
      assert.deepEqual(report.checklist, completedStatus().checklist);
      const checklist = sectionOf(document, 'Launch checklist');
      assert.match(checklist, /### Open required items\n\nAll 1 required items are done or waived\./);
      assert.match(checklist, /### 1 Credentials &amp; Access\n\n\| item \| owner \|/);
      assert.match(checklist, /\| Store secrets in vault\/KMS<br>`secrets-in-vault` \| Engineering \| attested \| done \| erin \|/);
      assert.doesNotMatch(document, /# Launch checklist:/, 'not the standalone title');
    });

    it('lists escalations, refused messages and compensations', () => {
      assert.match(
        sectionOf(document, 'Escalations'),
        /\| 2026-12-01 11:15:00Z \| `debrief` \| oncall\\@acme\.example \| Programme lead \|/,
      );
      assert.match(
        sectionOf(document, 'Refused messages'),
        /\| 2026-12-01 09:36:00Z \| approve \| signal \| olivia \| `go-live` \| Ops is not awaited at go-live \|/,
      );
      assert.match(sectionOf(document, 'Compensations'), /\n\nNone\.\n?$/);
    });

    it('says when the plan lists no dashboards', () => {
      assert.deepEqual(report.dashboards, []);
      assert.match(sectionOf(document, 'Dashboards'), /\n\nNone listed in the plan \(`postLaunch\.dashboards`\)\.\n?$/);
    });

    it('merges the incidents in time order', () => {
      assert.deepEqual(
        report.incidentLog.map((i) => [i.at, i.kind, i.who]),
        [
          ['2026-12-01T09:10:00.000Z', 'rejection', 'erin'],
          ['2026-12-01T09:36:00.000Z', 'refusal', 'olivia'],
          ['2026-12-01T10:05:00.000Z', 'incident', 'olivia'],
          ['2026-12-01T11:15:00.000Z', 'escalation', 'oncall@acme.example'],
          ['2026-12-01T11:19:00.000Z', 'decision', 'lara'],
        ],
      );
      const log = sectionOf(document, 'Incident log')
        .split('\n')
        .filter((line) => line.startsWith('| 2026'));
      assert.deepEqual(log, [
        '| 2026-12-01 09:10:00Z | rejection | erin | rejected go-live (attempt 1) as Engineering: ledger entry missing |',
        '| 2026-12-01 09:36:00Z | refusal | olivia | approve go-live refused (via signal): Ops is not awaited at go-live |',
        '| 2026-12-01 10:05:00Z | incident | olivia | sev3: decline rate up 2% \\| watching |',
        '| 2026-12-01 11:15:00Z | escalation | oncall\\@acme.example | debrief escalated, waiting for Programme lead |',
        '| 2026-12-01 11:19:00Z | decision | lara | roll-forward: metrics green |',
      ]);
    });

    it('orders the sections as the runbook artifacts read', () => {
      const headings = document.split('\n').filter((line) => /^#{1,2} /.test(line));
      assert.deepEqual(headings, [
        '# Launch report: Acme Prepaid UK, go-live 2026-12-01 09:00:00Z',
        '## Timeline',
        '## Approvals and decisions',
        '## Smoke-test evidence',
        '## Launch checklist',
        '## Post-launch watch',
        '## Hourly summaries',
        '## Alerts',
        '## Day-1 fee reconciliation',
        '## Dashboards',
        '## Reminders',
        '## Escalations',
        '## Notifications not delivered',
        '## Refused messages',
        '## Compensations',
        '## Incident log',
        '## Final outcome',
      ]);
      assert.match(
        document,
        /\*\*Outcome:\*\* completed at 2026-12-01 11:20:00Z, roll-forward decided by lara at 2026-12-01 11:19:00Z: metrics green\n/,
      );
      assert.match(document, /Generated 2026-12-01 12:00:00Z\./);
    });
  });

  describe('a cutover that rolled forward and finished its post-launch work', () => {
    const generatedAt = new Date('2026-12-08T10:00:00.000Z');
    const report = buildLaunchReport(watchedStatus(), generatedAt);
    const document = launchReportMarkdown(report);

    it('has every post-launch section in the JSON model and renders the Markdown from it', () => {
      assert.deepEqual(JSON.parse(renderLaunchReportJson(watchedStatus(), generatedAt)), report);
      assert.equal(renderLaunchReportMarkdown(watchedStatus(), generatedAt), document);
      for (const key of [
        'watch',
        'summaries',
        'alerts',
        'feeReconciliation',
        'dashboards',
        'reminders',
        'incidentLog',
        'finalOutcome',
      ] as const) {
        assert.ok(key in report, `no ${key} in the model`);
      }
      const headings = document.split('\n').filter((line) => /^## /.test(line));
      for (const heading of [
        'Post-launch watch',
        'Hourly summaries',
        'Alerts',
        'Day-1 fee reconciliation',
        'Dashboards',
        'Reminders',
        'Incident log',
        'Final outcome',
      ]) {
        assert.ok(headings.includes(`## ${heading}`), `no ${heading} heading in\n${headings.join('\n')}`);
      }
    });

    it("describes the watch: window, start and end on both clocks, reads and runs, and the lead's extension", () => {
      assert.equal(report.watch.state, 'completed');
      assert.equal(report.watch.windowMs, Date.parse('2026-12-03T21:00:00.000Z') - Date.parse('2026-12-01T11:19:00.000Z'));
      assert.equal(report.watch.reads, 708);
      assert.equal(report.watch.runs, 10);
      assert.deepEqual(report.watch.decisions, watchedStatus().watch?.decisions);
      const watch = sectionOf(document, 'Post-launch watch');
      assert.match(
        watch,
        /The post-launch watch completed its window from T\+2h19m to T\+60h \(57h41m of plan time\): 708 metric reads, 2 summaries, 1 alert\(s\)\./,
      );
      assert.match(watch, /- Window: T\+2h19m to T\+60h on the plan's clock \(57h41m\)/);
      assert.match(watch, /- Started: 2026-12-01 11:19:00Z \(T\+2h19m\), wall 2026-12-01 11:19:01Z/);
      assert.match(watch, /- Ends: 2026-12-03 21:00:00Z \(T\+60h\)\n/);
      assert.match(watch, /- Reads and runs: 708 metric reads over 10 workflow run\(s\)/);
      assert.match(watch, /- Watch workflow: `cutover-acme-prepaid-uk-202612010900\.watch`/);
      assert.match(watch, /\| extend \| lara \| 2026-12-01 13:30:00Z \| 12h \| low balance recovered late \|/);
    });

    it('tabulates each hourly summary for Analytics', () => {
      assert.deepEqual(report.summaries, watchedStatus().watch?.summaries);
      const rows = sectionOf(document, 'Hourly summaries')
        .split('\n')
        .filter((line) => /^\| \d/.test(line));
      assert.deepEqual(rows, [
        '| 1 | 2026-12-01 11:19:00Z – 2026-12-01 12:19:00Z<br>T+2h19m–T+3h19m | 940 | 60 | 310 (1250000) | 4 (8000) | 1200 GBP | 1500 | 3 | 2 | `low-balance:acc_gbp` |',
        '| 2 | 2026-12-01 12:19:00Z – 2026-12-01 13:19:00Z<br>T+3h19m–T+4h19m | 940 | 60 | 310 (1250000) | 4 (8000) | 1200 GBP | 1500 | 3 | 0 | - |',
      ]);
      assert.match(
        sectionOf(document, 'Hourly summaries'),
        /\| period \| from–to \(plan time\) \| auths approved \| auths declined \| settlements \| refunds \| fees \| webhooks ok \| webhooks failed \| ErrRateLimited \| open alerts \|/,
      );
    });

    it('lists each alert with when it opened and recovered on both clocks, and what was seen', () => {
      assert.deepEqual(report.alerts, watchedStatus().watch?.alerts);
      assert.match(
        sectionOf(document, 'Alerts'),
        /\| `low-balance:acc_gbp` \| low-balance \| sev2 \| 2026-12-01 12:05:00Z \(T\+3h5m\)<br>wall 2026-12-01 12:05:02Z \| acc_gbp available 40000 GBP is below the minimum 100000 \| 2026-12-01 13:10:00Z \(T\+4h10m\)<br>wall 2026-12-01 13:10:02Z \| acc_gbp available 250000 GBP \|/,
      );
    });

    it('shows the fee reconciliation, statement against metrics, and who accepted the difference', () => {
      const fees = report.feeReconciliation;
      assert.equal(fees.state, 'accepted');
      assert.equal(fees.result?.currencies[0]?.difference, 150, 'evidence recorded for one currency still reads');
      assert.deepEqual(fees.result?.requestIds, { metrics: 'req_fee_metrics', statement: 'req_fee_statement' });
      assert.deepEqual(fees.acceptedBy, [{ by: 'fiona', at: '2026-12-02T09:38:00.000Z', note: 'PayCA credit note CN-77 covers the 150' }]);
      const section = sectionOf(document, 'Day-1 fee reconciliation');
      assert.match(section, /\| statement day \| currency \| statement fees \| metrics fees \| difference \| tolerance \| reconciles \|/);
      assert.match(section, /\| 2026-12-01 \| GBP \| 1350 \| 1200 \| \+150 \| 50 \| \*\*no\*\* \|/);
      assert.match(section, /\| GBP \| card_issuance \| 300 \|\n\| GBP \| authorization \| 900 \|\n\| GBP \| topup \| 150 \|/);
      assert.match(section, /PayCA request ids: metrics `req_fee_metrics`, statement `req_fee_statement`/);
      assert.match(
        section,
        /\*\*Accepted despite the difference\*\* by fiona at 2026-12-02 09:38:00Z: PayCA credit note CN-77 covers the 150\./,
      );
    });

    it('says plainly when day-1 fees reconcile', () => {
      const status = watchedStatus();
      const fee = status.stages.find((s) => s.id === 'fee-reconciliation');
      assert.ok(fee);
      Object.assign(fee.evidence.feeReconciliation as object, { statementFees: 1_200, difference: 0, matches: true });
      fee.problems = [];
      fee.approvals = [];
      const matched = buildLaunchReport(status, generatedAt);
      assert.equal(matched.feeReconciliation.state, 'matched');
      assert.deepEqual(matched.feeReconciliation.acceptedBy, []);
      assert.match(
        sectionOf(launchReportMarkdown(matched), 'Day-1 fee reconciliation'),
        /Day-1 fees reconcile: the 2026-12-01 statement bills 1200 GBP, PayCA's metrics count 1200: difference 0 against a tolerance of 50\./,
      );
    });

    it('shows every currency of a per-currency reconciliation, with the currency missing from the statement and the one the plan does not use', () => {
      const status = watchedStatus();
      const fee = status.stages.find((s) => s.id === 'fee-reconciliation');
      assert.ok(fee);
      const row = (currency: string, statementFees: number, metricsFees: number, extra: object = {}) => ({
        currency,
        expected: true,
        onStatement: true,
        metricsFees,
        statementFees,
        statementByType: { issuance: statementFees },
        difference: statementFees - metricsFees,
        matches: true,
        ...extra,
      });
      fee.status = 'holding';
      fee.approvals = [];
      fee.problems = [
        'day-1 fees do not reconcile: the 2026-12-01 statement bills 987654 USD (adjustment 987654) but the plan expects only EUR, GBP',
      ];
      fee.evidence.feeReconciliation = {
        date: '2026-12-01',
        currencies: ['EUR', 'GBP'],
        byCurrency: [
          row('EUR', 0, 240, { onStatement: false, statementByType: {}, matches: false, finding: 'missing-from-statement' }),
          row('GBP', 1_200, 1_200),
          row('USD', 987_654, 0, {
            expected: false,
            statementByType: { adjustment: 987_654 },
            matches: false,
            finding: 'unexpected-currency',
          }),
        ],
        tolerance: 0,
        matches: false,
        requestIds: { metrics: 'req_m', statement: 'req_s' },
      };
      const held = buildLaunchReport(status, generatedAt);
      assert.equal(held.feeReconciliation.state, 'holding');
      assert.deepEqual(
        held.feeReconciliation.result?.currencies.map((c) => [c.currency, c.difference, c.matches]),
        [
          ['EUR', -240, false],
          ['GBP', 0, true],
          ['USD', 987_654, false],
        ],
      );
      const section = sectionOf(launchReportMarkdown(held), 'Day-1 fee reconciliation');
      assert.match(section, /987654 USD \(adjustment 987654\) but the plan expects only EUR, GBP/);
      assert.match(section, /\| 2026-12-01 \| EUR \| 0 \| 240 \| -240 \| 0 \| \*\*no\*\*: no line on the statement \|/);
      assert.match(section, /\| 2026-12-01 \| GBP \| 1200 \| 1200 \| 0 \| 0 \| yes \|/);
      assert.match(section, /\| 2026-12-01 \| USD \| 987654 \| 0 \| \+987654 \| 0 \| \*\*no\*\*: a currency the plan does not use \|/);
      assert.match(section, /\| USD \| adjustment \| 987654 \|/);
    });

    it('links the dashboards the plan lists and lists the reminders sent', () => {
      assert.deepEqual(report.dashboards, watchedStatus().dashboards);
      assert.match(
        sectionOf(document, 'Dashboards'),
        /- \[PayCA launch\]\(https:\/\/grafana\.acme\.example\/d\/payca-launch\)\n- \[Webhook deliveries\]\(https:\/\/grafana\.acme\.example\/d\/payca-webhooks\)/,
      );
      assert.deepEqual(report.reminders, watchedStatus().reminders);
      const reminders = sectionOf(document, 'Reminders');
      assert.match(reminders, /\| 2026-12-02 09:00:00Z \| reminder \| `support-ticket-review` \| carlos \|/);
      assert.match(reminders, /\| 2026-12-08 09:00:00Z \| overdue \| `retro-scheduled` \| lara \|/);
    });

    it('shows the post-launch items with their due times in the checklist', () => {
      const checklist = sectionOf(document, 'Launch checklist');
      assert.match(checklist, /### 9 Post-Launch\n\n\| item \| owner \| kind \| status \| due \(plan time\) \| completed\/waived by \|/);
      assert.match(
        checklist,
        /\| Title of support-ticket-review<br>`support-ticket-review` \| CX \| attested \| done \| 2026-12-03 09:00:00Z \(T\+48h\), reminded 2026-12-02 09:00:00Z \| carlos \|/,
      );
      assert.match(
        checklist,
        /\| Title of retro-scheduled<br>`retro-scheduled` \| Programme lead \| attested \| done \| 2026-12-08 09:00:00Z \(T\+168h\), reminded 2026-12-07 09:00:00Z \| lara \|/,
      );
      assert.match(
        checklist,
        /### 1 Credentials &amp; Access\n\n\| item \| owner \| kind \| status \| completed\/waived by \|/,
        'no due column where nothing is due after go-live',
      );
      const standalone = renderChecklistDocument(watchedStatus(), generatedAt);
      assert.match(standalone, /## 9 Post-Launch\n\n\| item \| owner \| kind \| status \| due \(plan time\) \|/);
      assert.match(standalone, /Post-launch items \(runbook section 9, due after go-live\): 0 of 4 open\./);
    });

    it('labels alerts in the incident log, beside the watch decision and the overdue retro, in time order', () => {
      const log = report.incidentLog.map((i) => [i.at, i.kind, i.who]);
      assert.deepEqual(log.slice(-5), [
        ['2026-12-01T11:19:00.000Z', 'decision', 'lara'],
        ['2026-12-01T12:05:02.000Z', 'alert', 'post-launch watch'],
        ['2026-12-01T13:10:02.000Z', 'alert', 'post-launch watch'],
        ['2026-12-01T13:30:00.000Z', 'watch-decision', 'lara'],
        ['2026-12-08T09:00:00.000Z', 'escalation', 'lara'],
      ]);
      assert.deepEqual(
        report.incidents.map((i) => i.source ?? 'person'),
        ['person', 'alert', 'alert'],
      );
      const rows = sectionOf(document, 'Incident log');
      assert.match(
        rows,
        /\| 2026-12-01 12:05:02Z \| alert \| post-launch watch \| sev2: alert low-balance: acc_gbp available 40000 GBP is below the minimum 100000 \|/,
      );
      assert.match(rows, /\| 2026-12-01 13:10:02Z \| alert \| post-launch watch \| sev2: recovered: acc_gbp available 250000 GBP \|/);
      assert.match(
        rows,
        /\| 2026-12-01 13:30:00Z \| watch-decision \| lara \| post-launch watch extended by 12h: low balance recovered late \|/,
      );
      assert.match(rows, /\| 2026-12-08 09:00:00Z \| escalation \| lara \| post-launch item retro-scheduled is overdue \|/);
    });

    it('ends with the final outcome and how the post-launch work closed', () => {
      assert.equal(report.finalOutcome.state, 'completed');
      assert.equal(report.finalOutcome.summary, report.outcome.summary);
      const final = sectionOf(document, 'Final outcome');
      assert.ok(document.trimEnd().endsWith(final.trimEnd()), 'the last section');
      assert.match(final, /completed at 2026-12-08 09:05:00Z, roll-forward decided by lara/);
      assert.match(final, /- The post-launch watch completed its window/);
      assert.match(final, /- Day-1 fees did not reconcile \(.*\) and were accepted by fiona at 2026-12-02 09:38:00Z/);
      assert.match(final, /- All 4 post-launch items are done or waived\./);
    });

    it('says who ended the watch early and why', () => {
      const status = watchedStatus();
      const watch = status.watch;
      assert.ok(watch);
      watch.status = 'ended-early';
      watch.decisions.push({
        kind: 'end',
        by: 'lara',
        reason: 'stable for a day; BAU monitoring took over',
        at: '2026-12-02T12:00:00.000Z',
      });
      const ended = buildLaunchReport(status, generatedAt);
      assert.equal(ended.watch.state, 'ended-early');
      const section = sectionOf(launchReportMarkdown(ended), 'Post-launch watch');
      assert.match(
        section,
        /The post-launch watch ended early \(decided by lara at 2026-12-02 12:00:00Z: stable for a day; BAU monitoring took over\); it was to run from T\+2h19m to T\+60h/,
      );
      assert.match(section, /\| end early \| lara \| 2026-12-02 12:00:00Z \| - \| stable for a day; BAU monitoring took over \|/);
      assert.ok(
        ended.incidentLog.some(
          (i) => i.kind === 'watch-decision' && i.what === 'post-launch watch ended early: stable for a day; BAU monitoring took over',
        ),
      );
    });

    it('says where a watch still running stands, with open alerts and the reconciliation still due', () => {
      const status = watchedStatus();
      status.phase = 'watching';
      delete status.finishedAt;
      const watch = status.watch;
      assert.ok(watch);
      watch.status = 'watching';
      delete watch.finishedAt;
      const alert = watch.alerts[0];
      assert.ok(alert);
      delete alert.recoveredAt;
      delete alert.recoveredPlanAt;
      delete alert.recovered;
      const fee = status.stages.find((s) => s.id === 'fee-reconciliation');
      assert.ok(fee);
      Object.assign(fee, {
        status: 'waiting',
        startedAt: undefined,
        finishedAt: undefined,
        attempts: 0,
        problems: [],
        approvals: [],
        evidence: {},
      });
      const running = buildLaunchReport(status, generatedAt);
      const md = launchReportMarkdown(running);
      assert.equal(running.outcome.state, 'running');
      assert.equal(running.watch.state, 'watching');
      assert.equal(running.feeReconciliation.state, 'pending');
      assert.match(sectionOf(md, 'Alerts'), /\| \*\*still open\*\* \| - \|/);
      assert.match(
        sectionOf(md, 'Day-1 fee reconciliation'),
        /The day-1 fee reconciliation is due at 2026-12-02 09:00:00Z \(T\+24h\) \(Finance\)\./,
      );
      assert.match(sectionOf(md, 'Final outcome'), /- Alerts still open: low-balance:acc_gbp\./);
    });
  });

  describe('an aborted cutover whose compensations held, were done by hand or kept', () => {
    const status = rolledBackStatus();
    status.compensations = [
      {
        step: 'restore-sandbox-jobs',
        status: 'done-by-hand',
        at: '2026-12-01T11:40:00.000Z',
        holds: 1,
        reason:
          'SandboxJobUnreachable: could not enable sandbox job card-generator: HTTP 503 (still failing when its retry budget ran out)',
        doneByHand: { by: 'erin', evidence: 're-enabled from the sandbox console, OPS-981', at: '2026-12-01T11:40:00.000Z' },
      },
      {
        step: 'close-seeded-cards',
        status: 'kept',
        at: '2026-12-01T11:40:01.000Z',
        detail: 'kept 6 seeded cards open (readiness.seedCards.keepOnRollBack)',
      },
      {
        step: 'remove-webhook-subscription',
        status: 'done',
        at: '2026-12-01T11:45:00.000Z',
        holds: 2,
        reason: 'ErrUnavailable: PayCA answered 503',
        detail: 'sub_1 (request req_rm_2)',
      },
    ];
    const report = buildLaunchReport(status, GENERATED_AT);
    const document = launchReportMarkdown(report);

    it("shows every compensation's outcome: done by hand by whom with what evidence, kept, undone after holding", () => {
      const compensations = sectionOf(document, 'Compensations');
      assert.match(
        compensations,
        /\| `restore-sandbox-jobs` \| done-by-hand \| done by hand by erin, evidence: re-enabled from the sandbox console, OPS-981 after holding once \(SandboxJobUnreachable: .*HTTP 503/,
      );
      assert.match(
        compensations,
        /\| `close-seeded-cards` \| kept \| kept 6 seeded cards open \(readiness\.seedCards\.keepOnRollBack\) \|/,
      );
      assert.match(
        compensations,
        /\| `remove-webhook-subscription` \| done \| undone after holding 2 times \(ErrUnavailable: PayCA answered 503\): sub_1 \(request req_rm_2\) \|/,
      );
    });

    it('puts the held compensations in the incident log, with who did the step by hand', () => {
      const held = report.incidentLog.filter((i) => i.kind === 'compensation-failed').map((i) => [i.who, i.what.split(':')[0]]);
      assert.deepEqual(held, [
        ['erin', 'restore-sandbox-jobs done by hand by erin, evidence'],
        [null, 'remove-webhook-subscription undone after holding 2 times (ErrUnavailable'],
      ]);
    });
  });

  describe('a rolled-back cutover', () => {
    const report = buildLaunchReport(rolledBackStatus(), GENERATED_AT);
    const document = launchReportMarkdown(report);

    it('says it was rolled back, by whom and why', () => {
      assert.equal(report.outcome.state, 'rolled-back');
      assert.match(
        document,
        /\*\*Outcome:\*\* rolled back, finished 2026-12-01 11:20:00Z, roll-back decided by lara at 2026-12-01 11:19:00Z: decline rate doubled/,
      );
    });

    it('lists the compensations, and the failed one in the incident log', () => {
      assert.deepEqual(report.compensations, rolledBackStatus().compensations);
      const compensations = sectionOf(document, 'Compensations');
      assert.match(
        compensations,
        /\| 2026-12-01 11:19:30Z \| `remove-webhook-subscription` \| failed \| PayCA answered 503 \(request req_rm_1\) \|/,
      );
      assert.match(compensations, /\| 2026-12-01 11:19:40Z \| `restore-sandbox-jobs` \| done \| resumed nightly-settlement \|/);
      assert.deepEqual(
        report.incidentLog.slice(-2).map((i) => [i.kind, i.who, i.what]),
        [
          ['decision', 'lara', 'roll-back: decline rate doubled'],
          ['compensation-failed', null, 'remove-webhook-subscription failed: PayCA answered 503 (request req_rm_1)'],
        ],
      );
      assert.match(
        sectionOf(document, 'Incident log'),
        /\| 2026-12-01 11:19:30Z \| compensation-failed \| - \| remove-webhook-subscription failed/,
      );
      assert.ok(!report.incidentLog.some((i) => i.what.includes('restore-sandbox-jobs')), 'a compensation that worked is no incident');
    });
  });

  describe("a rolled-back cutover's post-launch sections", () => {
    const report = buildLaunchReport(rolledBackWithPostLaunchStatus(), GENERATED_AT);
    const document = launchReportMarkdown(report);
    const DID_NOT_RUN =
      /did not run because the cutover rolled back at the debrief \(roll-back decided by lara at 2026-12-01 11:19:00Z: decline rate doubled\)\./;

    it('says the watch and the fee reconciliation did not run because the cutover rolled back', () => {
      assert.equal(report.watch.state, 'not-run');
      assert.match(report.watch.summary, /^The post-launch watch /);
      assert.match(report.watch.summary, DID_NOT_RUN);
      assert.equal(report.feeReconciliation.state, 'not-run');
      assert.match(report.feeReconciliation.summary, DID_NOT_RUN);
      assert.equal(report.feeReconciliation.result, null);
      assert.deepEqual([report.summaries, report.alerts, report.reminders], [[], [], []]);
      for (const title of ['Post-launch watch', 'Hourly summaries', 'Alerts', 'Day-1 fee reconciliation']) {
        assert.match(sectionOf(document, title), DID_NOT_RUN, title);
      }
      assert.match(sectionOf(document, 'Day-1 fee reconciliation'), /The day-1 fee reconciliation did not run because/);
      assert.match(sectionOf(document, 'Final outcome'), /- No post-launch work ran because the cutover rolled back at the debrief/);
      assert.match(sectionOf(document, 'Timeline'), /`fee-reconciliation` \| T\+24h \| Finance \| .* \| skipped \|/);
    });
  });

  describe('other outcomes', () => {
    it('says where a running cutover is', () => {
      const status = completedStatus();
      status.phase = 'holding';
      status.currentStage = 'go-live';
      delete status.finishedAt;
      delete status.decision;
      const report = buildLaunchReport(status, GENERATED_AT);
      assert.deepEqual(report.outcome, { state: 'running', finishedAt: null, summary: 'still running at phase holding (stage go-live)' });
      assert.match(launchReportMarkdown(report), /\*\*Outcome:\*\* still running at phase holding \(stage go-live\)\n/);
    });

    it('says who aborted and why, in the outcome and the incident log', () => {
      const status = completedStatus();
      status.phase = 'aborted';
      delete status.decision;
      status.abort = { by: 'lara', reason: 'PayCA asked us to wait', at: '2026-12-01T09:50:00.000Z' };
      const report = buildLaunchReport(status, GENERATED_AT);
      const document = launchReportMarkdown(report);
      assert.equal(report.outcome.state, 'aborted');
      assert.match(document, /\*\*Outcome:\*\* aborted, finished .*, aborted by lara at 2026-12-01 09:50:00Z: PayCA asked us to wait/);
      assert.match(
        sectionOf(document, 'Approvals and decisions'),
        /\*\*Abort:\*\* by lara at 2026-12-01 09:50:00Z: PayCA asked us to wait/,
      );
      assert.ok(report.incidentLog.some((i) => i.kind === 'abort' && i.who === 'lara' && i.what === 'aborted: PayCA asked us to wait'));
    });

    it('explains the clocks of a rehearsal and names delays both ways', () => {
      const status = completedStatus();
      status.timeScale = 750;
      assert.match(
        renderLaunchReportMarkdown(status, GENERATED_AT),
        /Time scale 750: planned times are on the plan's clock; due, started and finished are wall-clock/,
      );
      assert.equal(delayText(null), '-');
      assert.equal(delayText(400), 'on time');
      assert.equal(delayText(-3_000), '-3s early');
      assert.equal(delayText(3_725_000), '+1h2m5s late');
    });
  });
});

describe('person-written text in the Markdown report and checklist document', () => {
  const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(1)> **bold** [link](https://evil.example) | pipes |';

  /** The completed cutover with hostile text wherever people and the plan write: programme, notes, evidence, reasons, incidents. */
  function hostileStatus(): CutoverStatus {
    const status = completedStatus();
    status.programme = HOSTILE;
    const goLive = status.stages.find((s) => s.id === 'go-live') as StageState;
    goLive.approvals = goLive.approvals.map((a) => ({ ...a, note: HOSTILE }));
    goLive.problems = [HOSTILE];
    status.checklist = [
      { ...(status.checklist[0] as ChecklistItemState), evidence: HOSTILE },
      {
        ...(status.checklist[0] as ChecklistItemState),
        id: 'kyc-aml-review',
        status: 'waived',
        completedBy: undefined,
        waivedBy: 'olivia',
        reason: HOSTILE,
        evidence: undefined,
      },
    ];
    status.refusals = status.refusals.map((r) => ({ ...r, reason: HOSTILE }));
    status.incidents = status.incidents.map((i) => ({ ...i, summary: HOSTILE }));
    status.decision = { ...(status.decision as NonNullable<CutoverStatus['decision']>), reason: HOSTILE };
    status.abort = { by: 'lara', reason: HOSTILE, at: '2026-12-01T11:19:30.000Z' };
    return status;
  }

  /** No raw HTML, emphasis, link or bare URL from the hostile text survives in the source. */
  function assertInert(document: string): void {
    for (const raw of ['<script>', '<img', 'onerror=alert(1)>', '**bold**', '[link]', '](https://', 'https://evil']) {
      assert.ok(!document.includes(raw), `${raw} is in the source:\n${document}`);
    }
  }

  /** Each table keeps its columns: a pipe in the text does not end a cell early. */
  function assertTablesKeepTheirColumns(document: string): void {
    let columns = 0;
    for (const line of document.split('\n')) {
      if (!line.startsWith('|')) {
        columns = 0;
        continue;
      }
      const cells = tableCells(line);
      if (columns === 0) columns = cells.length;
      else assert.equal(cells.length, columns, `a row with ${cells.length} cells under ${columns} columns: ${line}`);
    }
  }

  const count = (document: string, text: string) => document.split(text).length - 1;

  it('renders notes, evidence, reasons, incident summaries and the programme name in the report as literal text', () => {
    const document = renderLaunchReportMarkdown(hostileStatus(), GENERATED_AT);
    assertInert(document);
    assertTablesKeepTheirColumns(document);
    const escaped = markdownInline(HOSTILE);
    assert.equal(unescapeMarkdown(escaped), HOSTILE, 'reads as the text that was written');
    assert.ok(document.startsWith(`# Launch report: ${escaped}, go-live 2026-12-01 09:00:00Z\n`), document.split('\n')[0]);
    const approvals = sectionOf(document, 'Approvals and decisions');
    assert.equal(count(approvals, `| ${escaped} |`), 3, `each approval's note:\n${approvals}`);
    assert.ok(approvals.includes(`**Decision:** roll-forward by lara at 2026-12-01 11:19:00Z: ${escaped}`), approvals);
    assert.ok(approvals.includes(`**Abort:** by lara at 2026-12-01 11:19:30Z: ${escaped}`));
    const checklist = sectionOf(document, 'Launch checklist');
    assert.equal(count(checklist, escaped), 2, `the evidence and the waiver's reason:\n${checklist}`);
    assert.ok(sectionOf(document, 'Timeline').includes(escaped), 'the stage problem');
    assert.ok(sectionOf(document, 'Refused messages').includes(`| ${escaped} |`));
    const log = sectionOf(document, 'Incident log');
    for (const what of [`sev3: ${escaped}`, `refused (via signal): ${escaped}`, `roll-forward: ${escaped}`, `aborted: ${escaped}`]) {
      assert.ok(log.includes(what), `${what} in\n${log}`);
    }
  });

  it("renders the checklist document's programme name, evidence and waiver reasons as literal text", () => {
    const document = renderChecklistDocument(hostileStatus(), GENERATED_AT);
    assertInert(document);
    assertTablesKeepTheirColumns(document);
    const escaped = markdownInline(HOSTILE);
    assert.ok(document.startsWith(`# Launch checklist: ${escaped}, go-live 2026-12-01 09:00:00Z\n`), document.split('\n')[0]);
    assert.equal(count(document, `| ${escaped} |`), 2, document);
  });

  it("writes a programme's own checklist section name as a literal heading", () => {
    const status = hostileStatus();
    status.checklist = status.checklist.map((item) => ({ ...item, section: `# ${HOSTILE}` }));
    const document = renderChecklistDocument(status, GENERATED_AT);
    assertInert(document);
    assert.ok(document.includes(`\n## ${markdownInline(`# ${HOSTILE}`)}\n\n| item |`), document);
    assert.ok(document.includes(`\n## \\# &lt;script&gt;`), 'the # is text, not a deeper heading');
  });

  it("keeps the report's own structure: headings, tables, code spans and the plan's dashboard links", () => {
    const status = hostileStatus();
    status.dashboards = [{ title: '**Auths** [x](https://evil.example)', url: 'https://grafana.acme.example/d/auths?from=now-1h' }];
    const document = renderLaunchReportMarkdown(status, GENERATED_AT);
    assert.match(document, /\n## Timeline\n\n\| stage \| at \| owner \|/);
    assert.match(document, /Cutover `cutover-acme-prepaid-uk-202612010900`/);
    assert.ok(
      sectionOf(document, 'Dashboards').includes(
        '- [\\*\\*Auths\\*\\* \\[x\\](https\\://evil.example)](https://grafana.acme.example/d/auths?from=now-1h)',
      ),
      sectionOf(document, 'Dashboards'),
    );
  });
});

describe('cutover status during the post-launch watch', () => {
  function watchingStatus(): CutoverStatus {
    const status = watchedStatus();
    status.phase = 'watching';
    delete status.finishedAt;
    const watch = status.watch;
    assert.ok(watch);
    watch.status = 'watching';
    delete watch.finishedAt;
    const alert = watch.alerts[0];
    assert.ok(alert);
    delete alert.recoveredAt;
    const retro = status.checklist.find((item) => item.id === 'retro-scheduled');
    assert.ok(retro);
    Object.assign(retro, { status: 'open', completedBy: undefined, evidence: undefined, at: undefined });
    return status;
  }
  const text = renderStatus({ status: watchingStatus(), executionStatus: 'RUNNING', approvers: {} });
  const watch = text.slice(text.indexOf('\nPost-launch watch:\n'));

  it('shows the watch: its status, end on both clocks, reads and runs', () => {
    assert.match(
      watch,
      /\n {2}watching, ends 2026-12-03 21:00:00Z \(T\+60h\) plan time \(2026-12-03 21:00:00Z wall clock\), 708 reads, 10 run\(s\)\n/,
    );
  });

  it('names each open alert with when it opened and what was seen', () => {
    assert.match(
      watch,
      /open alerts: low-balance:acc_gbp \(sev2\) since 2026-12-01 12:05:00Z \(T\+3h5m\): acc_gbp available 40000 GBP is below the minimum 100000/,
    );
  });

  it('counts the summaries and shows the latest one on one line', () => {
    assert.match(
      watch,
      /summaries: 2, latest #2 T\+3h19m–T\+4h19m: auths 940 approved \/ 60 declined, settlements 310 \(1250000\), refunds 4 \(8000\), fees 1200 GBP, webhooks 1500 ok \/ 3 failed, ErrRateLimited 0, open alerts none/,
    );
  });

  it("lists the lead's decisions, the reminders sent and the post-launch items still open with their due time", () => {
    assert.match(watch, /decision: extended by 12h by lara at 2026-12-01 13:30:00Z: low balance recovered late/);
    assert.match(watch, /sent: 2026-12-02 09:00:00Z reminder support-ticket-review to carlos/);
    assert.match(
      watch,
      /open: retro-scheduled \(Programme lead\) due 2026-12-08 09:00:00Z \(T\+168h\), reminded 2026-12-07 09:00:00Z, overdue since 2026-12-08 09:00:00Z/,
    );
    assert.doesNotMatch(watch, /open: support-ticket-review/, 'a done item is not open');
  });

  it('labels alert entries among the incidents', () => {
    assert.match(text, /Incidents:\n.*\n {2}2026-12-01 12:05:02Z sev2 alert by post-launch watch: alert low-balance/);
  });

  it('counts post-launch items apart from what go/no-go waits for', () => {
    assert.match(text, /checklist: .*, no required item open; post-launch: 1 of 4 open/);
  });

  it('has no watch section before the cutover rolls forward', () => {
    assert.doesNotMatch(renderStatus({ status: completedStatus(), executionStatus: 'COMPLETED', approvers: {} }), /Post-launch watch:/);
  });
});

describe('cutover report: usage errors (exit 2)', function () {
  this.timeout(30_000);
  itRefusesUsage([
    { args: ['report', 'some-id', '--format', 'docx'], says: /--format "docx" is not valid: must be one of md, json, html, pdf/ },
    { args: ['report', 'some-id', '--format', 'pdf'], says: /--format pdf writes a file: give --out FILE.pdf/ },
    {
      args: ['report', 'some-id', '--format', 'json', '--out', join('no-such-dir', 'report.json')],
      says: /--out ".*report\.json" is not valid: directory .*no-such-dir does not exist/,
    },
    { args: ['report', 'some-id', '--checklist', '--format', 'json'], says: /--format json is not available with --checklist/ },
    { args: ['report'], says: /missing required argument 'id'/ },
  ]);

  it('documents --format with examples in --help', async () => {
    const result = await runCli(['report', '--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /--format <format>/);
    assert.match(result.stdout, /\$ cutover report \S+ --format json --out launch-report\.json/);
  });
});

describe('cutover report on the dev server', function () {
  this.timeout(240_000);
  const world = useCliStack('report');
  const workflowId = `launch-report-${process.pid}-${Date.now().toString(36)}`;
  const cutover = (args: string[]) => world.cutover(args);

  before(async () => {
    // Go-live a day away at real speed: no stage runs, so the report reads a cutover that is still waiting.
    const started = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '+25h', '--as', 'lara']);
    assert.equal(started.code, 0, started.stderr);
    const completed = await cutover([
      'complete',
      workflowId,
      'secrets-in-vault',
      '--as',
      'erin',
      '--evidence',
      'vault path kv/payca/prod, SEC-412',
    ]);
    assert.equal(completed.code, 0, completed.stderr);
    // A refused signal stays in the workflow's state, so it must reach the report.
    const refused = await cutover(['complete', workflowId, 'tier1-error-codes', '--as', 'erin', '--evidence', 'not mine', '--signal']);
    assert.equal(refused.code, 0, refused.stderr);
    // The automated readiness checks run from the start; the report and status below must read the same checklist.
    await waitForStatus(
      world.stack.client,
      workflowId,
      'the automated checks settled',
      (s) => !s.checklist.some((i) => i.status === 'checking'),
      120_000,
    );
  });

  after(async () => {
    await world.stack?.client.workflow
      .getHandle(workflowId)
      .terminate('launch report test over')
      .catch(() => undefined);
  });

  it('writes the JSON report of a running cutover, matching its status', async () => {
    const out = join(world.dataDir, 'launch-report.json');
    const result = await cutover(['report', workflowId, '--format', 'json', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`wrote launch report of ${workflowId} to .*launch-report\\.json`));
    const report = JSON.parse(await readFile(out, 'utf8')) as LaunchReport;
    const status = JSON.parse((await cutover(['status', workflowId, '--json'])).stdout) as CutoverStatus;

    assert.equal(report.workflowId, workflowId);
    assert.equal(report.programme, status.programme);
    assert.equal(report.goLive, status.goLive);
    assert.equal(report.phase, status.phase);
    assert.equal(report.outcome.state, 'running');
    assert.ok(!Number.isNaN(Date.parse(report.generatedAt)));
    assert.deepEqual(
      report.timeline.map((t) => [t.stage, t.offset, t.planned, t.due, t.status, t.started]),
      status.stages.map((s) => [s.id, s.offset, s.plannedAt, s.dueAt, s.status, null]),
    );
    assert.equal(report.timeline.find((t) => t.stage === 'go-live')?.planned, status.goLive);
    assert.deepEqual(
      report.checklist.map((item) => [item.id, item.status]),
      status.checklist.map((item) => [item.id, item.status]),
    );
    const item = report.checklist.find((i) => i.id === 'secrets-in-vault');
    assert.equal(item?.status, 'done');
    assert.equal(item?.completedBy, 'erin');
    assert.equal(item?.evidence, 'vault path kv/payca/prod, SEC-412');
    assert.deepEqual(report.smokeTests, []);
    assert.equal(report.refusals.length, 1, JSON.stringify(report.refusals));
    assert.equal(report.refusals[0]?.item, 'tier1-error-codes');
    assert.deepEqual(
      report.incidentLog.map((i) => [i.kind, i.who]),
      [['refusal', 'erin']],
    );
  });

  it('writes the HTML report and its PDF print to files', async () => {
    const html = join(world.dataDir, 'launch-report.html');
    const wroteHtml = await cutover(['report', workflowId, '--format', 'html', '--out', html]);
    assert.equal(wroteHtml.code, 0, wroteHtml.stderr);
    assert.match(wroteHtml.stdout, new RegExp(`wrote launch report \\(HTML\\) of ${workflowId} to .*launch-report\\.html`));
    const page = await readFile(html, 'utf8');
    assert.match(page, /<section id="outcome" class="outcome running">/);
    assert.match(page, /<section id="timeline"><h2>Timeline<\/h2>.*<figure class="lanes"><svg /s);
    const pdf = join(world.dataDir, 'launch-report.pdf');
    const wrotePdf = await cutover(['report', workflowId, '--format', 'pdf', '--out', pdf]);
    assert.equal(wrotePdf.code, 0, wrotePdf.stderr);
    assert.equal((await readFile(pdf)).subarray(0, 5).toString(), '%PDF-');
  });

  it('prints the Markdown report to stdout by default', async () => {
    const result = await cutover(['report', workflowId]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# Launch report: Acme Prepaid UK, go-live /);
    assert.match(result.stdout, /\*\*Outcome:\*\* still running at phase waiting/);
    assert.match(result.stdout, /\| Store secrets in vault\/KMS<br>`secrets-in-vault` \| Engineering \| attested \| done \| erin \|/);
    assert.match(
      result.stdout,
      /## Incident log\n\n\| time \| kind \| who \| what \|\n.*\n\| .* \| refusal \| erin \| complete-item tier1-error-codes refused \(via signal\): /,
    );
  });
});
