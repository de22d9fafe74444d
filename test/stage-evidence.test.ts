/**
 * Evidence read back from a status: the recorded histories' stages and checklist items decode whole, and a
 * field an older worker did not record, or recorded in another shape, reads "not recorded" in the progress
 * lines and the launch report instead of a wrong claim, "undefined" or a crash.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { progressLines } from '../src/dev/progress.js';
import { buildLaunchReport, renderLaunchReportMarkdown } from '../src/client/format/launch-report.js';
import { itemEvidence, stageEvidence } from '../src/operations/evidence.js';
import type { ChecklistItemState, CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import { HISTORIES_DIR } from './fixtures/history-fixtures.js';

const GO_LIVE = '2026-12-01T09:00:00.000Z';

/** Every cutover status a history carries: finished cutovers' results and the state each run handed on. */
async function recordedStatuses(): Promise<{ file: string; status: CutoverStatus }[]> {
  const found: { file: string; status: CutoverStatus }[] = [];
  const visit = (file: string, value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (Array.isArray(record.stages) && Array.isArray(record.checklist) && typeof record.workflowId === 'string') {
      found.push({ file, status: record as unknown as CutoverStatus });
      return;
    }
    for (const child of Object.values(record)) visit(file, child);
  };
  const files = (await readdir(HISTORIES_DIR)).filter((file) => file.endsWith('.json') && file !== 'manifest.json');
  for (const file of files) {
    const history = JSON.parse(await readFile(join(HISTORIES_DIR, file), 'utf8')) as { events: unknown[] };
    const payloads: { metadata?: { encoding?: string }; data?: string }[] = [];
    const collect = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      const record = value as Record<string, unknown>;
      if (typeof record.data === 'string' && typeof record.metadata === 'object') payloads.push(record);
      else for (const child of Object.values(record)) collect(child);
    };
    collect(history.events);
    for (const payload of payloads) {
      if (Buffer.from(payload.metadata?.encoding ?? '', 'base64').toString() !== 'json/plain' || !payload.data) continue;
      visit(file, JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')));
    }
  }
  return found;
}

function stage(id: StageState['id'], evidence: object, change: Partial<StageState> = {}): StageState {
  return {
    id,
    title: id,
    owner: 'lead',
    offset: 'T',
    status: 'passed',
    plannedAt: GO_LIVE,
    dueAt: GO_LIVE,
    startedAt: GO_LIVE,
    finishedAt: GO_LIVE,
    attempts: 1,
    problems: [],
    approvals: [],
    ...change,
    evidence,
  };
}

function status(stages: StageState[], checklist: ChecklistItemState[] = []): CutoverStatus {
  return {
    workflowId: 'cutover-evidence',
    programme: 'Acme Prepaid UK',
    phase: 'completed',
    goLive: GO_LIVE,
    timeScale: 1,
    startedBy: 'lara',
    startedAt: '2026-11-30T09:00:00.000Z',
    finishedAt: '2026-12-02T10:00:00.000Z',
    stages,
    checklist,
    refusals: [],
    escalations: [],
    incidents: [],
    compensations: [],
    dashboards: [],
    reminders: [],
  };
}

describe('evidence read back from a status', () => {
  it('decodes every stage and checklist item of the recorded histories without losing a field', async () => {
    const statuses = await recordedStatuses();
    assert.ok(statuses.length >= 5, `found ${statuses.length} recorded statuses`);
    let stages = 0;
    let items = 0;
    for (const { file, status: recorded } of statuses) {
      for (const s of recorded.stages) {
        assert.deepEqual(stageEvidence(s), s.evidence, `${file}: ${s.id}`);
        stages += 1;
      }
      for (const item of recorded.checklist) {
        const read = itemEvidence(item);
        if (read.kind === 'attested') assert.equal(read.text, item.evidence, `${file}: ${item.id}`);
        else if (read.kind === 'unknown') assert.fail(`${file}: ${item.id} has evidence no reader knows`);
        else assert.deepEqual(read.evidence, item.evidence ?? {}, `${file}: ${item.id}`);
        items += 1;
      }
    }
    assert.ok(stages > 0 && items > 0);
  });

  it('says a config diff whose differences are of another shape did not record them, instead of claiming none', () => {
    const diff = stage('config-diff', { configDiff: { keysCompared: 9, differences: 'two', unexpected: [] } });
    const lines = progressLines(undefined, status([diff]));
    assert.deepEqual(
      lines.filter((line) => line.includes('config-diff')),
      ['T     config-diff passed (differences not recorded (9 settings compared))'],
    );
  });

  it('names a paused job or a test card an older worker did not record as "not recorded", never "undefined"', () => {
    const jobs = stage('disable-sandbox-jobs', { jobs: [{ kind: 'http', wasActive: true }] });
    const goLive = stage('go-live', { smokeTests: { health: { status: 'ok' }, issueCard: { last4: '4242' } } });
    const lines = progressLines(undefined, status([jobs, goLive]));
    assert.ok(lines.includes('T     disable-sandbox-jobs passed (paused not recorded)'), lines.join('\n'));
    assert.ok(lines.includes('T     go-live passed (health ok, card not recorded issued)'), lines.join('\n'));
    assert.ok(
      lines.every((line) => !line.includes('undefined')),
      lines.join('\n'),
    );
  });

  it('renders a fee reconciliation row recorded without its statement lines as "not recorded" instead of failing the report', () => {
    const fees = stage(
      'fee-reconciliation',
      {
        feeReconciliation: {
          date: '2026-12-01',
          currencies: ['GBP'],
          byCurrency: [{ currency: 'GBP', expected: true, onStatement: true, metricsFees: 1200, matches: false }],
          tolerance: 0,
          matches: false,
        },
      },
      {
        owner: 'finance',
        problems: ['day-1 fees do not reconcile'],
        approvals: [{ by: 'fiona', role: 'finance', attempt: 1, decision: 'approved', at: GO_LIVE }],
      },
    );
    const markdown = renderLaunchReportMarkdown(status([fees]), new Date('2026-12-02T12:00:00.000Z'));
    assert.match(markdown, /\| 2026-12-01 \| GBP \| not recorded \| 1200 \| not recorded \| 0 \| \*\*no\*\* \|/);
    assert.match(markdown, /\| GBP \| not recorded \| - \|/);
    assert.match(markdown, /PayCA request ids: metrics not recorded, statement not recorded\./);
    const report = buildLaunchReport(status([fees]), new Date('2026-12-02T12:00:00.000Z'));
    assert.deepEqual(report.feeReconciliation.result?.requestIds, { metrics: null, statement: null });
  });

  it('reads a smoke-test step of another shape as not recorded in the report, keeping the steps around it', () => {
    const goLive = stage('go-live', {
      smokeTests: {
        health: { status: 'ok', environment: 'production', requestId: 'req_h' },
        issueCard: 'card_1',
        ledger: { entries: 'three', requestId: 'req_l' },
      },
    });
    const report = buildLaunchReport(status([goLive]), new Date('2026-12-02T12:00:00.000Z'));
    assert.deepEqual(
      report.smokeTests.map((s) => [s.step, s.requestId, s.detail]),
      [
        ['health', 'req_h', 'status ok, environment production'],
        ['ledger', 'req_l', 'ledger entry not recorded found among not recorded entries'],
      ],
    );
  });
});
