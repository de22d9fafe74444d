/**
 * The soak: many compressed rehearsals at once, each against its own PayCA simulators with random faults,
 * all on one Temporal server and one set of cutover workers. It reports how each run ended and what the
 * simulators say about money moved, so a duplicate card or top-up anywhere shows up in the figures.
 *
 * Why the dev server with compressed plans rather than the time-skipping server: the time-skipping server
 * has one clock for every workflow on it, and it jumps that clock whenever a driver skips ahead. With dozens
 * of rehearsals in different stages at once, a jump made for one run's T-12h timer lands in the middle of
 * another run's PayCA calls and expires their start-to-close and retry budgets, so runs would hold for
 * timeouts that no injected fault caused. The faults themselves (Retry-After, outages, held answers) also
 * run on the wall clock in the simulator, which the skipping clock does not follow. On the dev server every
 * run keeps its own compressed timeline (`timeScale`), PayCA retries wait real time, and a fault means the
 * same thing to every run; 50 runs still finish in a few minutes.
 */
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseDuration } from '../../src/plan/duration.js';
import { createCutoverWorkers } from '../../src/worker/create-workers.js';
import { startPaycaStack, type PaycaStack } from '../helpers/payca-stack.js';
import { startDevServer } from '../helpers/temporal.js';
import { FAULT_KINDS, type FaultKind } from './fault-catalogue.js';
import { runRehearsal, type RehearsalOutcome, type RehearsalResult } from './rehearsal.js';
import { seededRandom } from './seeded-random.js';

export interface SoakOptions {
  runs: number;
  seed: number;
  /** Plan time per wall time; 3000 takes a run from T-24h to the debrief in about 33 s. */
  timeScale?: number;
  /** The plans' PayCA retry budget; outages are drawn up to one and a half times this. */
  retryBudget?: string;
  deadlineMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seed: number;
  runs: number;
  timeScale: number;
  retryBudget: string;
  wallMs: number;
  outcomes: Record<RehearsalOutcome, number>;
  duplicates: number;
  openCards: number;
  cardsIssued: number;
  topUps: number;
  faultsInjected: number;
  faultsByKind: Record<FaultKind, number>;
  /** Answers the simulators spoiled on purpose (forced errors, resets, lost, cut and held answers, outages). */
  faultAnswersMet: number;
  retries: number;
  heldBy: Record<string, number>;
  heldWithRequestId: number;
  slowestRunMs: number;
  results: RehearsalResult[];
}

/** answersByCode keys that only a fault (or the real rate limiter under a storm) produces. */
const FAULT_ANSWER_KEYS = ['AnswerLost', 'AnswerCut', 'AnswerHeld', 'ConnectionReset', 'ErrRateLimited', 'ErrInternal', 'ErrUnavailable'];

/** Each rehearsal's randomness comes from the soak's seed and its index, so one run can be replayed alone. */
export const runSeed = (seed: number, index: number): number => (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const timeScale = options.timeScale ?? 3_000;
  const retryBudget = options.retryBudget ?? '20s';
  const log = options.log ?? (() => undefined);
  const retryBudgetMs = parseDuration(retryBudget);
  if (retryBudgetMs === undefined || retryBudgetMs <= 0) throw new Error(`retry budget "${retryBudget}" is not a duration such as 20s`);
  const startedAt = Date.now();

  let env: TestWorkflowEnvironment | undefined;
  const stacks: PaycaStack[] = [];
  let workers: Awaited<ReturnType<typeof createCutoverWorkers>> | undefined;
  let running: Promise<void> | undefined;
  try {
    env = await startDevServer();
    for (let i = 0; i < options.runs; i++) stacks.push(await startPaycaStack());
    const first = stacks[0];
    if (!first) throw new Error('a soak needs at least one run');
    workers = await createCutoverWorkers({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      temporalClient: env.client,
      // Every simulator has the same fake credentials; each run has its own simulators, so its own rate limit.
      paycaCredentials: first.credentials,
      paycaActivitiesPerSecond: 500,
      notifyWrite: () => undefined,
    });
    running = workers.run();
    const client: Client = env.client;
    const results = await Promise.all(
      stacks.map((stack, index) =>
        runRehearsal({
          client,
          stack,
          index,
          workflowId: `soak-${options.seed}-${index}-${Date.now().toString(36)}`,
          random: seededRandom(runSeed(options.seed, index)),
          timeScale,
          retryBudget,
          retryBudgetMs,
          deadlineMs: options.deadlineMs ?? 300_000,
          log,
        }).then((result) => {
          log(describeRun(result));
          return result;
        }),
      ),
    );
    const faultAnswers = await Promise.all(
      stacks.map(async (stack) => {
        const counters = await stack.counters();
        return FAULT_ANSWER_KEYS.reduce((sum, key) => sum + (counters.answersByCode[key] ?? 0), 0);
      }),
    );
    return summarise(options, timeScale, retryBudget, Date.now() - startedAt, results, faultAnswers);
  } finally {
    workers?.shutdown();
    await running;
    await Promise.allSettled(stacks.map((stack) => stack.close()));
    await env?.teardown();
  }
}

function summarise(
  options: SoakOptions,
  timeScale: number,
  retryBudget: string,
  wallMs: number,
  results: RehearsalResult[],
  faultAnswers: number[],
): SoakReport {
  const outcomes: Record<RehearsalOutcome, number> = { completed: 0, 'rolled-back': 0, held: 0, 'held-unnamed': 0, stuck: 0, failed: 0 };
  const faultsByKind = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  const heldBy: Record<string, number> = {};
  for (const result of results) {
    outcomes[result.outcome] += 1;
    for (const fault of result.faults) faultsByKind[fault.kind] += 1;
    if (result.held) {
      const key = `${result.held.stage}: ${result.held.errorType ?? 'check finding'}`;
      heldBy[key] = (heldBy[key] ?? 0) + 1;
    }
  }
  const sum = (pick: (r: RehearsalResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    seed: options.seed,
    runs: options.runs,
    timeScale,
    retryBudget,
    wallMs,
    outcomes,
    duplicates: sum((r) => r.duplicates),
    openCards: sum((r) => r.money.openCards),
    cardsIssued: sum((r) => r.money.cards),
    topUps: sum((r) => r.money.topUps),
    faultsInjected: sum((r) => r.faults.length),
    faultsByKind,
    faultAnswersMet: faultAnswers.reduce((a, b) => a + b, 0),
    retries: sum((r) => r.retries),
    heldBy,
    heldWithRequestId: results.filter((r) => r.held?.requestId !== undefined).length,
    slowestRunMs: Math.max(0, ...results.map((r) => r.wallMs)),
    results,
  };
}

function describeRun(result: RehearsalResult): string {
  const held = result.held ? ` at ${result.held.stage} (${result.held.reason.slice(0, 140)})` : '';
  const faults = result.faults.map((f) => `${f.kind}@${f.target}`).join(', ') || 'none reached';
  return `run ${result.index}: ${result.outcome}${held}; faults ${faults}; cards ${result.money.cards}, top-ups ${result.money.topUps}, duplicates ${result.duplicates}, ${(result.wallMs / 1000).toFixed(1)} s${result.detail ? `; ${result.detail}` : ''}`;
}

export function formatSoakReport(report: SoakReport): string[] {
  const kinds = Object.entries(report.faultsByKind)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
  const held = Object.entries(report.heldBy)
    .map(([why, count]) => `${why} ${count}`)
    .join(', ');
  return [
    `soak: ${report.runs} rehearsals, seed ${report.seed} (SOAK_SEED=${report.seed} repeats the faults), time scale ${report.timeScale}, PayCA retry budget ${report.retryBudget}`,
    `outcomes: completed ${report.outcomes.completed}, rolled back ${report.outcomes['rolled-back']}, held ${report.outcomes.held}, held without a named reason ${report.outcomes['held-unnamed']}, stuck ${report.outcomes.stuck}, failed ${report.outcomes.failed}`,
    `held at: ${held || 'none'} (${report.heldWithRequestId} with a PayCA request id); stage retries ${report.retries}`,
    `faults injected: ${report.faultsInjected} (${kinds}); spoiled answers met at the simulators: ${report.faultAnswersMet}`,
    `money: ${report.cardsIssued} test cards, ${report.topUps} top-ups, ${report.duplicates} duplicates, ${report.openCards} cards left open`,
    `wall time: ${(report.wallMs / 1000).toFixed(1)} s (slowest run ${(report.slowestRunMs / 1000).toFixed(1)} s)`,
  ];
}
