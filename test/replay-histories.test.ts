/**
 * Cutovers run for days, so a deploy meets cutovers in flight: their next workflow task replays the
 * history so far against the new code. These tests replay exported histories of every path a cutover takes
 * (test/fixtures/histories, written by `npm run fixtures:histories`) against the prebuilt workflow bundle
 * the worker runs, so a change that would break a cutover in flight fails here instead of in production.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_PATH } from '../src/worker/paths.js';
import { HISTORIES_DIR, MANIFEST_FILE, readHistory, readManifest, type HistoryFixture } from './fixtures/history-fixtures.js';

interface LoadedFixture {
  fixture: HistoryFixture;
  history: History;
}

/** Replays one by one, in order; returns each history's error message, or nothing when it replayed cleanly. */
async function replay(fixtures: LoadedFixture[]): Promise<{ file: string; error?: Error }[]> {
  const options: ReplayWorkerOptions = { workflowBundle: { codePath: WORKFLOW_BUNDLE_PATH }, replayName: 'fixture-replay' };
  const results: { file: string; error?: Error }[] = [];
  const histories = fixtures.map(({ fixture, history }) => ({ workflowId: fixture.workflowId, history }));
  for await (const result of Worker.runReplayHistories(options, histories)) {
    results.push({ file: fixtures[results.length]?.fixture.file ?? result.runId, error: result.error });
  }
  return results;
}

describe('replaying exported cutover histories', function () {
  this.timeout(120_000);
  let fixtures: LoadedFixture[] = [];

  before(async () => {
    assert.ok(existsSync(WORKFLOW_BUNDLE_PATH), 'the prebuilt workflow bundle is missing: run `npm run build`');
    const manifest = await readManifest();
    fixtures = await Promise.all(manifest.histories.map(async (fixture) => ({ fixture, history: await readHistory(fixture) })));
  });

  it('keeps a manifest entry for every history file, with the workflow type its history starts', async () => {
    const files = (await readdir(HISTORIES_DIR)).filter((name) => name.endsWith('.json') && name !== MANIFEST_FILE).sort();
    assert.deepEqual(fixtures.map((f) => f.fixture.file).sort(), files);
    for (const { fixture, history } of fixtures) {
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      assert.equal(started?.workflowType?.name, fixture.workflowType, `${fixture.file} starts a ${fixture.workflowType}`);
    }
    const types = new Set(fixtures.map((f) => f.fixture.workflowType));
    assert.deepEqual([...types].sort(), ['cutoverWorkflow', 'postLaunchWatchWorkflow'], 'both workflow types are covered');
    assert.ok(
      fixtures.some((f) => f.fixture.midFlight),
      'at least one history was exported mid-flight',
    );
  });

  it('replays every exported history against the current workflow code without a determinism error', async () => {
    const results = await replay(fixtures);
    assert.equal(results.length, fixtures.length, 'every history was replayed');
    const failures = results.filter((r) => r.error).map((r) => `${r.file}: ${r.error?.name}: ${r.error?.message}`);
    if (failures.length > 0) assert.fail(`${failures.length} of ${results.length} histories no longer replay:\n${failures.join('\n')}`);
  });

  it('fails the replay of a history whose scheduled activity differs from what the code schedules', async () => {
    const original = fixtures.find((f) => f.fixture.file === 'rolled-back-at-debrief.json');
    assert.ok(original, 'the rolled-back fixture exists');
    // Read afresh, so the other tests keep the history as exported.
    const history = await readHistory(original.fixture);
    const scheduled = history.events?.find((e) => e.activityTaskScheduledEventAttributes)?.activityTaskScheduledEventAttributes;
    assert.ok(scheduled?.activityType, 'the history schedules an activity');
    scheduled.activityType = { name: `${scheduled.activityType.name}Renamed` };

    const [result] = await replay([{ fixture: original.fixture, history }]);
    assert.ok(result?.error instanceof DeterminismViolationError, `expected a determinism violation, got ${String(result?.error)}`);
    assert.match(result.error.message, /Renamed/);
  });
});
