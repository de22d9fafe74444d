/**
 * The faults a soak draws from: every kind the simulator can inject, each aimed at a random PayCA path
 * (or at every path) with random size. Outages run up to half again the soak's retry budget, so some
 * outlast it and hold their stage, while most are ridden out.
 */
import type { z } from 'zod';
import type { FaultsInput } from '../../src/simulator/faults.js';
import type { SeededRandom } from './seeded-random.js';

export type FaultKind =
  | 'rate-limit-storm'
  | 'internal-burst'
  | 'unavailable-burst'
  | 'reset'
  | 'lose-answer'
  | 'cut-answer'
  | 'timeout'
  | 'slow-answer'
  | 'invalid-json'
  | 'wrong-shape'
  | 'outage';

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate-limit-storm',
  'internal-burst',
  'unavailable-burst',
  'reset',
  'lose-answer',
  'cut-answer',
  'timeout',
  'slow-answer',
  'invalid-json',
  'wrong-shape',
  'outage',
];

export interface DrawnFault {
  kind: FaultKind;
  /** What the soak posts to `/_sim/faults`. */
  input: z.input<typeof FaultsInput>;
  /** For the log: where it aims. */
  target: string;
}

/** Paths and methods the cutover calls at PayCA; `undefined` path means every request. */
const TARGETS: readonly { path?: string; method?: string }[] = [
  { path: '/v1/cards', method: 'POST' },
  { path: '/v1/cards/', method: 'POST' },
  { path: '/v2/accounts' },
  { path: '/v1/program/config' },
  { path: '/health' },
  { path: '/v1/webhooks' },
  { path: '/v1/ledger' },
  {},
];

/** Just past the PayCA client's 10 s call budget. */
const PAST_CLIENT_TIMEOUT_MS = 10_500;

export function drawFault(random: SeededRandom, retryBudgetMs: number): DrawnFault {
  const kind = random.pick(FAULT_KINDS);
  const target = random.pick(TARGETS);
  const where = `${target.method ?? 'any'} ${target.path ?? '*'}`;
  switch (kind) {
    case 'rate-limit-storm':
      return {
        kind,
        target: where,
        input: { force: { count: random.int(2, 6), code: 'ErrRateLimited', retryAfterSeconds: random.int(1, 3), ...target } },
      };
    case 'internal-burst':
      return { kind, target: where, input: { force: { count: random.int(1, 4), code: 'ErrInternal', ...target } } };
    case 'unavailable-burst':
      return { kind, target: where, input: { force: { count: random.int(1, 4), code: 'ErrUnavailable', ...target } } };
    case 'reset':
    case 'lose-answer':
    case 'cut-answer':
      return { kind, target: where, input: { force: { count: random.int(1, 2), kind, ...target } } };
    case 'timeout':
      return { kind, target: where, input: { force: { count: 1, kind: 'hold-answer', delayMs: PAST_CLIENT_TIMEOUT_MS, ...target } } };
    case 'slow-answer':
      return {
        kind,
        target: where,
        input: { force: { count: random.int(1, 3), kind: 'hold-answer', delayMs: random.int(300, 3_000), ...target } },
      };
    case 'invalid-json':
    case 'wrong-shape':
      return { kind, target: where, input: { malformed: { count: 1, kind, ...target } } };
    case 'outage':
      return { kind, target: 'every request', input: { outage: { durationMs: random.int(2_000, Math.round(retryBudgetMs * 1.5)) } } };
  }
}
