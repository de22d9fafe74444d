import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderChecklistDocument } from '../src/client/format/checklist-document.js';
import { markdownInline } from '../src/workflows/markdown-text.js';
import { checklistSummaryLine, renderChecklist } from '../src/client/format/checklist.js';
import { renderStatus } from '../src/client/format/status.js';
import { RUNBOOK_ITEMS } from '../src/runbook/readiness-items.js';
import type { ChecklistItemState, CutoverStatus } from '../src/workflows/cutover-state.js';
import { runCli, itRefusesUsage } from './helpers/cli.js';
import { useCliStack } from './helpers/cli-stack.js';
import { waitForStatus } from './helpers/wait-for-status.js';

const AT = '2026-11-30T10:15:00.000Z';

/** What the workflow would hold mid-readiness: every runbook item, one programme item, every status. */
function handBuiltChecklist(): ChecklistItemState[] {
  const items: ChecklistItemState[] = RUNBOOK_ITEMS.map((def, n) => ({
    id: def.id,
    section: def.section,
    title: def.title,
    owner: def.owner,
    kind: def.kind,
    optional: def.optional ?? false,
    status: 'done',
    attempts: def.kind === 'automated' ? 1 : 0,
    problems: [],
    evidence: def.kind === 'automated' ? { checked: true } : `TICKET-${n}`,
    ...(def.kind === 'attested' && { completedBy: 'someone' }),
    at: AT,
  }));
  // Post-launch items (section 9) are due after go-live and stay open until the cutover rolls forward.
  for (const [n, def] of RUNBOOK_ITEMS.entries()) {
    const item = items[n];
    if (!def.postLaunch || !item) continue;
    items[n] = {
      ...item,
      status: 'open',
      attempts: 0,
      evidence: undefined,
      completedBy: undefined,
      at: undefined,
      postLaunch: { dueAt: new Date(Date.parse('2026-12-01T09:00:00.000Z') + def.postLaunch.dueAfterMs).toISOString() },
    };
  }
  items.push({
    id: 'legal-sign-off',
    section: 'Programme',
    title: 'Legal sign-off on cardholder terms',
    owner: 'lead',
    kind: 'attested',
    optional: false,
    status: 'open',
    attempts: 0,
    problems: [],
  });
  const edit = (id: string, change: Partial<ChecklistItemState>) => {
    const item = items.find((i) => i.id === id);
    assert.ok(item, id);
    for (const key of ['evidence', 'completedBy', 'at'] as const) delete item[key];
    Object.assign(item, change);
  };
  edit('production-credentials', { status: 'done', evidence: { requestId: 'req_cred_1', clientIdSuffix: '…a91f' }, at: AT });
  edit('secrets-in-vault', { status: 'open' });
  edit('rotate-sandbox-keys', { status: 'done', completedBy: 'erin', evidence: 'rotated | old keys revoked, SEC-7', at: AT });
  edit('cicd-env-vars', { status: 'failed', attempts: 2, problems: ['PAYCA_BASE_URL differs from the allow-list'], at: AT });
  // A plan may mark a runbook item optional, as this one does.
  edit('mutual-tls', { status: 'open', optional: true });
  edit('seed-card-records', { status: 'checking', attempts: 1, progress: { done: 120, total: 500 } });
  edit('pci-segmentation', { status: 'waived', waivedBy: 'lara', reason: 'PAN retrieval is not enabled', at: AT });
  edit('tier1-error-codes', { status: 'open' });
  edit('escalation-matrix', { status: 'open' });
  edit('customer-messaging', {
    status: 'done',
    completedBy: 'carlos',
    evidence: `https://wiki.example/cx/payca-outage-messaging ${'and a very long explanation '.repeat(6)}`,
    at: AT,
  });
  return items;
}

function handBuiltStatus(checklist = handBuiltChecklist()): CutoverStatus {
  return {
    workflowId: 'cutover-acme-prepaid-uk-202612010900',
    programme: 'Acme Prepaid UK',
    phase: 'waiting',
    goLive: '2026-12-01T09:00:00.000Z',
    timeScale: 1,
    startedBy: 'lara',
    startedAt: '2026-11-29T09:00:00.000Z',
    stages: [],
    checklist,
    refusals: [],
    escalations: [],
    incidents: [],
    compensations: [],
    reminders: [],
    dashboards: [],
  };
}

const OPEN_BY_OWNER =
  'Engineering (secrets-in-vault), DevOps (cicd-env-vars), CX (tier1-error-codes, escalation-matrix), Programme lead (legal-sign-off)';
const SECTIONS = [...new Set(RUNBOOK_ITEMS.map((item) => item.section)), 'Programme'];

describe('launch checklist formatting', () => {
  describe('the Markdown document', () => {
    const generatedAt = new Date('2026-11-30T12:00:00.000Z');
    const document = renderChecklistDocument(handBuiltStatus(), generatedAt);
    const lines = document.split('\n');
    const rowOf = (id: string) => {
      const row = lines.find((line) => line.startsWith('|') && line.includes(`<br>\`${id}\``));
      assert.ok(row, `no row for ${id} in\n${document}`);
      return row;
    };

    it('is titled with the programme and go-live, and says when it was generated', () => {
      assert.equal(lines[0], '# Launch checklist: Acme Prepaid UK, go-live 2026-12-01 09:00:00Z');
      assert.match(document, /Cutover `cutover-acme-prepaid-uk-202612010900`, phase waiting\. Generated 2026-11-30 12:00:00Z\./);
    });

    it('is the same document for the same status and time', () => {
      assert.equal(renderChecklistDocument(handBuiltStatus(), generatedAt), document);
    });

    it('summarises the open required items by owner before the first section', () => {
      const summary = lines.indexOf('## Open required items');
      const firstSection = lines.indexOf(`## ${markdownInline(SECTIONS[0] ?? '')}`);
      assert.ok(summary > 0 && summary < firstSection, document);
      assert.ok(lines.includes('5 of 24 required items open:'), document);
      assert.ok(lines.includes('| Engineering | `secrets-in-vault` |'), document);
      assert.ok(lines.includes('| DevOps | `cicd-env-vars` |'), document);
      assert.ok(lines.includes('| CX | `tier1-error-codes`, `escalation-matrix` |'), document);
      assert.ok(lines.includes('| Programme lead | `legal-sign-off` |'), document);
      const openTable = lines.slice(summary, firstSection).join('\n');
      assert.doesNotMatch(openTable, /mutual-tls|seed-card-records/, 'optional items never block');
    });

    it('has a table per runbook section, in runbook order, with every item in it', () => {
      const headings = lines.filter((line) => line.startsWith('## ') && line !== '## Open required items');
      assert.deepEqual(
        headings,
        SECTIONS.map((section) => `## ${markdownInline(section)}`),
        'section names written as text: & as an entity',
      );
      assert.equal(
        lines.filter((line) => line === '| item | owner | kind | status | completed/waived by | when | evidence or reason | problems |')
          .length,
        SECTIONS.length - 1,
      );
      assert.equal(
        lines.filter(
          (line) =>
            line === '| item | owner | kind | status | due (plan time) | completed/waived by | when | evidence or reason | problems |',
        ).length,
        1,
        'the post-launch section shows when each item is due',
      );
      for (const item of handBuiltChecklist()) rowOf(item.id);
    });

    it('shows evidence, escaping pipes so the table holds', () => {
      assert.equal(
        rowOf('rotate-sandbox-keys'),
        '| Rotate sandbox keys<br>`rotate-sandbox-keys` | Engineering | attested | done | erin | 2026-11-30 10:15:00Z | rotated \\| old keys revoked, SEC-7 | - |',
      );
      assert.match(
        rowOf('production-credentials'),
        /\| automated \| done \| - \| 2026-11-30 10:15:00Z \| request id: req_cred_1; client id suffix: …a91f \| - \|$/,
      );
      // A URL someone gave as evidence reads as written but is not made a link.
      assert.match(rowOf('customer-messaging'), /https\\:\/\/wiki\.example\/cx\/payca-outage-messaging and a very long explanation/);
    });

    it('shows a waived item with who waived it and why', () => {
      assert.equal(
        rowOf('pci-segmentation'),
        '| PCI segmentation verified if PAN retrieval is enabled _(optional)_<br>`pci-segmentation` | Compliance | attested | waived | lara | 2026-11-30 10:15:00Z | PAN retrieval is not enabled | - |',
      );
    });

    it('marks optional items, and shows problems, attempts and progress', () => {
      assert.match(rowOf('mutual-tls'), /^\| Mutual TLS configured if required _\(optional\)_<br>/);
      assert.doesNotMatch(rowOf('secrets-in-vault'), /optional/);
      assert.match(
        rowOf('cicd-env-vars'),
        /\| DevOps \| automated \| failed \(attempt 2\) \| - \| .* \| PAYCA_BASE_URL differs from the allow-list \|$/,
      );
      assert.match(rowOf('seed-card-records'), /\| checking \(120\/500\) \|/);
    });

    it('says when nothing required is open', () => {
      const closed = handBuiltChecklist().map((item) => (item.optional ? item : { ...item, status: 'done' as const }));
      const text = renderChecklistDocument(handBuiltStatus(closed), generatedAt);
      assert.match(text, /## Open required items\n\nAll 24 required items are done or waived\./);
    });
  });

  describe('the terminal table', () => {
    const text = renderChecklist(handBuiltStatus());
    const lines = text.split('\n');
    const lineOf = (id: string) => lines.find((line) => line.startsWith(`${id} `));

    it('groups items by section with id, title, owner title, kind, status, who and when', () => {
      assert.equal(lines[0], 'cutover-acme-prepaid-uk-202612010900: Acme Prepaid UK, go-live 2026-12-01 09:00:00Z, launch checklist');
      for (const section of SECTIONS) assert.ok(lines.includes(section), `section ${section} in\n${text}`);
      assert.ok(lines.indexOf('1 Credentials & Access') < lines.indexOf('2 Infrastructure'));
      assert.match(
        lineOf('rotate-sandbox-keys') ?? '',
        /^rotate-sandbox-keys\s+Rotate sandbox keys\s+Engineering\s+attested\s+done\s+erin at 2026-11-30 10:15:00Z\s+rotated \| old keys revoked, SEC-7\s+-$/,
      );
      assert.match(
        lineOf('pci-segmentation') ?? '',
        /\(optional\)\s+Compliance\s+attested\s+waived\s+lara at 2026-11-30 10:15:00Z\s+PAN retrieval is not enabled/,
      );
      assert.match(
        lineOf('cicd-env-vars') ?? '',
        /DevOps\s+automated\s+failed \(attempt 2\)\s+2026-11-30 10:15:00Z\s+-\s+PAYCA_BASE_URL differs from the allow-list$/,
      );
    });

    it('shortens long evidence', () => {
      const line = lineOf('customer-messaging') ?? '';
      assert.match(line, /\s{2}https:\/\/wiki\.example\/cx\/payca-outage-messaging and a very l…\s{2}-$/);
      assert.doesNotMatch(line, /(and a very long explanation ){6}/);
    });

    it('ends with the open required items by owner', () => {
      assert.equal(lines.at(-1), `5 of 24 required items open: ${OPEN_BY_OWNER}`);
    });

    it('with --open, lists only items neither done nor waived, optional ones included', () => {
      const open = renderChecklist(handBuiltStatus(), { openOnly: true }).split('\n');
      const ids = open.map((line) => line.split(' ')[0]).filter((id) => handBuiltChecklist().some((item) => item.id === id));
      assert.deepEqual(ids, [
        'secrets-in-vault',
        'cicd-env-vars',
        'mutual-tls',
        'seed-card-records',
        'tier1-error-codes',
        'escalation-matrix',
        'hourly-metrics-review',
        'day1-fee-reconciliation',
        'support-ticket-review',
        'retro-scheduled',
        'legal-sign-off',
      ]);
      assert.ok(!open.includes('7 Compliance & Risk'), 'a section with nothing open is left out');
      assert.equal(open.at(-1), `5 of 24 required items open: ${OPEN_BY_OWNER}`);
    });

    it('says so when a cutover has no checklist (started before it existed)', () => {
      const old = handBuiltStatus();
      delete (old as Partial<CutoverStatus>).checklist;
      assert.match(renderChecklist(old), /has no launch checklist/);
      assert.equal(checklistSummaryLine([]), undefined);
      assert.doesNotMatch(renderStatus({ status: old, executionStatus: 'RUNNING', approvers: {} }), /checklist:/);
    });
  });

  describe('cutover status', () => {
    it('shows the checklist in one line, blockers by owner', () => {
      const text = renderStatus({ status: handBuiltStatus(), executionStatus: 'RUNNING', approvers: {} });
      assert.ok(text.split('\n').includes(`checklist: 19 of 31 done, 1 waived, 5 open: ${OPEN_BY_OWNER}; post-launch: 4 of 4 open`), text);
    });

    it('names the item of a refused checklist message', () => {
      const status = handBuiltStatus();
      status.refusals.push({
        kind: 'complete-item',
        via: 'signal',
        by: 'carlos',
        item: 'secrets-in-vault',
        reason: 'owned by Engineering',
        at: AT,
      });
      const text = renderStatus({ status, executionStatus: 'RUNNING', approvers: {} });
      assert.match(text, /Refusals:\n {2}2026-11-30 10:15:00Z complete-item secrets-in-vault by carlos via signal: owned by Engineering/);
    });
  });
});

describe('checklist commands: usage errors (exit 2)', function () {
  this.timeout(30_000);
  const cases: { args: string[]; says: RegExp }[] = [
    { args: ['complete', 'some-id', 'secrets-in-vault', '--as', 'erin'], says: /required option '--evidence <text>'/ },
    {
      args: ['complete', 'some-id', 'secrets-in-vault', '--as', 'erin', '--evidence', '   '],
      says: /--evidence "   " is not valid: must not be empty/,
    },
    { args: ['complete', 'some-id', 'secrets-in-vault', '--evidence', 'SEC-1'], says: /required option '--as <who>'/ },
    {
      args: ['complete', 'some-id', 'secrets-in-vault', '--as', 'erin smith', '--evidence', 'SEC-1'],
      says: /--as "erin smith" is not valid/,
    },
    { args: ['waive', 'some-id', 'pci-segmentation', '--as', 'lara'], says: /required option '--reason <text>'/ },
    { args: ['waive', 'some-id', 'pci-segmentation', '--as', 'lara', '--reason', ''], says: /--reason "" is not valid: must not be empty/ },
    {
      args: ['retry-item', 'some-id', 'Prefund Master!', '--as', 'tomas'],
      says: /item "Prefund Master!" is not valid: must be a checklist item id, lower-case words joined by dashes/,
    },
    {
      args: ['retry-item', 'some-id', 'Prefund_Master_Accounts', '--as', 'tomas'],
      says: /item "Prefund_Master_Accounts" is not valid: did you mean prefund-master-accounts\?/,
    },
    { args: ['retry-item', 'some-id', '--as', 'tomas'], says: /missing required argument 'item'/ },
    { args: ['checklist'], says: /missing required argument 'id'/ },
    {
      args: ['report', 'some-id', '--checklist', '--format', 'json'],
      says: /--format json is not available with --checklist: section documents are Markdown/,
    },
    {
      args: ['report', 'some-id', '--checklist', '--out', join('no-such-dir', 'checklist.md')],
      says: /--out ".*checklist\.md" is not valid: directory .*no-such-dir does not exist/,
    },
  ];
  itRefusesUsage(cases);

  it('documents each new command with examples in --help', async () => {
    for (const command of ['checklist', 'complete', 'waive', 'retry-item', 'report']) {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`Usage: cutover ${command} `));
      assert.match(result.stdout, new RegExp(`Examples:\\n {2}\\$ cutover ${command} `));
    }
  });
});

describe('checklist commands on the dev server', function () {
  this.timeout(240_000);
  const world = useCliStack('checklist');
  const workflowId = `checklist-cli-${process.pid}-${Date.now().toString(36)}`;
  const cutover = (args: string[]) => world.cutover(args);

  before(async () => {
    // Go-live a day away at real speed: the timeline waits, so only the checklist moves.
    const started = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '+25h', '--as', 'lara']);
    assert.equal(started.code, 0, started.stderr);
    // The automated checks settle first, so the open items the suite reads are the attested ones it expects.
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
      .terminate('checklist CLI test over')
      .catch(() => undefined);
  });

  it('refuses a person outside the owning team, naming the owners (exit 1)', async () => {
    const result = await cutover(['complete', workflowId, 'secrets-in-vault', '--as', 'carlos', '--evidence', 'looks fine']);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stderr, /carlos cannot complete secrets-in-vault: it is owned by Engineering \(erin, eli\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('completes an attested item for its owner', async () => {
    const result = await cutover([
      'complete',
      workflowId,
      'secrets-in-vault',
      '--as',
      'erin',
      '--evidence',
      'vault path kv/payca/prod, SEC-412',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`complete-item accepted by ${workflowId}: secrets-in-vault is done`));
  });

  it('shows it done in checklist --json, with who and the evidence', async () => {
    const result = await cutover(['checklist', workflowId, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const items = JSON.parse(result.stdout) as ChecklistItemState[];
    for (const section of new Set(RUNBOOK_ITEMS.map((i) => i.section)))
      assert.ok(
        items.some((i) => i.section === section),
        section,
      );
    const item = items.find((i) => i.id === 'secrets-in-vault');
    assert.equal(item?.status, 'done');
    assert.equal(item?.completedBy, 'erin');
    assert.equal(item?.evidence, 'vault path kv/payca/prod, SEC-412');
    assert.ok(item?.at, 'when it was completed');
    const open = JSON.parse((await cutover(['checklist', workflowId, '--json', '--open'])).stdout) as ChecklistItemState[];
    assert.ok(!open.some((i) => i.id === 'secrets-in-vault'), 'a done item is not open');
    const human = await cutover(['checklist', workflowId, '--open']);
    assert.equal(human.code, 0, human.stderr);
    assert.doesNotMatch(human.stdout, /^secrets-in-vault /m);
    assert.match(human.stdout, /^rotate-sandbox-keys\s+Rotate sandbox keys\s+Engineering\s+attested\s+open/m);
    assert.match(human.stdout, /\n\d+ of \d+ required items open: .*Engineering \(rotate-sandbox-keys, /);
  });

  it('sums the checklist up in one line of status, blockers by owner', async () => {
    const result = await cutover(['status', workflowId]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^checklist: \d+ of \d+ done, \d+ open: .*Engineering \((?![^)]*secrets-in-vault)[^)]*\)/m);
  });

  it('writes the checklist document with the completed item', async () => {
    const out = join(world.dataDir, 'launch-checklist.md');
    const result = await cutover(['report', workflowId, '--checklist', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`wrote checklist report of ${workflowId} to .*launch-checklist\\.md`));
    const document = await readFile(out, 'utf8');
    assert.match(document, /^# Launch checklist: Acme Prepaid UK, go-live /);
    assert.match(
      document,
      /\| Store secrets in vault\/KMS<br>`secrets-in-vault` \| Engineering \| attested \| done \| erin \| .* \| vault path kv\/payca\/prod, SEC-412 \| - \|/,
    );
  });
});
