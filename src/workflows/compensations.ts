/**
 * What a cutover changed that a roll-back or abort must undo, and the undoing, newest first.
 *
 * A compensation that fails keeps retrying with backoff for the plan's `compensationRetryBudget`, then holds
 * for Engineering with the reason until someone retries it or marks it done by hand with evidence: an
 * undo that did not happen must never look like one that did. Cutovers started before holding existed
 * keep their old way (the failure is recorded and the rest still run), so their histories replay.
 */
import { ActivityFailure, ApplicationFailure, condition, log, patched, proxyActivities, TimeoutFailure } from '@temporalio/workflow';
import type { CutoverActivities } from '../activities/index.js';
import type { CutoverPlan } from '../plan/schema.js';
import { activityProblem, cutoverActivities, paycaActivities, type PaycaCallOptions } from './activity-proxies.js';
import type { CompensationDoneArgs, RetryCompensationArgs } from './messages.js';
import type { Compensation, CompensationRecord } from './cutover-state.js';

export type { Compensation };

/** Seeded cards closed per activity: bounded work and payload whatever the number of cards. */
export const SEED_CLOSE_BATCH = 200;
/** One batch of closes: minutes of PayCA calls at the worker's share of the rate, heartbeating as it goes. */
const SEED_CLOSE_CALL: PaycaCallOptions = { startToCloseTimeout: 300_000, heartbeatTimeout: '30s' };

const DEFAULT_RETRY_BUDGET_MS = 15 * 60_000;

/** Engineering's answer to the compensation that holds, set by the message handlers. */
export type CompensationAnswer =
  { kind: 'retry'; args: RetryCompensationArgs } | { kind: 'done-by-hand'; args: CompensationDoneArgs; at: string };

export interface CompensationRun {
  plan: CutoverPlan;
  /** Owed compensations, oldest first; each leaves the list once it is undone, kept or done by hand. */
  pending: Compensation[];
  records: CompensationRecord[];
  /** Holding for Engineering, then back to compensating. */
  onHold(record: CompensationRecord): Promise<void>;
  onResume(): void;
  /** Read and cleared by the run while a compensation holds. */
  answer: { current?: CompensationAnswer };
  /**
   * While a step holds, the run may continue as new when this says so; the next run passes `resumeHeld`
   * and waits for Engineering's answer on the same record instead of trying the step again.
   */
  shedding?: { ready(): boolean; shed(): Promise<never> };
  resumeHeld?: { onStillHeld(): void };
}

function compensationActivities(budgetMs: number, summary: string) {
  return proxyActivities<CutoverActivities>({
    startToCloseTimeout: '60s',
    heartbeatTimeout: '20s',
    scheduleToCloseTimeout: budgetMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s' },
    summary,
  });
}

function describeSeededCards(count: number): string {
  return `${count} seeded card${count === 1 ? '' : 's'}`;
}

async function undo(plan: CutoverPlan, step: Compensation, holds: boolean): Promise<string> {
  const production = plan.payca.production.baseUrl;
  const budgetMs = holds ? (plan.compensationRetryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS) : plan.paycaRetryBudgetMs;
  switch (step.step) {
    case 'restore-sandbox-jobs': {
      const summary = 'roll-back: restore sandbox jobs';
      const act = holds ? compensationActivities(budgetMs, summary) : cutoverActivities(summary);
      const { restored } = await act.restoreSandboxJobs({ jobs: plan.sandboxJobs, priorStates: step.priorStates });
      return `restored ${restored.join(', ') || 'none (all were paused before)'}`;
    }
    case 'remove-webhook-subscription': {
      const removed = await paycaActivities(budgetMs, 'roll-back: remove webhook subscription').removeWebhookSubscription({
        baseUrl: production,
        subscriptionId: step.subscriptionId,
      });
      return `${step.subscriptionId} (request ${removed.requestId ?? 'n/a'})`;
    }
    case 'close-test-card': {
      const closed = await paycaActivities(budgetMs, 'roll-back: close test card').closeTestCard({
        baseUrl: production,
        cardId: step.cardId,
      });
      return `${step.cardId} (request ${closed.requestId})`;
    }
    case 'close-seeded-cards': {
      const requestIds: string[] = [];
      let closedByRef = 0;
      const seeded = step.records;
      // Newest record first; each range is looked up by externalRef again, so a retried step closes nothing twice.
      if (seeded) {
        for (let to = seeded.upTo; to > 0; to -= SEED_CLOSE_BATCH) {
          const from = Math.max(0, to - SEED_CLOSE_BATCH);
          const closed = await paycaActivities(
            budgetMs,
            `roll-back: close seeded cards of records ${from + 1}-${to} of ${seeded.upTo}`,
            SEED_CLOSE_CALL,
          ).closeSeededRange({ baseUrl: production, programme: plan.programme, csv: seeded.csv, digest: seeded.digest, from, to });
          closedByRef += closed.closed;
          requestIds.push(...closed.requestIds);
        }
      }
      // Newest first, like the steps themselves; each batch is idempotent, so a retried step redoes none.
      const cards = [...step.cardIds].reverse();
      for (let from = 0; from < cards.length; from += SEED_CLOSE_BATCH) {
        const batch = cards.slice(from, from + SEED_CLOSE_BATCH);
        const closed = await paycaActivities(
          budgetMs,
          `roll-back: close seeded cards ${from + 1}-${from + batch.length} of ${cards.length}`,
          SEED_CLOSE_CALL,
        ).closeSeededCards({
          baseUrl: production,
          programme: plan.programme,
          cardIds: batch,
        });
        requestIds.push(...closed.requestIds);
      }
      const span = requestIds.length > 0 ? ` (requests ${requestIds[0]} … ${requestIds[requestIds.length - 1]})` : '';
      return `closed ${describeSeededCards(cards.length + closedByRef)}${span}`;
    }
  }
}

/** Why a step failed, in words: a step that ran out of budget names the failure its last attempt met. */
function failureReason(err: unknown): string {
  const problem = activityProblem(err);
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const last = cause instanceof TimeoutFailure && cause.cause instanceof ApplicationFailure ? cause.cause : undefined;
  const request = problem.requestId ? ` (request ${problem.requestId})` : '';
  return last
    ? `${last.type ?? 'Error'}: ${last.message} (still failing when its retry budget ran out)`
    : `${problem.type}: ${problem.message}${request}`;
}

/** A step the plan says to keep is recorded as kept instead of undone. */
function keptReason(plan: CutoverPlan, step: Compensation): string | undefined {
  if (step.step === 'close-seeded-cards' && plan.readiness.seedCards?.keepOnRollBack) {
    return `kept ${describeSeededCards(step.cardIds.length + (step.records?.upTo ?? 0))} open (readiness.seedCards.keepOnRollBack)`;
  }
  return undefined;
}

export async function runCompensations(run: CompensationRun): Promise<void> {
  const { plan, pending, records } = run;
  const holds = patched('compensations-hold-for-engineering');
  const nowIso = () => new Date().toISOString();
  while (pending.length > 0) {
    const step = pending[pending.length - 1] as Compensation;
    const kept = keptReason(plan, step);
    if (kept) {
      records.push({ step: step.step, status: 'kept', at: nowIso(), detail: kept });
      pending.pop();
      continue;
    }
    if (!holds) {
      try {
        const detail = await undo(plan, step, false);
        records.push({ step: step.step, status: 'done', at: nowIso(), detail });
      } catch (err) {
        const problem = activityProblem(err);
        records.push({ step: step.step, status: 'failed', at: nowIso(), detail: `${problem.type}: ${problem.message}` });
        log.error('compensation failed', { step: step.step, problem });
      }
      pending.pop();
      continue;
    }
    const last = records[records.length - 1];
    // The step held when the previous run continued as new: it waits for Engineering's answer, not tried again.
    const stillHeld = run.resumeHeld && last?.status === 'held' && last.step === step.step ? last : undefined;
    const record: CompensationRecord = stillHeld ?? { step: step.step, status: 'running', at: nowIso() };
    if (stillHeld) run.resumeHeld?.onStillHeld();
    else records.push(record);
    for (let tryNow = !stillHeld; ; tryNow = true) {
      if (tryNow) {
        try {
          record.detail = await undo(plan, step, true);
          Object.assign(record, { status: 'done', at: nowIso() });
          break;
        } catch (err) {
          const reason = failureReason(err);
          Object.assign(record, { status: 'held', at: nowIso(), reason, holds: (record.holds ?? 0) + 1 });
          log.error('compensation holds for Engineering', { step: step.step, reason });
          await run.onHold(record);
        }
      }
      await condition(() => run.answer.current !== undefined || (run.shedding?.ready() ?? false));
      if (run.answer.current === undefined) await run.shedding?.shed();
      const answer = run.answer.current as CompensationAnswer;
      run.answer.current = undefined;
      run.onResume();
      if (answer.kind === 'done-by-hand') {
        const { by, evidence } = answer.args;
        Object.assign(record, { status: 'done-by-hand', at: answer.at, doneByHand: { by, evidence: evidence.trim(), at: answer.at } });
        break;
      }
      record.status = 'running';
    }
    pending.pop();
  }
}
