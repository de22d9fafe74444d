/** Reads a PayCA simulator's counters over its admin API, for the demo's closing summary. */
import { z } from 'zod';
import { CallRate } from '../simulator/call-rate.js';

const Counters = z.looseObject({
  cardsIssued: z.number(),
  cardsClosed: z.number(),
  topUps: z.number(),
  requests: z.number().optional(),
  answersByCode: z.record(z.string(), z.number()).default({}),
  callRate: CallRate,
});
export type SimulatorCounters = z.infer<typeof Counters>;

export async function readSimulatorCounters(simulatorUrl: string): Promise<SimulatorCounters> {
  const res = await fetch(new URL('/_sim/counters', simulatorUrl), { signal: AbortSignal.timeout(5_000) });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`${simulatorUrl}/_sim/counters answered HTTP ${res.status}`);
  return Counters.parse(body);
}

export function describeCounters(label: string, counters: SimulatorCounters): string {
  const rateLimited = counters.answersByCode.ErrRateLimited ?? 0;
  return `${label}: ${counters.cardsIssued} card(s) issued, ${counters.cardsClosed} closed, ${counters.topUps} top-up(s), ${rateLimited} request(s) answered 429 ErrRateLimited${counters.requests !== undefined ? `, ${counters.requests} requests in all` : ''}`;
}
