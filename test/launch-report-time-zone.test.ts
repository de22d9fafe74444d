/**
 * Planned times in the plan's zone, in the launch report (Markdown, HTML, JSON) and in the room, as the CLI
 * and the calendar show them; wall-clock times stay in UTC. A plan without a zone reads as before.
 */
import assert from 'node:assert/strict';
import { buildLaunchReport, renderLaunchReportMarkdown } from '../src/client/format/launch-report.js';
import { renderLaunchReportHtml } from '../src/client/format/launch-report/document.js';
import type { CutoverView } from '../src/room/cutovers.js';
import { cutoverSections } from '../src/room/pages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import type { TaskState } from '../src/workflows/task-state.js';

const GO_LIVE = '2026-12-01T14:00:00.000Z';

function statusIn(timeZone: string | undefined): CutoverStatus {
  const task: TaskState = {
    id: 'freeze',
    title: 'Freeze onboarding',
    stream: 'engineering',
    owner: 'engineering',
    kind: 'manual',
    after: [],
    before: ['go-live'],
    status: 'done',
    notBeforePlanAt: '2026-12-01T08:00:00.000Z',
    estimateMs: 3_600_000,
    startedAt: '2026-12-01T08:00:05.000Z',
    finishedAt: '2026-12-01T08:30:00.000Z',
    startedPlanAt: '2026-12-01T08:00:05.000Z',
    finishedPlanAt: '2026-12-01T08:30:00.000Z',
    attempts: 0,
    problems: [],
    approvals: [],
  };
  return {
    workflowId: 'cutover-acme-prepaid-us-202612011400',
    programme: 'Acme Prepaid US',
    phase: 'waiting',
    goLive: GO_LIVE,
    timeScale: 1,
    startedBy: 'lara',
    startedAt: '2026-11-30T13:00:00.000Z',
    stages: [
      {
        id: 'go-live',
        title: 'Go-live',
        owner: 'lead',
        offset: 'T',
        status: 'pending',
        plannedAt: GO_LIVE,
        dueAt: GO_LIVE,
        attempts: 0,
        problems: [],
        approvals: [],
        evidence: {},
      },
    ],
    checklist: [],
    refusals: [],
    escalations: [],
    incidents: [],
    compensations: [],
    reminders: [],
    dashboards: [],
    tasks: [task],
    ...(timeZone && { timeline: { timeZone, stages: [] } }),
  } as unknown as CutoverStatus;
}

const generatedAt = new Date('2026-12-01T16:00:00.000Z');

describe("the launch report and the room in the plan's time zone", () => {
  it('shows go-live and planned times in the zone, with their offset, and wall-clock times in UTC', async () => {
    const status = statusIn('America/New_York');
    const markdown = renderLaunchReportMarkdown(status, generatedAt);
    assert.match(
      markdown,
      /^# Launch report: Acme Prepaid US, go-live 2026-12-01 14:00:00Z \(2026-12-01 09:00:00 -05:00 America\/New_York\)$/m,
    );
    assert.match(markdown, /\| stage \| at \| owner \| planned \(America\/New_York\) \| due \|/);
    assert.match(markdown, /\| T \| Programme lead \| 2026-12-01 09:00:00 -05:00 \| 2026-12-01 14:00:00Z \|/);
    assert.match(markdown, /\| task \| stream \| owner \| after \| planned \(America\/New_York\) \|/);
    assert.match(markdown, /\| 2026-12-01 03:00:00 -05:00 \| 1h \| 2026-12-01 08:00:05Z \| 2026-12-01 08:30:00Z \|/);

    const html = await renderLaunchReportHtml(status, generatedAt);
    assert.match(html, /<th[^>]*>planned \(America\/New_York\)<\/th>/);
    assert.match(html, /<td>2026-12-01 09:00:00 -05:00<\/td>/);
    assert.match(html, /<td>2026-12-01 03:00:00 -05:00<\/td>/);
    assert.equal(buildLaunchReport(status, generatedAt).timeZone, 'America/New_York');

    const view: CutoverView = {
      workflowId: status.workflowId,
      plan: { approvers: {} } as CutoverView['plan'],
      reading: { status, executionStatus: 'RUNNING', approvers: {} },
      viewer: {
        name: 'lara',
        roles: ['lead'],
        identity: { issuer: 'https://id.acme.example', subject: 'u-1', email: 'lara@acme.example', via: 'session' },
      },
      awaited: { stages: [], items: [] },
    };
    const page = Object.values(cutoverSections(view, {}))
      .map((section) => section.text)
      .join('\n');
    assert.match(page, /go-live 2026-12-01 14:00:00Z \(2026-12-01 09:00:00 -05:00 America\/New_York\)/);
  });

  it('reads as before for a plan without a zone: UTC, and the column just planned', async () => {
    const status = statusIn(undefined);
    const markdown = renderLaunchReportMarkdown(status, generatedAt);
    assert.match(markdown, /^# Launch report: Acme Prepaid US, go-live 2026-12-01 14:00:00Z$/m);
    assert.match(markdown, /\| stage \| at \| owner \| planned \| due \|/);
    assert.match(markdown, /\| T \| Programme lead \| 2026-12-01 14:00:00Z \| 2026-12-01 14:00:00Z \|/);
    assert.equal(buildLaunchReport(status, generatedAt).timeZone, 'UTC');
  });
});
