/**
 * The figures of the cluster load (`scripts/cluster-rehearsal.sh load`), apart from the servers that
 * produce them: its options, workflow task timeouts read from histories, memory per open cutover, and the
 * one result the run reports.
 */
import { temporal } from '@temporalio/proto';
import { eventTimeMs, type HistoryEvent } from './history-times.js';
import { round } from './stats.js';
import type { BenchResult } from './types.js';

export interface ClusterLoadOptions {
  /** Cutovers started and held at their first gate. */
  cutovers: number;
  /** Gates approved one at a time, each on a different cutover, spread across them; the round-trip sample. */
  approvals: number;
  /** Real `cutover worker` processes. */
  workers: number;
  /** Cutovers started, and status reads, in flight at once. */
  concurrency: number;
  /**
   * Cutovers started but not yet holding at their first gate, at most: a programme does not start a thousand
   * cutovers in a minute, and a burst measures the workers' start-up backlog rather than the hold.
   */
  window: number;
  /** Where the report is written. */
  out?: string;
}

export const DEFAULT_CLUSTER_LOAD: ClusterLoadOptions = { cutovers: 1_000, approvals: 200, workers: 2, concurrency: 16, window: 20 };

const USAGE = 'usage: cluster-rehearsal.sh load [--cutovers N] [--approvals N] [--workers N] [--concurrency N] [--window N] [--out FILE]';

function wholeNumber(flag: string, raw: string | undefined): number {
  const value = Number(raw?.replace(/_/g, ''));
  if (raw === undefined || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${flag} needs a positive whole number, got ${raw ?? 'nothing'}\n${USAGE}`);
  }
  return value;
}

/** `--cutovers 50` and the like; approvals never exceed the cutovers, each approval being on its own cutover. */
export function parseClusterLoadArgs(argv: readonly string[]): ClusterLoadOptions {
  const options: ClusterLoadOptions = { ...DEFAULT_CLUSTER_LOAD };
  let approvalsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--cutovers') options.cutovers = wholeNumber(flag, value);
    else if (flag === '--approvals') {
      options.approvals = wholeNumber(flag, value);
      approvalsGiven = true;
    } else if (flag === '--workers') options.workers = wholeNumber(flag, value);
    else if (flag === '--concurrency') options.concurrency = wholeNumber(flag, value);
    else if (flag === '--window') options.window = wholeNumber(flag, value);
    else if (flag === '--out' && value) options.out = value;
    else throw new Error(`unknown argument ${flag ?? ''}\n${USAGE}`);
    i++;
  }
  if (options.approvals > options.cutovers) {
    if (approvalsGiven)
      throw new Error(`--approvals ${options.approvals} exceeds --cutovers ${options.cutovers}: one approval per cutover`);
    options.approvals = options.cutovers;
  }
  return options;
}

/** Evenly spread indexes of `count` cutovers out of `total`, so the sample is not only the first started. */
export function spreadSample(total: number, count: number): number[] {
  return Array.from({ length: Math.min(count, total) }, (_, i) => Math.floor((i * total) / Math.min(count, total)));
}

export interface WorkflowTaskTrouble {
  /** WorkflowTaskTimedOut events, by timeout type (START_TO_CLOSE, SCHEDULE_TO_START). */
  timedOut: Record<string, number>;
  /** When each timed out (server clock), to tell the start's burst from the hold. */
  timedOutAtMs: number[];
  /** WorkflowTaskFailed events: not timeouts, but a worker that could not run the task. */
  failed: number;
}

export function workflowTaskTrouble(histories: Iterable<readonly HistoryEvent[]>): WorkflowTaskTrouble {
  const trouble: WorkflowTaskTrouble = { timedOut: {}, timedOutAtMs: [], failed: 0 };
  const { TimeoutType } = temporal.api.enums.v1;
  for (const events of histories) {
    for (const event of events) {
      const timedOut = event.workflowTaskTimedOutEventAttributes;
      if (timedOut) {
        const type = (TimeoutType[timedOut.timeoutType ?? 0] ?? 'UNSPECIFIED').replace(/^TIMEOUT_TYPE_/, '');
        trouble.timedOut[type] = (trouble.timedOut[type] ?? 0) + 1;
        trouble.timedOutAtMs.push(eventTimeMs(event));
      }
      if (event.workflowTaskFailedEventAttributes) trouble.failed += 1;
    }
  }
  return trouble;
}

export const timeoutCount = (trouble: WorkflowTaskTrouble): number => Object.values(trouble.timedOut).reduce((a, b) => a + b, 0);

export interface WorkerMemory {
  /** VmRSS before any cutover started, MiB. */
  idleMiB: number;
  /** VmRSS with every cutover holding, MiB. */
  holdingMiB: number;
  /** VmHWM at the end of the run, MiB. */
  peakMiB: number;
}

/**
 * Memory per open cutover across the workers: their whole RSS over the cutovers, and the part the cutovers
 * added (RSS holding less RSS idle), which is what another thousand cutovers would cost.
 */
export function memoryPerCutover(workers: readonly WorkerMemory[], openCutovers: number): { rssKiB: number; addedKiB: number } {
  if (openCutovers <= 0) return { rssKiB: Number.NaN, addedKiB: Number.NaN };
  const holding = workers.reduce((sum, w) => sum + w.holdingMiB, 0);
  const idle = workers.reduce((sum, w) => sum + w.idleMiB, 0);
  return { rssKiB: round((holding * 1024) / openCutovers, 1), addedKiB: round(((holding - idle) * 1024) / openCutovers, 1) };
}

export interface ClusterLoadMeasurements {
  cutovers: number;
  /** Cutovers still running and held at a gate when the run ended. */
  openCutovers: number;
  /** Every start call returned. */
  startSeconds: number;
  /** Every cutover held at its first gate with its readiness checks settled, from the first start. */
  holdingSeconds: number;
  /** When that was, so timeouts while every cutover held are told from those of the start. */
  allHoldingAtMs: number;
  /** The approvals' figures as the approval-round-trip benchmark reports them (`roundTripFigures`). */
  approvals: Record<string, number>;
  bare: Record<string, number>;
  trouble: WorkflowTaskTrouble;
  workers: WorkerMemory[];
  largestHistoryEvents: number;
}

/** The goal is the issue's: no workflow task timed out with every cutover held open; the ratio is informative. */
export function clusterLoadResult(m: ClusterLoadMeasurements): BenchResult {
  const timeouts = timeoutCount(m.trouble);
  const memory = memoryPerCutover(m.workers, m.openCutovers);
  const p50 = m.approvals.p50Ms ?? Number.NaN;
  const bareP50 = m.bare.p50Ms ?? Number.NaN;
  const workerFigures = Object.fromEntries(
    m.workers.flatMap((w, i) => [
      [`worker${i + 1}IdleMiB`, round(w.idleMiB, 1)],
      [`worker${i + 1}HoldingMiB`, round(w.holdingMiB, 1)],
      [`worker${i + 1}PeakMiB`, round(w.peakMiB, 1)],
    ]),
  );
  return {
    name: 'cluster: cutovers holding at gates',
    goal: 'no workflow task timeouts; approval round trip p50 and p99; worker RSS per open cutover',
    metrics: {
      ...m.approvals,
      cutovers: m.cutovers,
      openCutovers: m.openCutovers,
      workflowTaskTimeouts: timeouts,
      timeoutsOnceAllHeld: m.trouble.timedOutAtMs.filter((at) => at >= m.allHoldingAtMs).length,
      ...Object.fromEntries(Object.entries(m.trouble.timedOut).map(([type, n]) => [`timeouts${type}`, n])),
      workflowTaskFailures: m.trouble.failed,
      startSeconds: round(m.startSeconds, 1),
      holdingSeconds: round(m.holdingSeconds, 1),
      rssPerCutoverKiB: memory.rssKiB,
      addedRssPerCutoverKiB: memory.addedKiB,
      ...workerFigures,
      largestHistoryEvents: m.largestHistoryEvents,
    },
    baseline: m.bare,
    ratio: round(p50 / bareP50, 3),
    goalMet: timeouts === 0 && m.openCutovers === m.cutovers,
    notes:
      'p50/p99: approval sent (client clock) to the next ActivityTaskStarted event (server clock, same machine), as in approval-round-trip; baseline: a bare update then a trivial activity on the same cluster; timeouts: WorkflowTaskTimedOut events in every cutover history; rssPerCutover: the workers’ VmRSS with every cutover held over the open cutovers, added: less their idle VmRSS',
  };
}
