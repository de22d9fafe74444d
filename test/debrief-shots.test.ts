/**
 * The debrief's dashboard screenshots are taken beside its hold: a dashboard that never answers costs the
 * lead nothing, and the record still gains its shot (with the reason it failed) before the cutover ends.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { DEFAULT_DASHBOARD_LOAD_TIMEOUT_MS } from '../src/activities/dashboard-shots.js';
import { approveUpdate, decideUpdate } from '../src/workflows/messages.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';
import { requireTestTool } from './helpers/test-tools.js';

describe("the debrief's dashboard screenshots (time-skipping server)", function () {
  this.timeout(300_000);
  const artifactsDir = mkdtempSync(join(tmpdir(), 'cutover-artifacts-'));
  const harness = useCutoverHarness('time-skipping', 'debrief-shots', {
    rateLimit: { perSecond: 10_000, burst: 10_000 },
    artifactsDir: () => artifactsDir,
  });
  /** A board whose server takes the connection and never answers: its load runs to the timeout. */
  const silent = createServer(() => undefined);

  before(async function () {
    requireTestTool(this, 'chromium');
    await new Promise<void>((listening) => silent.listen(0, '127.0.0.1', listening));
  });

  after(async () => {
    silent.close();
    await rm(artifactsDir, { recursive: true, force: true });
  });

  it('holds the debrief at once while a dashboard that never answers loads, and the record still gains its shot', async () => {
    const { env, stack } = harness;
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/d/slow`;
    const current = await harness.start({
      plan: planFor(stack, { postLaunch: { watch: { window: '3h' }, dashboards: [{ title: 'Silent board', url }] } }),
    });
    await advanceUntil(env, current, holdingAt('go-live'), 'the go-live gate');
    const auth = await runLowRiskAuthorization(stack.production.url);
    await current.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await current.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });

    const held = await advanceUntil(env, current, holdingAt('debrief'), 'the debrief');
    const debrief = stageOf(held, 'debrief');
    const heldAfterMs = Date.parse(debrief.hold?.since ?? '') - Date.parse(debrief.startedAt ?? '');
    assert.ok(
      heldAfterMs < DEFAULT_DASHBOARD_LOAD_TIMEOUT_MS / 3,
      `the hold began ${heldAfterMs} ms after the debrief's check, not after the board's ${DEFAULT_DASHBOARD_LOAD_TIMEOUT_MS} ms load timeout`,
    );
    assert.ok(held.debrief, 'the pack is there when the hold begins');
    assert.deepEqual(
      (held.dashboardShots ?? []).filter((s) => s.moment === 'debrief'),
      [],
      'the board was still loading when the debrief held',
    );

    // The lead need not wait for the screenshots: the cutover keeps them in flight until they arrive.
    await current.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: 'lara', reason: 'decided without the boards' }] });
    const final = await current.result();
    assert.equal(final.phase, 'rolled-back');
    const shots = (final.dashboardShots ?? []).filter((s) => s.moment === 'debrief');
    assert.deepEqual(
      shots.map((s) => [s.title, s.path]),
      [['Silent board', undefined]],
    );
    assert.match(shots[0]?.failed ?? '', /Timeout 15000ms exceeded/);
  });
});
