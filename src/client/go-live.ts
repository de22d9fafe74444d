/** Which go-live a start uses: the flag wins over the plan; one of them is required. */
import { UsageError } from '../errors.js';
import type { CutoverPlan } from '../plan/schema.js';
import { parseGoLive } from './arguments.js';

export function resolveGoLive(plan: CutoverPlan, flag: string | undefined, now: Date = new Date()): Date {
  if (flag !== undefined) return parseGoLive(flag, now);
  if (plan.goLive) return new Date(plan.goLive);
  throw new UsageError(
    `the plan for ${plan.programme} has no goLive and --go-live was not given; pass --go-live 2026-12-01T09:00:00Z or --go-live +25h`,
  );
}
