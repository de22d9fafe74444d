/**
 * A worker without SMTP settings is found out at the cutover's start, not when the first email is due: the
 * plan's email channels it cannot serve are a warning in the incident log (`status`, the room), and the
 * cutover runs on exactly as it would.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { emailStartLine } from '../src/activities/smtp-settings.js';
import { renderStatus } from '../src/client/format/status.js';
import { routedEmailChannels } from '../src/plan/notice-routes.js';
import type { CutoverView } from '../src/room/cutovers.js';
import type { Viewer } from '../src/room/viewer.js';
import { cutoverSections } from '../src/room/pages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { statusQuery } from '../src/workflows/messages.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt } from './helpers/temporal.js';

const WARNING =
  /^warning: email channel stakeholders: the worker has no SMTP server \(CUTOVER_SMTP_URL\); its notices will be recorded as not delivered$/;

describe('email without SMTP is known at the start (time-skipping server)', function () {
  this.timeout(300_000);
  // No `smtp`: the workers have no SMTP server, as a worker started without CUTOVER_SMTP_URL.
  const harness = useCutoverHarness('time-skipping', 'email-readiness');

  const notifications = (routes: Record<string, string[]>) => ({
    retryBudget: '1s',
    attemptTimeout: '500ms',
    channels: {
      room: { kind: 'slack-webhook', url: 'http://127.0.0.1:9/room' },
      stakeholders: { kind: 'email', to: ['board@acme.example'] },
    },
    routes,
  });

  /** Waits in real time: the question runs beside the timeline, on the wall clock. */
  async function warnings(handle: { query: (q: typeof statusQuery) => Promise<CutoverStatus> }, until: number): Promise<CutoverStatus> {
    let status = await handle.query(statusQuery);
    for (let i = 0; i < 100 && status.incidents.filter((n) => n.by === 'worker').length < until; i++) {
      await delay(100);
      status = await handle.query(statusQuery);
    }
    return status;
  }

  it('records a warning at the start when the plan routes notices to email and the worker has no SMTP server, and runs on', async () => {
    const plan = planFor(harness.stack, { notifications: notifications({ milestone: ['room', 'stakeholders'], default: ['room'] }) });
    const handle = await harness.start({ plan });
    const status = await warnings(handle, 1);
    const warned = status.incidents.filter((n) => n.by === 'worker');
    assert.deepEqual(
      warned.map((n) => [n.severity, n.source]),
      [['sev3', 'notification']],
    );
    assert.match(warned[0]?.summary ?? '', WARNING);
    assert.ok(Date.parse(warned[0]?.at ?? '') < Date.parse(status.stages[0]?.dueAt ?? ''), 'known before the first stage is due');

    assert.match(
      renderStatus({ status, executionStatus: 'RUNNING', approvers: {} }),
      /Incidents[\s\S]*warning: email channel stakeholders/,
    );
    const view: CutoverView = {
      workflowId: status.workflowId,
      plan,
      reading: { status, executionStatus: 'RUNNING', approvers: {} },
      viewer: { name: 'lara', roles: ['lead'], identity: { issuer: 'https://id.example', subject: 'lara' } as Viewer['identity'] },
      awaited: { stages: [], items: [] },
    };
    assert.match(
      cutoverSections(view, {})['events']?.text ?? '',
      /<li class="incident">[^<]* sev3 by worker: warning: email channel stakeholders/,
    );

    // A warning, never a failure: the timeline goes on to its first hold as it would with SMTP.
    const held = await advanceUntil(harness.env, handle, holdingAt('go-live'), 'the go-live gate');
    assert.equal(held.abort, undefined);
    assert.equal(held.incidents.filter((n) => n.by === 'worker').length, 1, 'warned once');
  });

  it('says nothing at the start when no notice is routed to the email channel', async () => {
    const handle = await harness.start({ plan: planFor(harness.stack, { notifications: notifications({ default: ['room'] }) }) });
    await advanceUntil(harness.env, handle, (s) => s.stages[0]?.status !== 'pending', 'the first stage');
    const status = await warnings(handle, 1);
    assert.deepEqual(
      status.incidents.filter((n) => n.by === 'worker'),
      [],
    );
  });

  it('counts an email channel only when a notice kind, or the rehearsal, reaches it', () => {
    const channels = {
      room: { kind: 'slack-webhook' as const, url: 'https://chat.acme.example/hooks/room' },
      board: { kind: 'email' as const, to: ['board@acme.example'] },
      spare: { kind: 'email' as const, to: ['spare@acme.example'] },
    };
    assert.deepEqual(routedEmailChannels({ channels, routes: { escalation: ['board'], default: ['room'] } }), ['board']);
    assert.deepEqual(routedEmailChannels({ channels, routes: { default: ['board', 'spare'] } }), ['board', 'spare']);
    assert.deepEqual(routedEmailChannels({ channels, routes: { escalation: ['board'] }, rehearsal: { channel: 'room' } }), []);
    assert.deepEqual(routedEmailChannels({ channels, routes: { default: ['room'] }, rehearsal: { channel: 'spare' } }), ['spare']);
    assert.deepEqual(routedEmailChannels({ channels, routes: { escalation: ['board'] }, rehearsal: true }), []);
    assert.deepEqual(routedEmailChannels({}), [], 'a plan that does not route notices has no email channel');
  });

  it("names at the worker's start where email goes, or that it cannot go anywhere", () => {
    assert.equal(
      emailStartLine(undefined),
      'email notices cannot be sent: the worker has no SMTP server (CUTOVER_SMTP_URL); a cutover whose plan routes notices to an email channel says so at its start',
    );
    assert.equal(
      emailStartLine({ host: 'mail.acme.example', port: 587, secure: false, user: 'cutover', password: 'hunter2', from: 'x@acme.example' }),
      'email notices go through smtp://mail.acme.example:587',
    );
  });
});
