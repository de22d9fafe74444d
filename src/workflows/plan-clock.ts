/**
 * The plan's clock against the wall clock, for the cutover and its watch alike. A rehearsal runs the plan
 * `timeScale` times faster than the wall clock from one anchor, the cutover's first start, where both
 * clocks agree; a real cutover runs at 1, so plan time and wall time are the same.
 *
 * Two mappings from plan time to wall time, because they answer different questions: when something falls
 * due (never before the anchor: a stage planned before the cutover started is due at once), and where an
 * instant of plan time sits on the wall clock (a metrics window may begin before the anchor). Both keep the
 * arithmetic the workflows used before they shared this module, so recorded histories replay unchanged.
 */
export interface PlanClock {
  /** The wall time plan time runs faster from: the first run's start. */
  readonly anchorMs: number;
  readonly timeScale: number;
  /** Plan time at a wall time. */
  planAtMs(wallMs: number): number;
  /** Plan time now. */
  planNowMs(): number;
  /** Wall time a plan time falls due; a plan time before the anchor is due at the anchor. */
  dueAtMs(planMs: number): number;
  /** Wall time of any plan time, before the anchor too. */
  wallAtMs(planMs: number): number;
}

export function planClock(anchorMs: number, timeScale: number): PlanClock {
  const planAtMs = (wallMs: number) => anchorMs + (wallMs - anchorMs) * timeScale;
  return {
    anchorMs,
    timeScale,
    planAtMs,
    planNowMs: () => planAtMs(Date.now()),
    dueAtMs: (planMs: number) => anchorMs + Math.max(0, planMs - anchorMs) / timeScale,
    wallAtMs: (planMs: number) => anchorMs + (planMs - anchorMs) / timeScale,
  };
}
