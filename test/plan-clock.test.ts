/**
 * The plan clock the cutover and its watch share (src/workflows/plan-clock.ts). Recorded histories hold
 * times computed with the formulas each workflow had before it used this module, so the clock must give
 * exactly those numbers, not nearly.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planClock } from '../src/workflows/plan-clock.js';

const HOUR = 3_600_000;
const ANCHOR = Date.parse('2026-12-01T09:00:00.000Z');

describe('the plan clock', () => {
  it('runs a real cutover on the wall clock: at time scale 1 plan time and wall time are the same', () => {
    const clock = planClock(ANCHOR, 1);
    assert.equal(clock.dueAtMs(ANCHOR + 24 * HOUR), ANCHOR + 24 * HOUR);
    assert.equal(clock.wallAtMs(ANCHOR + 24 * HOUR), ANCHOR + 24 * HOUR);
    assert.equal(clock.planAtMs(ANCHOR + HOUR), ANCHOR + HOUR);
  });

  it('runs a rehearsal faster: at time scale 60 a stage planned an hour after the start is due a minute after it', () => {
    const clock = planClock(ANCHOR, 60);
    assert.equal(clock.dueAtMs(ANCHOR + HOUR), ANCHOR + 60_000);
    assert.equal(clock.planAtMs(ANCHOR + 60_000), ANCHOR + HOUR);
  });

  it('makes a plan time already past at the start due at once, while its place on the wall clock stays before the start', () => {
    const clock = planClock(ANCHOR, 60);
    assert.equal(clock.dueAtMs(ANCHOR - HOUR), ANCHOR);
    assert.equal(clock.wallAtMs(ANCHOR - HOUR), ANCHOR - 60_000);
  });

  it('reads plan time now from the wall clock', () => {
    const clock = planClock(Date.now() - 1_000, 3_600);
    const planNow = clock.planNowMs();
    // One wall second at 3,600 times is an hour of plan time, give or take the time this test takes.
    assert.ok(
      planNow >= clock.anchorMs + HOUR && planNow < clock.anchorMs + 2 * HOUR,
      `plan now ${planNow - clock.anchorMs} ms after the anchor`,
    );
  });

  it("gives exactly the times the cutover's and the watch's own formulas gave, so recorded histories replay", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: -30 * 24 * HOUR, max: 30 * 24 * HOUR }),
        fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 100_000 }), fc.double({ min: 1, max: 10_000, noNaN: true })),
        (anchorMs, offsetMs, timeScale) => {
          const clock = planClock(anchorMs, timeScale);
          const planMs = anchorMs + offsetMs;
          assert.equal(clock.dueAtMs(planMs), anchorMs + Math.max(0, planMs - anchorMs) / timeScale);
          assert.equal(clock.wallAtMs(planMs), anchorMs + (planMs - anchorMs) / timeScale);
          assert.equal(clock.planAtMs(planMs), anchorMs + (planMs - anchorMs) * timeScale);
        },
      ),
    );
  });
});
