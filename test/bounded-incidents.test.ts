/**
 * The incident log stays bounded however many entries people add, on the dev server through the real CLI
 * and the Temporal client: the latest are kept in full, the rest counted, and `status`, `report` and the
 * Markdown report say how many were left out.
 */
import assert from 'node:assert/strict';
import { reportIncidentSignal } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { MAX_TEXT_LENGTH } from '../src/workflows/message-bounds.js';
import { MAX_INCIDENTS_KEPT } from '../src/workflows/state-bounds.js';
import { useCliStack } from './helpers/cli-stack.js';
import { waitForStatus } from './helpers/wait-for-status.js';
import { note } from './helpers/suite-logs.js';

/** Sends every job, `width` at a time. */
async function inParallel(jobs: (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]?.();
    }),
  );
}

/** 1,000 entries at the longest summary a message may carry would be over 2 MB kept whole. */
const STATUS_LIMIT_CHARS = 600_000;

describe('a bounded incident log', function () {
  this.timeout(300_000);
  const world = useCliStack('incidents');
  const cutover = (args: string[]) => world.cutover(args);

  it('keeps the latest 200 of 1,000 incidents in full, counts the rest, and status and the report say how many were left out', async () => {
    const workflowId = `incidents-${process.pid}-${Date.now().toString(36)}`;
    const started = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '+30d', '--as', 'lara']);
    assert.equal(started.code, 0, started.stderr);
    const handle = world.stack.client.workflow.getHandle(workflowId);

    const people = ['olivia', 'tomas', 'carlos', 'dana'];
    const severities = ['sev1', 'sev2', 'sev3'] as const;
    const flood = Array.from(
      { length: 997 },
      (_, n) => () =>
        handle.signal(reportIncidentSignal, {
          by: people[n % people.length] ?? 'olivia',
          severity: severities[n % severities.length] ?? 'sev3',
          summary: `incident ${n}: ${'z'.repeat(MAX_TEXT_LENGTH - 20)}`,
        }),
    );
    const sendStarted = Date.now();
    await inParallel(flood, 4);
    const sentMs = Date.now() - sendStarted;
    for (const n of [997, 998, 999]) {
      const added = await cutover([
        'incident',
        workflowId,
        '--severity',
        'sev2',
        '--summary',
        `incident ${n} through the CLI`,
        '--as',
        'carlos',
      ]);
      assert.equal(added.code, 0, added.stderr);
    }

    const status = await waitForStatus(
      world.stack.client,
      workflowId,
      'every incident counted',
      (s: CutoverStatus) => s.incidents.length + (s.omitted?.incidents ?? 0) >= 1_000,
    );
    const size = JSON.stringify(status).length;
    note(`      1,000 incidents sent in ${sentMs} ms; status JSON ${size} characters`);
    assert.equal(status.incidents.length, MAX_INCIDENTS_KEPT);
    assert.equal(status.omitted?.incidents, 800);
    assert.deepEqual(status.incidents.map((i) => i.summary.split(':')[0]).slice(-3), [
      'incident 997 through the CLI',
      'incident 998 through the CLI',
      'incident 999 through the CLI',
    ]);
    // Four senders at once may land a few out of order; the oldest are the ones left out.
    const keptNumbers = status.incidents.map((i) => Number(/^incident (\d+)/.exec(i.summary)?.[1]));
    assert.ok(Math.min(...keptNumbers) >= 790, `incident ${Math.min(...keptNumbers)} was kept`);
    assert.deepEqual(status.omitted?.incidentsBySource, { person: 800 });
    const bySeverity = status.omitted?.incidentsBySeverity ?? {};
    assert.equal((bySeverity.sev1 ?? 0) + (bySeverity.sev2 ?? 0) + (bySeverity.sev3 ?? 0), 800);
    assert.ok(size < STATUS_LIMIT_CHARS, `status is ${size} characters`);

    const human = await cutover(['status', workflowId]);
    assert.equal(human.code, 0, human.stderr);
    const omittedLine = human.stdout.split('\n').find((line) => line.includes('not kept in full'));
    assert.match(
      omittedLine ?? human.stdout.slice(-2_000),
      /800 older incident-log entries not kept in full \(person 800; sev1 \d+, sev2 \d+, sev3 \d+\)/,
    );
    const json = await cutover(['status', workflowId, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as CutoverStatus).omitted?.incidents, 800);

    const markdown = await cutover(['report', workflowId, '--format', 'md']);
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(
      markdown.stdout,
      /## Incident log\n\n- 800 older incident-log entries not kept in full \(person 800; sev1 \d+, sev2 \d+, sev3 \d+\)\n/,
    );
    const report = await cutover(['report', workflowId, '--format', 'json']);
    assert.equal(report.code, 0, report.stderr);
    const parsed = JSON.parse(report.stdout) as { incidents: unknown[]; omitted: { incidents: number } | null };
    assert.equal(parsed.incidents.length, MAX_INCIDENTS_KEPT);
    assert.equal(parsed.omitted?.incidents, 800);

    const aborted = await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'end of test']);
    assert.equal(aborted.code, 0, aborted.stderr);
  });
});
