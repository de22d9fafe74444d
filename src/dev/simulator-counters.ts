/** Reads a PayCA simulator's counters over its admin API, for the demo's closing summary. */
import { SimulatorCounters } from '../simulator/counters.js';

export async function readSimulatorCounters(simulatorUrl: string): Promise<SimulatorCounters> {
  const res = await fetch(new URL('/_sim/counters', simulatorUrl), { signal: AbortSignal.timeout(5_000) });
  const body: unknown = await res.json();
  if (!res.ok) throw new Error(`${simulatorUrl}/_sim/counters answered HTTP ${res.status}`);
  return SimulatorCounters.parse(body);
}

export function describeCounters(label: string, counters: SimulatorCounters): string {
  const rateLimited = counters.answersByCode.ErrRateLimited ?? 0;
  return `${label}: ${counters.cardsIssued} card(s) issued, ${counters.cardsClosed} closed, ${counters.topUps} top-up(s), ${rateLimited} request(s) answered 429 ErrRateLimited${counters.requests !== undefined ? `, ${counters.requests} requests in all` : ''}`;
}
