import assert from 'node:assert/strict';
import { postLaunchSummary, progressLines } from '../src/dev/progress.js';
import { scriptedActions, type ChecklistScript } from '../src/dev/scripted-approver.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import type { ChecklistItemState, CutoverStatus, StageState, WatchState } from '../src/workflows/cutover-state.js';
import type { WatchAlert, WatchSummary } from '../src/workflows/watch-protocol.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const T = Date.parse('2026-12-01T09:00:00.000Z');
const at = (offsetMs: number) => new Date(T + offsetMs).toISOString();

const approvers: CutoverPlan['approvers'] = { lead: ['lara'], cx: ['carlos'], finance: ['fiona'], analytics: ['anika'] };
const script: ChecklistScript = { fixes: new Map(), waivers: {}, evidence: (item) => `evidence for ${item.id}` };

/** A stage as a status holds it; its evidence may take any shape a worker, old or new, recorded. */
function stage(
  id: StageState['id'],
  offsetMs: number,
  status: StageState['status'],
  change: Omit<Partial<StageState>, 'evidence'> & { evidence?: object } = {},
): StageState {
  return {
    id,
    title: id,
    owner: id === 'fee-reconciliation' ? 'finance' : 'lead',
    offset: offsetMs === 0 ? 'T' : `T+${offsetMs / HOUR}h`,
    status,
    plannedAt: at(offsetMs),
    dueAt: at(offsetMs),
    attempts: status === 'pending' || status === 'waiting' ? 0 : 1,
    problems: [],
    approvals: [],
    evidence: {},
    ...change,
  };
}

function postLaunchItem(
  id: string,
  owner: ChecklistItemState['owner'],
  kind: ChecklistItemState['kind'],
  dueMs: number,
): ChecklistItemState {
  return {
    id,
    section: '9 Post-Launch',
    title: id,
    owner,
    kind,
    optional: false,
    status: 'open',
    attempts: 0,
    problems: [],
    postLaunch: { dueAt: at(dueMs) },
  };
}

function summary(period: number, fromMs: number, toMs: number, change: { failed?: number; openAlerts?: string[] } = {}): WatchSummary {
  return {
    period,
    fromPlan: at(fromMs),
    toPlan: at(toMs),
    totals: {
      authorizations: { approved: 0, declined: 0 },
      settlements: { count: 0, amount: 0 },
      refunds: { count: 0, amount: 0 },
      fees: { amount: 0, currency: 'GBP' },
      webhooks: { succeeded: change.failed ? 194 : 0, failed: change.failed ?? 0 },
      rateLimited: 0,
    },
    lowestBalances: {},
    openAlerts: change.openAlerts ?? [],
    requestIds: [],
  };
}

const alert = (recovered: boolean): WatchAlert => ({
  id: 'webhook-failure-rate',
  rule: 'webhook-failure-rate',
  severity: 'sev2',
  openedAt: at(3 * HOUR + 5 * MINUTE),
  openedPlanAt: at(3 * HOUR + 5 * MINUTE),
  opened: 'webhook failure rate 3.00% (6 of 200 delivery attempts) in 5m; the limit is 1.00%',
  ...(recovered && {
    recoveredAt: at(3 * HOUR + 10 * MINUTE),
    recoveredPlanAt: at(3 * HOUR + 10 * MINUTE),
    recovered: 'webhook failure rate 0.00% (0 of 0 delivery attempts) in 5m; the limit is 1.00%',
  }),
});

/** A cutover whose plan clock equals the wall clock (time scale 1), so wall and plan times read alike. */
function status(
  change: {
    watch?: Partial<WatchState>;
    stages?: StageState[];
    checklist?: ChecklistItemState[];
    reminders?: CutoverStatus['reminders'];
  } = {},
): CutoverStatus {
  return {
    workflowId: 'cutover-demo',
    programme: 'Acme Prepaid UK',
    phase: change.watch ? 'watching' : 'holding',
    goLive: at(0),
    timeScale: 1,
    startedBy: 'demo',
    startedAt: at(-25 * HOUR),
    stages: change.stages ?? [stage('debrief', 2 * HOUR, 'passed'), stage('fee-reconciliation', 24 * HOUR, 'waiting')],
    checklist: change.checklist ?? [
      postLaunchItem('support-ticket-review', 'cx', 'attested', 48 * HOUR),
      postLaunchItem('retro-scheduled', 'lead', 'attested', 7 * 24 * HOUR),
    ],
    refusals: [],
    escalations: [],
    incidents: [],
    compensations: [],
    dashboards: [],
    reminders: change.reminders ?? [],
    ...(change.watch && {
      watch: {
        workflowId: 'cutover-demo.watch',
        status: 'watching',
        startedAt: at(2 * HOUR),
        startedPlanAt: at(2 * HOUR),
        endsPlanAt: at(48 * HOUR),
        endsAt: at(48 * HOUR),
        decisions: [],
        alerts: [],
        summaries: [],
        reads: 0,
        runs: 1,
        ...change.watch,
      },
    }),
  };
}

const actionKinds = (s: CutoverStatus, endEarlyReason?: string) =>
  scriptedActions(s, approvers, script, { endEarlyReason }).map((a) => `${a.message.kind} ${JSON.stringify(a.message.args)}`);

describe('the demo through the post-launch watch', () => {
  describe('progress lines', () => {
    it('announce the watch once, when it starts', () => {
      const before = status();
      const started = status({ watch: {} });
      assert.deepEqual(
        progressLines(before, started).filter((l) => l.includes('watch:')),
        ['T+2h    watch: started as cutover-demo.watch, until T+48h (09:00:00Z on the wall clock)'],
      );
      assert.deepEqual(progressLines(started, started), []);
    });

    it('show an alert once when it opens and once when it recovers, however many readings see it', () => {
      const open = status({ watch: { alerts: [alert(false)] } });
      const recovered = status({ watch: { alerts: [alert(true)] } });
      const opening = progressLines(status({ watch: {} }), open);
      assert.deepEqual(opening, [
        'T+3h05m watch: ALERT sev2 webhook-failure-rate opened: webhook failure rate 3.00% (6 of 200 delivery attempts) in 5m; the limit is 1.00%',
      ]);
      assert.deepEqual(progressLines(open, open), []);
      assert.deepEqual(progressLines(open, recovered), [
        'T+3h10m watch: webhook-failure-rate recovered after 5m: webhook failure rate 0.00% (0 of 0 delivery attempts) in 5m; the limit is 1.00%',
      ]);
      assert.deepEqual(progressLines(recovered, recovered), []);
      // Both in one reading: opened first, then recovered.
      assert.equal(progressLines(status({ watch: {} }), recovered).length, 2);
    });

    it('print the first and any unusual summary alone, quiet hours grouped to six-hour marks and at the end', () => {
      const summaries = [
        summary(1, 2 * HOUR, 3 * HOUR),
        summary(2, 3 * HOUR, 4 * HOUR, { failed: 6 }),
        summary(3, 4 * HOUR, 5 * HOUR),
        summary(4, 5 * HOUR, 6 * HOUR),
        summary(5, 6 * HOUR, 7 * HOUR),
        summary(6, 7 * HOUR, 7 * HOUR + 30 * MINUTE),
      ];
      const lines: string[] = [];
      let previous = status({ watch: {} });
      for (let n = 1; n <= summaries.length; n += 1) {
        const next = status({ watch: { summaries: summaries.slice(0, n) } });
        lines.push(...progressLines(previous, next));
        previous = next;
      }
      const ended = status({ watch: { summaries, status: 'ended-early', reads: 66, runs: 2, finishedAt: at(7 * HOUR + 31 * MINUTE) } });
      lines.push(...progressLines(previous, ended));
      assert.equal(lines.length, 5, lines.join('\n'));
      assert.match(lines[0] ?? '', /^T\+3h +watch: T\+2h–T\+3h summary to Analytics: auths 0 approved/);
      assert.match(lines[1] ?? '', /^T\+4h +watch: T\+3h–T\+4h summary to Analytics: .*webhooks 194 ok \/ 6 failed/);
      assert.match(lines[2] ?? '', /^T\+6h +watch: T\+4h–T\+6h: 2 hourly summaries to Analytics, all quiet/);
      assert.match(lines[3] ?? '', /^T\+7h30m +watch: T\+6h–T\+7h30m: 2 hourly summaries to Analytics, all quiet/);
      assert.match(
        lines[4] ?? '',
        /^T\+7h31m +watch: ended early: 66 metrics reads in 2 workflow runs \(continue-as-new\), 6 hourly summaries, no alerts/,
      );
    });

    it('show reminders and post-launch items as they change', () => {
      const before = status({ watch: {} });
      const after = status({
        watch: {},
        reminders: [{ item: 'support-ticket-review', kind: 'reminder', at: at(24 * HOUR), to: ['carlos'] }],
        checklist: [
          { ...postLaunchItem('support-ticket-review', 'cx', 'attested', 48 * HOUR), status: 'done', completedBy: 'carlos' },
          postLaunchItem('retro-scheduled', 'lead', 'attested', 7 * 24 * HOUR),
        ],
      });
      assert.deepEqual(progressLines(before, after), [
        'T+24h   reminder for support-ticket-review (due T+48h) sent to carlos',
        'post-launch: support-ticket-review done (carlos)',
      ]);
    });

    it('sum the watch up in one line', () => {
      const fees = stage('fee-reconciliation', 24 * HOUR, 'passed', {
        evidence: {
          feeReconciliation: {
            date: '2026-12-01',
            currency: 'GBP',
            metricsFees: 1050,
            statementFees: 1050,
            difference: 0,
            tolerance: 0,
            matches: true,
          },
        },
      });
      const done = status({
        stages: [stage('debrief', 2 * HOUR, 'passed'), fees],
        watch: {
          status: 'ended-early',
          reads: 262,
          alerts: [alert(true)],
          summaries: [summary(1, 2 * HOUR, 3 * HOUR)],
          decisions: [{ kind: 'end', by: 'lara', reason: 'rehearsal', at: at(24 * HOUR) }],
          finishedAt: at(24 * HOUR + 5 * MINUTE),
        },
      });
      assert.equal(
        postLaunchSummary(done),
        'post-launch: watch ended early at T+24h05m by lara after 262 reads; 1 alert opened, 1 recovered (webhook-failure-rate); 1 hourly summary; ' +
          'day-1 fees reconciled (statement 1050 GBP = metrics 1050 GBP for 2026-12-01, within the tolerance of 0)',
      );

      const row = (currency: string, statementFees: number, metricsFees: number, onStatement = true) => ({
        currency,
        expected: true,
        onStatement,
        metricsFees,
        statementFees,
        statementByType: {},
        difference: statementFees - metricsFees,
        matches: statementFees === metricsFees && onStatement,
      });
      (fees.evidence as { feeReconciliation?: unknown }).feeReconciliation = {
        date: '2026-12-01',
        currencies: ['EUR', 'GBP'],
        byCurrency: [row('EUR', 240, 240), row('GBP', 1050, 1050)],
        tolerance: 0,
        matches: true,
      };
      assert.match(
        postLaunchSummary(done) ?? '',
        /day-1 fees reconciled \(statement 240 EUR = metrics 240 EUR, statement 1050 GBP = metrics 1050 GBP for 2026-12-01, within the tolerance of 0\)$/,
      );
      (fees.evidence as { feeReconciliation?: unknown }).feeReconciliation = {
        date: '2026-12-01',
        currencies: ['EUR', 'GBP'],
        byCurrency: [row('EUR', 0, 240, false), row('GBP', 1050, 1050)],
        tolerance: 0,
        matches: false,
      };
      assert.match(
        postLaunchSummary(done) ?? '',
        /\(statement 0 EUR against metrics 240 EUR: difference -240 \(no line on the statement\) for 2026-12-01\)$/,
      );
    });
  });

  describe('scripted post-launch people', () => {
    it('leave post-launch items alone until the watch runs (the workflow refuses them before)', () => {
      assert.deepEqual(actionKinds(status()), []);
    });

    it('leave post-launch items alone while the watch from T runs before the roll-forward, and take them up after it', () => {
      const fromT = status({ watch: { fromGoLive: true, startedAt: at(0), startedPlanAt: at(0) } });
      assert.deepEqual(actionKinds(fromT), [], 'before the decision the workflow refuses them');
      const rolledForward = {
        ...fromT,
        decision: { decision: 'roll-forward' as const, by: 'lara', reason: 'all green', at: at(2 * HOUR) },
      };
      assert.deepEqual(actionKinds(rolledForward), [
        'complete-item {"item":"retro-scheduled","by":"lara","evidence":"evidence for retro-scheduled"}',
      ]);
    });

    it('book the retro at once and give the support review when CX is reminded', () => {
      const watching = status({ watch: {} });
      assert.deepEqual(actionKinds(watching), [
        'complete-item {"item":"retro-scheduled","by":"lara","evidence":"evidence for retro-scheduled"}',
      ]);
      const reminded = status({
        watch: {},
        checklist: [
          {
            ...postLaunchItem('support-ticket-review', 'cx', 'attested', 48 * HOUR),
            postLaunch: { dueAt: at(48 * HOUR), remindedAt: at(24 * HOUR) },
          },
          { ...postLaunchItem('retro-scheduled', 'lead', 'attested', 7 * 24 * HOUR), status: 'done' },
        ],
      });
      assert.deepEqual(actionKinds(reminded), [
        'complete-item {"item":"support-ticket-review","by":"carlos","evidence":"evidence for support-ticket-review"}',
      ]);
    });

    it('end the watch early only when asked to, after the fees reconcile, with no alert open', () => {
      const closed = [
        { ...postLaunchItem('support-ticket-review', 'cx', 'attested', 48 * HOUR), status: 'done' as const },
        { ...postLaunchItem('retro-scheduled', 'lead', 'attested', 7 * 24 * HOUR), status: 'done' as const },
      ];
      const feesWaiting = status({ watch: { alerts: [alert(true)] }, checklist: closed });
      assert.deepEqual(actionKinds(feesWaiting, 'rehearsal'), []);
      const passed = [stage('debrief', 2 * HOUR, 'passed'), stage('fee-reconciliation', 24 * HOUR, 'passed')];
      assert.deepEqual(actionKinds(status({ watch: { alerts: [alert(false)] }, checklist: closed, stages: passed }), 'rehearsal'), []);
      assert.deepEqual(
        actionKinds(status({ watch: { alerts: [alert(true)] }, checklist: closed, stages: passed })),
        [],
        'a full watch is not ended',
      );
      assert.deepEqual(actionKinds(status({ watch: { alerts: [alert(true)] }, checklist: closed, stages: passed }), 'rehearsal'), [
        'end-watch {"by":"lara","reason":"rehearsal"}',
      ]);
    });

    it('leave a fee difference that holds for Finance to a person', () => {
      const held = stage('fee-reconciliation', 24 * HOUR, 'holding', {
        problems: ['day-1 fees do not reconcile'],
        hold: { reason: 'day-1 fees do not reconcile', awaiting: ['finance'], since: at(24 * HOUR) },
      });
      const s = status({ watch: { alerts: [alert(true)] }, checklist: [], stages: [stage('debrief', 2 * HOUR, 'passed'), held] });
      assert.deepEqual(actionKinds(s, 'rehearsal'), []);
    });
  });
});
