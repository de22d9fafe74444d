import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Worker } from '@temporalio/worker';
import { listen, type Listening } from '../src/net/listen.js';
import { WORKFLOW_BUNDLE_PATH } from '../src/worker/paths.js';
import { watchWorkflowId } from '../src/workflows/watch-protocol.js';
import { CutoverPlanFile } from '../src/plan/schema.js';
import { routeNotice } from '../src/plan/notice-routes.js';
import { withRehearsal } from '../src/plan/notice-channels.js';
import { smtpSettingsFromEnv, smtpTarget } from '../src/activities/smtp-settings.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  approveUpdate,
  CUTOVER_TASK_QUEUE,
  statusQuery,
  UNDO_WORKFLOW_TYPE,
  undoStatusQuery,
  undoWorkflowId,
} from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { launchWithBurstAndRollForward } from './helpers/launch-script.js';
import { RELAXED_READINESS, planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt } from './helpers/temporal.js';
import { EXAMPLE_PLAN, runCli } from './helpers/cli.js';

const MINUTE = 60_000;
/** The worker's SMTP password: it must reach the SMTP server and nothing the cutover records. */
const SMTP_PASSWORD = 'smtp-pa55-only-on-the-worker';

interface Mail {
  to: string[];
  subject: string;
  text: string;
}

/** A real SMTP server on a free loopback port; every message it accepts is parsed and kept. */
async function startMailServer(): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'cutover' && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail: ParsedMail) => {
          const to = [mail.to ?? []].flat().flatMap((a: AddressObject) => a.value.map((v) => v.address ?? ''));
          mails.push({ to, subject: mail.subject ?? '', text: mail.text ?? '' });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Slack-compatible incoming webhooks, one path per channel; what each received, in order. */
async function startHooks(): Promise<Listening & { received: Map<string, string[]> }> {
  const received = new Map<string, string[]>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { text } = JSON.parse(body) as { text: string };
      received.set(req.url ?? '', [...(received.get(req.url ?? '') ?? []), text]);
      res.writeHead(200).end('ok');
    });
  });
  return { ...(await listen(server, 0)), received };
}

const PEOPLE = {
  lara: { email: 'lara@acme.example' },
  olivia: { email: 'olivia@acme.example' },
  tomas: { email: 'tomas@acme.example' },
  erin: { email: 'erin@acme.example' },
  eli: { email: 'eli@acme.example' },
  dev: { email: 'dev@acme.example' },
  ana: { email: 'ana@acme.example' },
  fiona: { email: 'fiona@acme.example' },
  cara: { email: 'cara@acme.example' },
  cody: { email: 'cody@acme.example' },
};

function routedNotifications(hooksUrl: string, rehearsal?: { channel: string }) {
  return {
    retryBudget: '1500ms',
    attemptTimeout: '400ms',
    channels: {
      'on-call': { kind: 'slack-webhook', url: `${hooksUrl}/on-call` },
      analytics: { kind: 'slack-webhook', url: `${hooksUrl}/analytics` },
      'monitoring-room': { kind: 'slack-webhook', url: `${hooksUrl}/monitoring-room` },
      stakeholders: { kind: 'email', to: ['board@acme.example', 'lara'] },
      escalations: { kind: 'email' },
      rehearsal: { kind: 'slack-webhook', url: `${hooksUrl}/rehearsal` },
    },
    routes: {
      alert: ['on-call'],
      escalation: ['escalations'],
      analytics: ['analytics'],
      milestone: ['monitoring-room', 'stakeholders'],
      'monitoring-room': ['monitoring-room'],
      default: ['on-call'],
    },
    templates: { live: '{programme} is LIVE at {at}; go given by {approvedBy}' },
    ...(rehearsal && { rehearsal }),
  };
}

describe('notices routed to the plan channels (time-skipping server)', function () {
  this.timeout(600_000);
  let mail: Awaited<ReturnType<typeof startMailServer>>;
  let hooks: Awaited<ReturnType<typeof startHooks>>;
  before(async () => {
    [mail, hooks] = await Promise.all([startMailServer(), startHooks()]);
  });
  const harness = useCutoverHarness('time-skipping', 'routing', {
    rateLimit: { perSecond: 10_000, burst: 10_000 },
    smtp: () => ({
      host: '127.0.0.1',
      port: mail.port,
      secure: false,
      user: 'cutover',
      password: SMTP_PASSWORD,
      from: 'PayCA cutover <cutover@acme.example>',
    }),
  });
  after(async () => {
    await hooks?.close();
    await mail?.close();
  });
  beforeEach(async () => {
    await harness.stack.reset();
    harness.notifications.length = 0;
    hooks.received.clear();
    mail.mails.length = 0;
  });

  /** Waits in real time until `done` holds: notices are sent on the wall clock. */
  async function eventually(done: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 300 && !done(); i++) await delay(100);
    assert.ok(done(), `gave up waiting for ${what}`);
  }

  /**
   * One whole cutover sending every kind of notice: a funding hold that escalates to olivia (and Treasury),
   * the milestones, the go-live gate, roll-forward, a watch alert that opens and recovers, hourly summaries
   * and the outcome.
   */
  async function runCutover(notifications: Record<string, unknown>): Promise<CutoverStatus & { eventHistory: string }> {
    const { env, stack } = harness;
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 1_000 });
    const handle = await harness.start({
      plan: planFor(stack, {
        people: PEOPLE,
        notifications,
        stages: { 'funding-check': { approvalTimeout: '30m', escalateTo: ['olivia'] } },
      }),
    });
    await advanceUntil(env, handle, holdingAt('funding-check'), 'the funding hold');
    await env.sleep(31 * MINUTE);
    await advanceUntil(env, handle, (s) => s.escalations.length === 1, 'the escalation');
    await stack.admin('accounts/acc_gbp_main', 'PUT', { balance: 5_000_000 });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'funding-check', by: 'tomas', note: 'wire arrived' }] });
    await launchWithBurstAndRollForward(env, handle, stack);
    const history = JSON.stringify(await handle.fetchHistory());
    return { ...(await handle.query(statusQuery)), eventHistory: history };
  }

  const posted = (channel: string) => hooks.received.get(`/${channel}`) ?? [];

  it('delivers each kind of notice to the channel the plan routes it to, escalations and milestones by email', async () => {
    const status = await runCutover(routedNotifications(hooks.url));
    assert.equal(status.phase, 'completed');
    assert.equal(status.notices?.total, 0, `nothing failed: ${JSON.stringify(status.notices)}`);
    assert.equal(status.watch?.alerts.length, 1);

    const onCall = posted('on-call');
    assert.ok(
      onCall.some((t) => t.includes('ALERT') && t.includes('webhook')),
      `alert opened on on-call: ${onCall.join('\n')}`,
    );
    assert.ok(
      onCall.some((t) => t.includes('RECOVERED')),
      'alert recovered on on-call',
    );
    assert.ok(
      onCall.some((t) => t.includes('cutover completed')),
      'the outcome takes the default route',
    );
    assert.ok(
      posted('analytics').length >= 1 && posted('analytics').every((t) => t.includes('summary')),
      `summaries: ${posted('analytics').join('\n')}`,
    );
    assert.ok(!onCall.some((t) => t.includes('summary ')), 'summaries do not reach on-call');

    const room = posted('monitoring-room');
    for (const expected of [
      /Test Programme: cutover started by lara; go-live at /,
      /Test Programme: go\/no-go at .*: the production smoke tests passed; Programme lead \(lara\) and Engineering \(erin, eli\) decide/,
      /Test Programme is LIVE at \S+; go given by lara, erin/,
      /Test Programme: debrief decision at .*: roll-forward by lara \(all green\)/,
      /Test Programme: post-launch watch completed at .*: 1 alert\(s\), \d+ summaries/,
      /Test Programme: change window open/,
    ]) {
      assert.ok(
        room.some((t) => expected.test(t)),
        `${expected} in the monitoring room: ${room.join('\n')}`,
      );
    }
    assert.ok(!room.some((t) => t.includes('ALERT')), 'alerts do not reach the monitoring room');

    await eventually(() => mail.mails.length >= 6, 'the emails');
    const escalation = mail.mails.filter((m) => m.subject.includes('funding-check has waited'));
    assert.equal(escalation.length, 1, `one escalation email: ${mail.mails.map((m) => m.subject).join(' | ')}`);
    assert.deepEqual(
      escalation[0]?.to.sort(),
      ['olivia@acme.example', 'tomas@acme.example'],
      'the escalateTo person and the held role, by their plan emails',
    );
    assert.match(escalation[0]?.text ?? '', /has waited 30 min/);
    const milestones = mail.mails.filter((m) => m.to.includes('board@acme.example'));
    assert.equal(milestones.length, 5, `the five milestones to stakeholders: ${milestones.map((m) => m.subject).join(' | ')}`);
    for (const m of milestones) assert.deepEqual(m.to.sort(), ['board@acme.example', 'lara@acme.example']);
    assert.ok(milestones.some((m) => m.subject.startsWith('Test Programme is LIVE') && m.text.includes('go given by lara, erin')));
    for (const [where, text] of [
      ['history', status.eventHistory],
      ['status', JSON.stringify({ ...status, eventHistory: undefined })],
      ['worker console', harness.notifications.join('\n')],
    ] as const) {
      assert.ok(!text.includes(SMTP_PASSWORD), `the SMTP password is not in the ${where}`);
    }
    // Routed notices and milestones leave histories that replay.
    for (const workflowId of [status.workflowId, watchWorkflowId(status.workflowId)]) {
      const history = await harness.env.client.workflow.getHandle(workflowId).fetchHistory();
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH }, replayName: 'routing-replay' },
        history,
        workflowId,
      );
    }
  });

  it('in a rehearsal sends every notice to the test channel and none to a live channel or mailbox', async () => {
    const status = await runCutover(routedNotifications(hooks.url, { channel: 'rehearsal' }));
    assert.equal(status.phase, 'completed');
    assert.equal(status.notices?.total, 0);
    for (const live of ['on-call', 'analytics', 'monitoring-room']) assert.deepEqual(posted(live), [], `nothing on ${live}`);
    await delay(2_000);
    assert.deepEqual(mail.mails, [], 'no email');
    const rehearsal = posted('rehearsal');
    for (const expected of [/ALERT/, /summary/, /cutover started/, /is LIVE/, /waited 30 min/, /holds for Treasury/, /cutover completed/]) {
      assert.ok(
        rehearsal.some((t) => expected.test(t)),
        `${expected} on the test channel`,
      );
    }
  });

  it('in a rehearsal without a test channel only writes each notice to the worker log, sending none', async () => {
    const status = await runCutover({ ...routedNotifications(hooks.url), rehearsal: true });
    assert.equal(status.phase, 'completed');
    assert.equal(status.notices?.total, 0);
    assert.deepEqual([...hooks.received.keys()], [], 'no webhook was called');
    assert.deepEqual(mail.mails, [], 'no email');
    const recorded = harness.notifications.filter((n) => / REHEARSAL, not sent: /.test(n));
    for (const kind of ['approvers', 'escalation', 'monitoring-room', 'alert', 'analytics', 'milestone', 'outcome']) {
      assert.ok(
        recorded.some((n) => n.startsWith(`[notify:${kind}] REHEARSAL, not sent: Test Programme`)),
        `a ${kind} notice recorded: ${recorded.join('\n')}`,
      );
    }
  });

  it("routes the hold of `cutover undo` as the cutover's own notices", async () => {
    // A sandbox job that pauses but cannot be resumed: the undo's restore step holds for Engineering.
    let enabled = true;
    const job = await listen(
      createServer((req, res) => {
        if (req.url === '/enable') return void res.writeHead(503).end('sandbox unavailable');
        if (req.url === '/disable') enabled = false;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ enabled }));
      }),
      0,
    );
    try {
      const plan = planFor(harness.stack, {
        people: PEOPLE,
        notifications: routedNotifications(hooks.url),
        compensationRetryBudget: '2s',
        sandboxJobs: [
          {
            kind: 'http',
            name: 'card-generator',
            disableUrl: `${job.url}/disable`,
            enableUrl: `${job.url}/enable`,
            statusUrl: `${job.url}/status`,
          },
        ],
      });
      const handle = await harness.start({ plan });
      const paused = await advanceUntil(
        harness.env,
        handle,
        (s) => s.stages.find((st) => st.id === 'disable-sandbox-jobs')?.status === 'passed' && s.phase === 'waiting',
        'T-2h to pass',
      );
      await handle.terminate('ended from outside');
      // What `cutover undo` starts (it lists the runs first, which the time-skipping server cannot).
      const undo = await harness.env.client.workflow.start(UNDO_WORKFLOW_TYPE, {
        taskQueue: CUTOVER_TASK_QUEUE,
        workflowId: undoWorkflowId(handle.workflowId),
        args: [
          {
            cutoverWorkflowId: handle.workflowId,
            plan,
            owed: paused.owedCompensations ?? [],
            requestedBy: 'erin',
            source: 'the terminated run',
          },
        ],
      });
      await eventually(
        () => posted('on-call').some((t) => t.includes(`undo of ${handle.workflowId}: restore-sandbox-jobs holds for Engineering`)),
        'the undo hold on on-call',
      );
      assert.equal((await undo.query(undoStatusQuery)).phase, 'holding');
      assert.ok(!harness.notifications.some((n) => n.includes('undo of')), 'not on the worker console, where unrouted notices go');
      await undo.terminate('end of test');
    } finally {
      await job.close();
    }
  });

  it('records an email it cannot hand to an unreachable SMTP server, and the cutover completes as before', async () => {
    await mail.close();
    const status = await runCutover(routedNotifications(hooks.url));
    assert.equal(status.phase, 'completed');
    assert.ok(status.stages.every((s) => s.status === 'passed'));
    assert.equal(status.watch?.alerts.length, 1);
    const failed = status.notices?.failed ?? [];
    assert.equal(failed.length, 6, `the escalation and five milestone emails: ${failed.map((f) => f.target).join(' | ')}`);
    for (const f of failed) {
      assert.match(f.target, /via (escalations|stakeholders) \(email to /);
      assert.match(
        f.reason,
        /the SMTP server smtp:\/\/127\.0\.0\.1:\d+ refused or was unreachable .*ECONNREFUSED.*\(\d+ attempts? in \d+ s\)/,
      );
    }
    assert.equal(failed.filter((f) => f.channel === 'escalation').length, 1);
    assert.ok(
      status.incidents.some((i) => i.source === 'notification' && i.severity === 'sev2' && i.summary.includes('notification (escalation)')),
    );
    // The webhooks still had theirs.
    assert.ok(posted('monitoring-room').some((t) => t.includes('is LIVE')));
    assert.ok(
      harness.notifications.some((n) =>
        n.startsWith('[notify:milestone] UNDELIVERED to stakeholders (email to board@acme.example, lara@acme.example)'),
      ),
    );
  });
});

describe('notice routes', () => {
  const plan = (notifications: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    CutoverPlanFile.safeParse({
      programme: 'P',
      approvers: Object.fromEntries(
        ['lead', 'ops', 'treasury', 'engineering', 'devops', 'analytics', 'finance', 'cx', 'compliance'].map((role) => [role, [role]]),
      ),
      people: {
        ...Object.fromEntries(
          ['lead', 'treasury', 'engineering', 'devops', 'analytics', 'finance', 'cx', 'compliance'].map((id) => [
            id,
            { email: `${id}@acme.example` },
          ]),
        ),
        ops: { subject: 's1' },
      },
      payca: { production: { baseUrl: 'http://127.0.0.1:1' }, sandbox: { baseUrl: 'http://127.0.0.1:2' } },
      funding: { minimums: { GBP: 1 } },
      webhook: { url: 'http://127.0.0.1:3/payca', events: ['card.created'] },
      smokeTest: { accountId: 'a', currency: 'GBP', topUpAmount: 1 },
      readiness: RELAXED_READINESS,
      notifications,
      ...extra,
    });
  const problems = (notifications: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const parsed = plan(notifications, extra);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('refuses at plan load a route or rehearsal naming no channel, an unknown template placeholder, an unresolvable recipient or escalateTo person, and a webhook token', () => {
    const found = problems({
      channels: {
        room: { kind: 'slack-webhook', url: 'https://hooks.slack.com/services/T/B/secret' },
        mail: { kind: 'email', to: ['ops', 'nobody'] },
      },
      routes: { alert: ['pager'] },
      templates: { live: '{programme} live at {when}' },
      rehearsal: { channel: 'test' },
    });
    const byEmail = { channels: { mail: { kind: 'email' } }, routes: { escalation: ['mail'] } };
    const escalateTo = { stages: { 'funding-check': { escalateTo: ['treasury', 'treasury-oncall', 'oncall@acme.example'] } } };
    assert.deepEqual(problems(byEmail, escalateTo), [
      'stages.funding-check.escalateTo.1: escalations go by email, but "treasury-oncall" is neither an email address nor a person with an email in people',
    ]);
    assert.deepEqual(problems({}, escalateTo), [], 'a name is enough while escalations go to the webhook');
    assert.ok(
      found.some((p) => p.startsWith('notifications.routes.alert.0: no channel "pager"')),
      found.join('\n'),
    );
    assert.ok(found.some((p) => p.startsWith('notifications.rehearsal.channel: no channel "test"')));
    assert.ok(found.some((p) => p.startsWith('notifications.templates.live: unknown placeholder {when}: live knows {programme}')));
    assert.ok(
      found.some((p) => p.startsWith('notifications.channels.mail.to.0: "ops" is neither')),
      'ops is known by subject, not email',
    );
    assert.ok(found.some((p) => p.startsWith('notifications.channels.mail.to.1: "nobody" is neither')));
    assert.ok(found.some((p) => p.startsWith('notifications.channels.room.url: the URL carries a secret') && p.includes('urlFrom')));
    assert.deepEqual(
      problems({
        channels: { room: { kind: 'slack-webhook', urlFrom: 'CUTOVER_ROOM_HOOK' } },
        routes: { milestone: ['room'] },
        templates: { live: '{programme} live at {at}' },
      }),
      [],
    );
  });

  it('resolves email recipients from people, and in a rehearsal without a test channel only records', () => {
    const routing = { channels: { mail: { kind: 'email' as const, to: ['lara', 'ops@acme.example'] } }, routes: { escalation: ['mail'] } };
    const people = { lara: { email: 'lara@acme.example' }, tomas: { email: 't@acme.example' } };
    assert.deepEqual(routeNotice(routing, people, 'escalation', ['tomas', 'treasury-oncall']), [
      { channel: 'mail', kind: 'email', to: ['lara@acme.example', 'ops@acme.example', 't@acme.example'], unknown: ['treasury-oncall'] },
    ]);
    assert.deepEqual(
      routeNotice(routing, people, 'alert'),
      [{ channel: 'default', kind: 'default' }],
      'an unrouted kind keeps the single webhook',
    );
    assert.deepEqual(routeNotice({ ...routing, rehearsal: true }, people, 'escalation', ['tomas']), [
      { channel: 'rehearsal', kind: 'record' },
    ]);
  });

  it('turns a plan into a rehearsal from the start command, only with a channel the plan has', () => {
    const routed = { notifications: { channels: { test: { kind: 'slack-webhook' as const, url: 'http://127.0.0.1:9/test' } } } };
    assert.deepEqual(withRehearsal(routed, 'test'), { notifications: { ...routed.notifications, rehearsal: { channel: 'test' } } });
    assert.deepEqual(withRehearsal({ notifications: {} }, true), { notifications: { rehearsal: true } });
    assert.equal(
      withRehearsal(routed, 'on-call'),
      '--rehearsal on-call: the plan has no such channel under notifications.channels (it has test)',
    );
  });

  it('refuses `cutover start --rehearsal CHANNEL` for a channel the plan does not have, before anything starts', async () => {
    const result = await runCli(['start', EXAMPLE_PLAN, '--go-live', '+25h', '--rehearsal', 'test'], {
      ...process.env,
      CUTOVER_DEBUG: '',
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /--rehearsal test: the plan has no such channel under notifications\.channels/);
  });
});

describe("the worker's SMTP settings", () => {
  it('come from the environment, the password from its file, and are named without user or password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smtp-'));
    writeFileSync(join(dir, 'password'), 's3cr3t-smtp\n');
    const smtp = smtpSettingsFromEnv({
      CUTOVER_SMTP_URL: 'smtps://mail.acme.example',
      CUTOVER_SMTP_USER: 'cutover',
      CUTOVER_SMTP_PASSWORD_FILE: join(dir, 'password'),
    });
    assert.deepEqual(smtp, {
      host: 'mail.acme.example',
      port: 465,
      secure: true,
      user: 'cutover',
      password: 's3cr3t-smtp',
      from: 'PayCA cutover <cutover@localhost>',
    });
    assert.equal(smtp && smtpTarget(smtp), 'smtps://mail.acme.example:465');
    assert.equal(smtpSettingsFromEnv({}), undefined);
  });

  it('refuse a password in the URL and a scheme that is not SMTP', () => {
    assert.throws(
      () => smtpSettingsFromEnv({ CUTOVER_SMTP_URL: 'smtp://u:pw@mail.acme.example:587' }),
      /carries a password: remove it and name a file holding it in CUTOVER_SMTP_PASSWORD_FILE/,
    );
    assert.throws(() => smtpSettingsFromEnv({ CUTOVER_SMTP_URL: 'https://mail.acme.example' }), /must start with smtp:\/\/ or smtps:\/\//);
  });
});
