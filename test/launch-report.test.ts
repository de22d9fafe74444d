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
import type { CutoverStatus, StageState } from '../src/workflows/definitions.js';
import { itRefusesUsage, runCli } from './helpers/cli.js';
import { useCliStack } from './helpers/cli-stack.js';

const GO_LIVE = '2026-12-01T09:00:00.000Z';
const GENERATED_AT = new Date('2026-12-01T12:00:00.000Z');

function stage(id: StageState['id'], offset: string, owner: StageState['owner'], plannedAt: string, change: Partial<StageState> = {}): StageState {
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
      stage('config-diff', 'T-24h', 'ops', '2026-11-30T09:00:00.000Z', { evidence: { requestIds: { sandbox: 'req_sb_1', production: 'req_pr_1' } } }),
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
          { by: 'erin', role: 'engineering', attempt: 1, decision: 'rejected', at: '2026-12-01T09:10:00.000Z', note: 'ledger entry missing' },
          { by: 'lara', role: 'lead', attempt: 2, decision: 'approved', at: '2026-12-01T09:35:00.000Z', note: 'all green', authorizationId: 'auth_8812' },
          { by: 'erin', role: 'engineering', attempt: 2, decision: 'approved', at: '2026-12-01T09:38:00.000Z' },
        ],
        evidence: {
          changeWindowOpenedAt: GO_LIVE,
          smokeTests: {
            health: { status: 'ok', environment: 'production', requestId: 'req_health_2' },
            accounts: { accounts: [{ id: 'acc_gbp', currency: 'GBP', available: 500000, status: 'active' }], requestId: 'req_accounts_2' },
            issueCard: { cardId: 'card_42', last4: '4242', status: 'active', externalRef: 'x-smoke-2', requestId: 'req_issue_2', replayed: false },
            topUp: { transactionId: 'txn_7', ledgerEntryId: 'le_7', cardBalance: 1000, requestId: 'req_topup_2', replayed: false, startedAt: GO_LIVE },
            ledger: { ledgerEntryId: 'le_7', entries: 1, requestId: 'req_ledger_2' },
            topUpWebhook: { deliveryId: 'dlv_3', eventType: 'card.topup', status: 'succeeded', responseStatus: 200, attempts: 1, requestId: 'req_dlv_2' },
            closeCard: { cardId: 'card_42', status: 'closed', requestId: 'req_close_2' },
          },
          manualAuthorization: { authorizationId: 'auth_8812', confirmedBy: 'lara', at: '2026-12-01T09:35:00.000Z' },
        },
      }),
      stage('debrief', 'T+2h', 'lead', '2026-12-01T11:00:00.000Z', {
        finishedAt: '2026-12-01T11:20:00.000Z',
        approvals: [{ by: 'lara', role: 'lead', attempt: 1, decision: 'roll-forward', at: '2026-12-01T11:19:00.000Z', note: 'metrics green' }],
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
      { kind: 'approve', via: 'signal', by: 'olivia', stage: 'go-live', reason: 'Ops is not awaited at go-live', at: '2026-12-01T09:36:00.000Z' },
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
    { step: 'remove-webhook-subscription', status: 'failed', at: '2026-12-01T11:19:30.000Z', detail: 'PayCA answered 503 (request req_rm_1)' },
    { step: 'restore-sandbox-jobs', status: 'done', at: '2026-12-01T11:19:40.000Z', detail: 'resumed nightly-settlement' },
  ];
  return status;
}

function sectionOf(document: string, title: string): string {
  const start = document.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section ${title} in\n${document}`);
  const next = document.indexOf('\n## ', start + 1);
  return document.slice(start, next < 0 ? undefined : next);
}

describe('launch report formatting', () => {
  describe('a completed cutover', () => {
    const report = buildLaunchReport(completedStatus(), GENERATED_AT);
    const document = renderLaunchReportMarkdown(completedStatus(), GENERATED_AT);

    it('is one JSON model that the Markdown is rendered from', () => {
      assert.deepEqual(JSON.parse(renderLaunchReportJson(completedStatus(), GENERATED_AT)), report);
      assert.equal(launchReportMarkdown(JSON.parse(JSON.stringify(report)) as LaunchReport), document);
      assert.equal(renderLaunchReportMarkdown(completedStatus(), GENERATED_AT), document, 'the same status and time give the same document');
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
      assert.match(timeline, /\| stage \| at \| owner \| planned \| due \| started \| finished \| delay \| status \| attempts \| problems \|/);
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
      assert.match(approvals, /\| `go-live` \| 1 \| rejected \| erin \| Engineering \| 2026-12-01 09:10:00Z \| ledger entry missing \| - \|/);
      assert.match(approvals, /\| `go-live` \| 2 \| approved \| lara \| Programme lead \| 2026-12-01 09:35:00Z \| all green \| `auth_8812` \|/);
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
      assert.match(checklist, /### 1 Credentials & Access\n\n\| item \| owner \|/);
      assert.match(checklist, /\| Store secrets in vault\/KMS<br>`secrets-in-vault` \| Engineering \| attested \| done \| erin \|/);
      assert.doesNotMatch(document, /# Launch checklist:/, 'not the standalone title');
    });

    it('lists escalations, refused messages and compensations', () => {
      assert.match(sectionOf(document, 'Escalations'), /\| 2026-12-01 11:15:00Z \| `debrief` \| oncall@acme\.example \| Programme lead \|/);
      assert.match(
        sectionOf(document, 'Refused messages'),
        /\| 2026-12-01 09:36:00Z \| approve \| signal \| olivia \| `go-live` \| Ops is not awaited at go-live \|/,
      );
      assert.match(sectionOf(document, 'Compensations'), /\n\nNone\.\n?$/);
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
      const log = sectionOf(document, 'Incident log').split('\n').filter((line) => line.startsWith('| 2026'));
      assert.deepEqual(log, [
        '| 2026-12-01 09:10:00Z | rejection | erin | rejected go-live (attempt 1) as Engineering: ledger entry missing |',
        '| 2026-12-01 09:36:00Z | refusal | olivia | approve go-live refused (via signal): Ops is not awaited at go-live |',
        '| 2026-12-01 10:05:00Z | incident | olivia | sev3: decline rate up 2% \\| watching |',
        '| 2026-12-01 11:15:00Z | escalation | oncall@acme.example | debrief escalated, waiting for Programme lead |',
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
        '## Escalations',
        '## Refused messages',
        '## Compensations',
        '## Incident log',
      ]);
      assert.match(document, /\*\*Outcome:\*\* completed at 2026-12-01 11:20:00Z, roll-forward decided by lara at 2026-12-01 11:19:00Z: metrics green\n/);
      assert.match(document, /Generated 2026-12-01 12:00:00Z\./);
    });
  });

  describe('a rolled-back cutover', () => {
    const report = buildLaunchReport(rolledBackStatus(), GENERATED_AT);
    const document = launchReportMarkdown(report);

    it('says it was rolled back, by whom and why', () => {
      assert.equal(report.outcome.state, 'rolled-back');
      assert.match(document, /\*\*Outcome:\*\* rolled back, finished 2026-12-01 11:20:00Z, roll-back decided by lara at 2026-12-01 11:19:00Z: decline rate doubled/);
    });

    it('lists the compensations, and the failed one in the incident log', () => {
      assert.deepEqual(report.compensations, rolledBackStatus().compensations);
      const compensations = sectionOf(document, 'Compensations');
      assert.match(compensations, /\| 2026-12-01 11:19:30Z \| `remove-webhook-subscription` \| failed \| PayCA answered 503 \(request req_rm_1\) \|/);
      assert.match(compensations, /\| 2026-12-01 11:19:40Z \| `restore-sandbox-jobs` \| done \| resumed nightly-settlement \|/);
      assert.deepEqual(
        report.incidentLog.slice(-2).map((i) => [i.kind, i.who, i.what]),
        [
          ['decision', 'lara', 'roll-back: decline rate doubled'],
          ['compensation-failed', null, 'remove-webhook-subscription failed: PayCA answered 503 (request req_rm_1)'],
        ],
      );
      assert.match(sectionOf(document, 'Incident log'), /\| 2026-12-01 11:19:30Z \| compensation-failed \| - \| remove-webhook-subscription failed/);
      assert.ok(!report.incidentLog.some((i) => i.what.includes('restore-sandbox-jobs')), 'a compensation that worked is no incident');
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
      assert.match(sectionOf(document, 'Approvals and decisions'), /\*\*Abort:\*\* by lara at 2026-12-01 09:50:00Z: PayCA asked us to wait/);
      assert.ok(report.incidentLog.some((i) => i.kind === 'abort' && i.who === 'lara' && i.what === 'aborted: PayCA asked us to wait'));
    });

    it('explains the clocks of a rehearsal and names delays both ways', () => {
      const status = completedStatus();
      status.timeScale = 750;
      assert.match(renderLaunchReportMarkdown(status, GENERATED_AT), /Time scale 750: planned times are on the plan's clock; due, started and finished are wall-clock/);
      assert.equal(delayText(null), '-');
      assert.equal(delayText(400), 'on time');
      assert.equal(delayText(-3_000), '-3s early');
      assert.equal(delayText(3_725_000), '+1h2m5s late');
    });
  });
});

describe('cutover report: usage errors (exit 2)', function () {
  this.timeout(30_000);
  itRefusesUsage([
    { args: ['report', 'some-id', '--format', 'html'], says: /--format "html" is not valid: must be one of md, json/ },
    { args: ['report', 'some-id', '--format', 'json', '--out', join('no-such-dir', 'report.json')], says: /--out ".*report\.json" is not valid: directory .*no-such-dir does not exist/ },
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
    const completed = await cutover(['complete', workflowId, 'secrets-in-vault', '--as', 'erin', '--evidence', 'vault path kv/payca/prod, SEC-412']);
    assert.equal(completed.code, 0, completed.stderr);
    // A refused signal stays in the workflow's state, so it must reach the report.
    const refused = await cutover(['complete', workflowId, 'tier1-error-codes', '--as', 'erin', '--evidence', 'not mine', '--signal']);
    assert.equal(refused.code, 0, refused.stderr);
  });

  after(async () => {
    await world.stack?.client.workflow.getHandle(workflowId).terminate('launch report test over').catch(() => undefined);
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

  it('prints the Markdown report to stdout by default', async () => {
    const result = await cutover(['report', workflowId]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# Launch report: Acme Prepaid UK, go-live /);
    assert.match(result.stdout, /\*\*Outcome:\*\* still running at phase waiting/);
    assert.match(result.stdout, /\| Store secrets in vault\/KMS<br>`secrets-in-vault` \| Engineering \| attested \| done \| erin \|/);
    assert.match(result.stdout, /## Incident log\n\n\| time \| kind \| who \| what \|\n.*\n\| .* \| refusal \| erin \| complete-item tier1-error-codes refused \(via signal\): /);
  });
});
