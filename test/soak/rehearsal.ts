/**
 * One compressed rehearsal of a soak: a cutover against its own PayCA simulators, random faults injected
 * at random moments of its timeline, and scripted people who answer gates, retry some held stages and
 * leave others held. It ends completed, rolled back or held (then aborted, so nothing is left running),
 * and reports what PayCA's own state says about the money it moved.
 */
import { runLowRiskAuthorization } from '../../src/dev/low-risk-authorization.js';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { cutoverWorkflow } from '../../src/workflows/cutover.js';
import { abortUpdate, approveUpdate, CUTOVER_TASK_QUEUE, decideUpdate, retryUpdate, statusQuery } from '../../src/workflows/messages.js';
import type { CutoverInput, CutoverStatus, StageState } from '../../src/workflows/cutover-state.js';
import type { PaycaStack } from '../helpers/payca-stack.js';
import { planFor } from '../helpers/plans.js';
import { drawFault, type DrawnFault } from './fault-catalogue.js';
import { duplicatesIn, moneyMovements, type MoneyMovements } from './money-movements.js';
import type { SeededRandom } from './seeded-random.js';

const HOUR = 3_600_000;
/** Go-live this far ahead: the timeline starts at T-24h, an hour after the start. */
const GO_LIVE_IN_MS = 25 * HOUR;
/** Plan time from the start to the debrief (T+2h), over which faults are spread. */
const PLAN_SPAN_MS = GO_LIVE_IN_MS + 2 * HOUR;
const POLL_MS = 1_000;

export type RehearsalOutcome = 'completed' | 'rolled-back' | 'held' | 'held-unnamed' | 'stuck' | 'failed';

export interface RehearsalResult {
  index: number;
  workflowId: string;
  outcome: RehearsalOutcome;
  /** For a held run: the stage, its reason, the error code and PayCA request id behind it. */
  held?: { stage: string; reason: string; errorType?: string; requestId?: string };
  retries: number;
  faults: DrawnFault[];
  money: MoneyMovements;
  duplicates: number;
  goLiveAttempts: number;
  wallMs: number;
  detail?: string;
}

export interface RehearsalOptions {
  client: Client;
  stack: PaycaStack;
  index: number;
  workflowId: string;
  random: SeededRandom;
  timeScale: number;
  retryBudget: string;
  retryBudgetMs: number;
  /** The run counts as stuck past this much wall time. */
  deadlineMs: number;
  log: (line: string) => void;
}

/** A hold caused by a check's finding or a failed call, as opposed to a gate waiting for sign-off. */
const hasProblem = (stage: StageState): boolean => stage.problems.length > 0 || stage.error !== undefined;

/**
 * A hold is named when a person reading it learns what failed: a PayCA or client error code (Err…) or
 * another failure type from the activities, or a check's finding written out as a problem.
 */
function isNamedHold(stage: StageState): boolean {
  const reason = stage.hold?.reason ?? '';
  if (reason.trim() === '') return false;
  if (stage.error === undefined) return stage.problems.length > 0;
  const generic = ['Error', 'ApplicationFailure', 'ActivityFailure', 'TimeoutFailure'];
  return /^[A-Z][A-Za-z0-9_]+$/.test(stage.error.type) && !generic.includes(stage.error.type) && reason.startsWith(stage.error.type);
}

export async function runRehearsal(options: RehearsalOptions): Promise<RehearsalResult> {
  const { client, stack, random, timeScale, log } = options;
  const startedAt = Date.now();
  const plan = planFor(stack, { paycaRetryBudget: options.retryBudget });
  const input: CutoverInput = {
    plan,
    goLive: new Date(startedAt + GO_LIVE_IN_MS).toISOString(),
    timeScale,
    startedBy: 'lara',
  };

  // Drawn up front, so the same seed injects the same faults at the same moments whatever the timing.
  const planned = Array.from({ length: random.int(1, 3) }, () => ({
    atMs: random.int(0, Math.round(PLAN_SPAN_MS / timeScale)),
    fault: drawFault(random, options.retryBudgetMs),
  }));
  const injected: DrawnFault[] = [];
  const timers = planned.map(({ atMs, fault }) =>
    setTimeout(() => {
      injected.push(fault);
      stack.admin('faults', 'POST', fault.input).catch((err: unknown) => log(`run ${options.index}: fault not injected: ${String(err)}`));
    }, atMs),
  );

  const handle = await client.workflow.start(cutoverWorkflow, {
    taskQueue: CUTOVER_TASK_QUEUE,
    workflowId: options.workflowId,
    args: [input],
  });

  let retries = 0;
  const retriesByStage = new Map<string, number>();
  let outcome: RehearsalOutcome | undefined;
  let held: RehearsalResult['held'];
  let detail: string | undefined;
  const answered = new Set<string>();

  try {
    while (outcome === undefined) {
      if (Date.now() - startedAt > options.deadlineMs) {
        outcome = 'stuck';
        break;
      }
      const status: CutoverStatus = await handle.query(statusQuery);
      if (status.phase === 'completed' || status.phase === 'rolled-back') {
        outcome = status.phase;
        break;
      }
      if (status.phase === 'aborted') {
        outcome = 'failed';
        detail = 'aborted by someone other than the soak';
        break;
      }
      const stage = status.stages.find((s) => s.id === status.currentStage);
      if (status.phase === 'holding' && stage) {
        const key = `${stage.id}#${stage.attempts}`;
        if (hasProblem(stage)) {
          const used = retriesByStage.get(stage.id) ?? 0;
          // Half the held stages are retried (at most twice), after a pause; the rest stay held for good.
          if (used < 2 && random.chance(0.5)) {
            await delay(random.int(1_000, 5_000));
            await handle.executeUpdate(retryUpdate, { args: [{ stage: stage.id, by: 'lara' }] });
            retriesByStage.set(stage.id, used + 1);
            retries += 1;
            continue;
          }
          outcome = isNamedHold(stage) ? 'held' : 'held-unnamed';
          held = { stage: stage.id, reason: stage.hold?.reason ?? '', errorType: stage.error?.type, requestId: stage.error?.requestId };
          await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: `soak: left held at ${stage.id}` }] });
          break;
        }
        if (stage.id === 'go-live' && !answered.has(key)) {
          answered.add(key);
          const authorizationId = (await runLowRiskAuthorization(stack.production.url)).id;
          try {
            await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId }] });
          } catch (err) {
            // An injected fault can keep the gate from reading the authorization at PayCA: approve again later.
            if (!(err instanceof WorkflowUpdateFailedError)) throw err;
            answered.delete(key);
            await delay(POLL_MS);
            continue;
          }
          await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'eli' }] });
          continue;
        }
        if (stage.id === 'debrief' && !answered.has(key)) {
          answered.add(key);
          const decision = random.chance(0.75) ? 'roll-forward' : 'roll-back';
          await handle.executeUpdate(decideUpdate, { args: [{ decision, by: 'lara', reason: `soak rehearsal ${options.index}` }] });
          continue;
        }
      }
      await delay(POLL_MS);
    }
    if (outcome === 'stuck') {
      await handle.terminate('soak: past the deadline');
    } else {
      const result = await handle.result();
      if (outcome === 'held' || outcome === 'held-unnamed') {
        if (result.phase !== 'aborted') detail = `ended ${result.phase} after the abort`;
      }
    }
  } catch (err) {
    outcome = 'failed';
    detail = err instanceof Error ? err.message : String(err);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }

  let goLiveAttempts = 0;
  try {
    const final: CutoverStatus = await handle.query(statusQuery);
    goLiveAttempts = final.stages.find((s) => s.id === 'go-live')?.attempts ?? 0;
  } catch {
    // A terminated or failed run cannot answer; count its cards without the attempts bound.
  }
  const money = await moneyMovements(stack, goLiveAttempts);
  return {
    index: options.index,
    workflowId: options.workflowId,
    outcome,
    held,
    retries,
    faults: injected,
    money,
    duplicates: duplicatesIn(money),
    goLiveAttempts,
    wallMs: Date.now() - startedAt,
    detail,
  };
}
