import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { cutoverWorkflow } from '../src/workflows/cutover.js';
import { Worker } from '@temporalio/worker';
import { approveUpdate, statusQuery } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { watchWorkflowId } from '../src/workflows/watch-protocol.js';
import { WORKFLOW_BUNDLE_PATH } from '../src/worker/paths.js';
import { renderLaunchReportJson, renderLaunchReportMarkdown, type LaunchReport } from '../src/client/format/launch-report.js';
import { markdownInline } from '../src/workflows/markdown-text.js';
import { renderStatus } from '../src/client/format/status.js';
import { listen, type Listening } from '../src/net/listen.js';
import { webhookTarget, withoutWebhookUrl } from '../src/net/webhook-target.js';
import { NOTICE_FAILURES_KEPT, recordNoticeFailure } from '../src/workflows/notices.js';
import type { IncidentRecord, NoticeFailure, NoticeFailures } from '../src/workflows/cutover-state.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { launchWithBurstAndRollForward } from './helpers/launch-script.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';

const MINUTE = 60_000;
/** Incoming-webhook URLs carry their secret in the path, as Slack's do: it must never be shown. */
const TOKEN_PATH = '/services/T0CUTOVER/B0NOTICES/s3cr3tW3bh00kT0k3n';

type Fault = 'unreachable' | 'http-500' | 'hanging';
type Handle = WorkflowHandle<typeof cutoverWorkflow>;

/** A webhook that fails the way a revoked or broken Slack URL does; closing it frees its port. */
async function faultyWebhook(fault: Fault): Promise<Listening & { posts: () => number }> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    posts += 1;
    req.resume();
    if (fault === 'http-500') res.writeHead(500).end('invalid_token');
    // 'hanging' never answers: the attempt timeout has to end it.
  });
  const listening = await listen(server, 0);
  if (fault === 'unreachable') await listening.close();
  return { ...listening, posts: () => posts };
}

const fromGoLive = (status: CutoverStatus, at: string | undefined) => (at ? Date.parse(at) - Date.parse(status.goLive) : null);

/** The part of a cutover's outcome a notice must not change. */
function fate(status: CutoverStatus) {
  return {
    phase: status.phase,
    stages: status.stages.map((s) => [s.id, s.status, s.attempts]),
    compensations: status.compensations.map((c) => [c.step, c.status]),
    escalated: status.escalations.map((e) => e.stage),
    watch: status.watch && {
      status: status.watch.status,
      alerts: status.watch.alerts.map((a) => [a.id, fromGoLive(status, a.openedPlanAt), fromGoLive(status, a.recoveredPlanAt)]),
      summaries: status.watch.summaries.length,
    },
    reminders: status.reminders.map((r) => [r.item, r.kind]),
  };
}

/** Every place a notice is sent, in the order a full cutover sends them. */
const EVERY_CHANNEL = ['approvers', 'escalation', 'monitoring-room', 'reminder', 'alert', 'analytics', 'outcome'];

describe('notifications are best effort and never fatal (time-skipping server)', function () {
  this.timeout(600_000);
  // The watch reads every 5 minutes of skipped time, faster than PayCA's real-time rate limit allows.
  const harness = useCutoverHarness('time-skipping', 'notices', { rateLimit: { perSecond: 10_000, burst: 10_000 } });
  const { notifications } = harness;
  let control: CutoverStatus | undefined;

  beforeEach(async () => {
    await harness.stack.reset();
    notifications.length = 0;
  });

  /** Waits in real time (no skipping) until `done` holds: notices run on the wall clock. */
  async function waitFor(handle: Handle, done: (s: CutoverStatus) => boolean, what: string): Promise<CutoverStatus> {
    for (let i = 0; i < 300; i++) {
      const status = await handle.query(statusQuery);
      if (done(status)) return status;
      await delay(100);
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  const failedOn = (s: CutoverStatus, channel: string) => (s.notices?.failed ?? []).some((n) => n.channel === channel);

  /**
   * One whole cutover that sends every kind of notice: a funding hold (approvers) that escalates, the change
   * window (monitoring room), the go-live and debrief holds, roll-forward, a post-launch reminder, a watch
   * alert that opens and recovers, the hourly summary, and the outcome. With a faulty webhook it waits, in
   * real time, for each held stage's notice to be recorded before answering, so each hold is seen failing.
   */
  async function runCutover(webhookUrl: string | undefined): Promise<CutoverStatus> {
    const { env, stack } = harness;
    const faulty = webhookUrl !== undefined;
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 1_000 });
    const handle = await harness.start({
      plan: planFor(stack, {
        notifications: { ...(faulty && { webhookUrl }), retryBudget: '1500ms', attemptTimeout: '400ms' },
        stages: { 'funding-check': { approvalTimeout: '30m', escalateTo: ['treasury-oncall'] } },
        // The support review falls due at T+48h: its reminder is due as the watch begins.
        postLaunch: { watch: { window: '3h' }, remindBefore: '47h' },
      }),
    });
    await advanceUntil(harness.env, handle, holdingAt('funding-check'), 'the funding hold');
    if (faulty) await waitFor(handle, (s) => failedOn(s, 'approvers'), 'the funding hold notice to be recorded');
    await env.sleep(31 * MINUTE);
    await waitFor(handle, (s) => s.escalations.length === 1 && (!faulty || failedOn(s, 'escalation')), 'the escalation');
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 5_000_000 });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'funding-check', by: 'tomas', note: 'wire arrived' }] });

    await launchWithBurstAndRollForward(env, handle, stack, {
      atGoLiveGate: async () => {
        if (faulty) await waitFor(handle, (s) => failedOn(s, 'monitoring-room'), 'the change-window notice to be recorded');
      },
    });
    // The result is taken once every notice in flight has settled; the query answers with the same state.
    return handle.query(statusQuery);
  }

  it('sends every notice in a run without faults and records none as failed (the control run)', async () => {
    control = await runCutover(undefined);
    assert.equal(control.phase, 'completed');
    assert.ok(control.stages.every((s) => s.status === 'passed'));
    assert.equal(control.notices?.total, 0);
    for (const channel of EVERY_CHANNEL) {
      assert.ok(
        notifications.some((n) => n.startsWith(`[notify:${channel}]`)),
        `a ${channel} notice went out; got ${notifications.join('\n')}`,
      );
    }
    assert.equal(control.watch?.alerts.length, 1, 'the injected burst opened one alert');
  });

  for (const fault of ['unreachable', 'http-500', 'hanging'] as const) {
    it(`completes exactly as the control run with a webhook that is ${fault}, recording every notice it could not send`, async () => {
      assert.ok(control, 'the control run went first');
      const webhook = await faultyWebhook(fault);
      try {
        const url = `${webhook.url}${TOKEN_PATH}`;
        const status = await runCutover(url);
        assert.deepEqual(fate(status), fate(control), 'same phase, stages, compensations, watch and reminders as without the fault');

        const failed = status.notices?.failed ?? [];
        const total = status.notices?.total ?? 0;
        assert.equal(total, failed.length, 'fewer failures than the bound: all kept');
        assert.deepEqual(
          [...new Set(failed.map((n) => n.channel))].sort(),
          [...EVERY_CHANNEL].sort(),
          'every place a notice is sent recorded its failure',
        );
        const reason = {
          unreachable: /unreachable \(fetch failed: connect ECONNREFUSED/,
          'http-500': /the webhook answered HTTP 500/,
          hanging: /no answer within 400 ms/,
        }[fault];
        for (const n of failed) {
          assert.match(n.reason, reason, `${n.channel}: ${n.reason}`);
          assert.match(n.reason, /\d+ attempts? in \d+ s/);
          assert.ok(n.target.endsWith(`via ${webhook.url}/…`), `the target names the webhook by host only: ${n.target}`);
        }
        assert.equal(failed.find((n) => n.channel === 'approvers')?.target.startsWith('Treasury (tomas) via'), true);
        assert.equal(failed.find((n) => n.channel === 'monitoring-room')?.target.startsWith('#payca-launch via'), true);
        assert.deepEqual(
          failed
            .filter((n) => n.from === 'watch')
            .map((n) => n.channel)
            .sort(),
          // The alert opening and recovering, and a summary at T+1h, T+2h and T+3h from the watch that starts at T.
          ['alert', 'alert', 'analytics', 'analytics', 'analytics'],
          "the watch's failed notices reached the cutover's record",
        );
        if (fault !== 'unreachable') {
          assert.ok(webhook.posts() > total, `each notice was tried more than once (${webhook.posts()} posts for ${total} notices)`);
        }

        const incidents = status.incidents.filter((i) => i.source === 'notification');
        assert.equal(incidents.length, total);
        assert.ok(incidents.some((i) => i.severity === 'sev2' && i.summary.startsWith('notification (approvers) to Treasury (tomas) via')));

        const markdown = renderLaunchReportMarkdown(status, new Date());
        const report = JSON.parse(renderLaunchReportJson(status, new Date())) as LaunchReport;
        assert.match(markdown, /## Notifications not delivered/);
        // The channel and URL come from the plan: written as text, not as a heading mark or a link.
        assert.ok(
          markdown.includes(markdownInline(`notification (monitoring-room) to #payca-launch via ${webhook.url}/… failed`)),
          markdown,
        );
        assert.equal(report.failedNotices.total, total);
        assert.equal(report.incidentLog.filter((i) => i.kind === 'notice-failed').length, total);
        assert.match(renderStatus({ status, executionStatus: 'COMPLETED', approvers: {} }), /Notifications not delivered/);

        // The fallback channel: the worker's console has each text that could not be sent.
        const undelivered = notifications.filter((n) => n.includes('UNDELIVERED'));
        assert.equal(undelivered.length, total);
        assert.ok(undelivered.some((n) => n.startsWith('[notify:approvers]') && n.includes('funding-check holds for Treasury (tomas)')));

        // Notices settle out of step with the timeline: the histories they leave must still replay.
        for (const workflowId of [status.workflowId, watchWorkflowId(status.workflowId)]) {
          const history = await harness.env.client.workflow.getHandle(workflowId).fetchHistory();
          await Worker.runReplayHistory(
            { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH }, replayName: 'notices-replay' },
            history,
            workflowId,
          );
        }

        for (const [where, text] of [
          ['status', JSON.stringify(status)],
          ['report', markdown],
          ['worker console', notifications.join('\n')],
        ]) {
          assert.ok(!text?.includes('s3cr3tW3bh00kT0k3n'), `the webhook's token is not in the ${where}`);
        }
      } finally {
        await webhook.close();
      }
    });
  }

  it('does not hold a stage up while its notice hangs: the timeline moves on before the notice gives up', async () => {
    const { stack, env } = harness;
    const webhook = await faultyWebhook('hanging');
    try {
      await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 1_000 });
      const handle = await harness.start({
        plan: planFor(stack, { notifications: { webhookUrl: `${webhook.url}${TOKEN_PATH}`, retryBudget: '20s', attemptTimeout: '10s' } }),
      });
      const held = await advanceUntil(env, handle, holdingAt('funding-check'), 'the funding hold');
      await handle.executeUpdate(approveUpdate, { args: [{ stage: 'funding-check', by: 'tomas' }] });
      const passed = await waitFor(handle, (s) => stageOf(s, 'funding-check').status === 'passed', 'funding to pass');
      assert.equal(passed.notices?.total, 0, 'the hold notice is still being tried while the stage has moved on');
      assert.ok(
        Date.parse(stageOf(passed, 'funding-check').finishedAt ?? '') - Date.parse(stageOf(held, 'funding-check').hold?.since ?? '') <
          10_000,
      );
      await handle.terminate('end of test');
    } finally {
      await webhook.close();
    }
  });
});

describe('the record of notices that could not be sent', () => {
  it('keeps the latest failures in status and the count of all, and logs each incident up to the same bound', () => {
    const record: { notices?: NoticeFailures; incidents: IncidentRecord[] } = { incidents: [] };
    const failure = (i: number): NoticeFailure => ({
      at: new Date(Date.UTC(2026, 11, 1, 9, 0, i)).toISOString(),
      channel: i % 2 ? 'alert' : 'approvers',
      target: 'Treasury (tomas) via https://hooks.slack.com/…',
      reason: 'the webhook answered HTTP 500 (6 attempts in 31 s)',
      excerpt: `notice ${i}`,
      from: i % 2 ? 'watch' : 'cutover',
    });
    for (let i = 1; i <= 50; i++) recordNoticeFailure(record, failure(i));
    assert.equal(record.notices?.total, 50);
    assert.equal(record.notices?.failed.length, NOTICE_FAILURES_KEPT);
    assert.equal(record.notices?.failed[0]?.excerpt, `notice ${50 - NOTICE_FAILURES_KEPT + 1}`, 'the latest are kept');
    assert.equal(record.incidents.length, NOTICE_FAILURES_KEPT + 1);
    assert.match(record.incidents.at(-1)?.summary ?? '', /more than 20 notifications failed; status counts the rest/);
    assert.deepEqual(
      record.incidents.slice(0, 2).map((i) => [i.severity, i.by]),
      [
        ['sev3', 'post-launch watch'],
        ['sev2', 'cutover'],
      ],
    );
  });

  it('names a webhook by scheme and host only, whatever its path, query or user part holds', () => {
    const slack = 'https://hooks.slack.com/services/T0CUTOVER/B0NOTICES/s3cr3tW3bh00kT0k3n';
    assert.equal(webhookTarget(slack), 'https://hooks.slack.com/…');
    assert.equal(webhookTarget('HTTPS://user:pw@chat.example:8443/hook?token=abc#x'), 'https://chat.example:8443/…');
    assert.equal(webhookTarget('not a url'), 'a notification webhook (address not shown)');
    assert.equal(
      withoutWebhookUrl(`request to ${slack} failed; path /services/T0CUTOVER/B0NOTICES/s3cr3tW3bh00kT0k3n`, slack),
      'request to https://hooks.slack.com/… failed; path /…',
    );
  });
});
