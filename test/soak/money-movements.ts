/**
 * Money a cutover moved at a PayCA simulator, read from the simulator's own state rather than from the
 * workflow, so a duplicate shows up even when the workflow believes it acted once. A go-live attempt
 * issues one test card under its own external reference (`<workflow id>-smoke-<first run id>-<attempt>`),
 * tops it up once and closes it; anything beyond that is a duplicate.
 */
import type { PaycaStack } from '../helpers/payca-stack.js';

interface SimCard {
  id: string;
  status: 'active' | 'closed';
  externalRef: string;
}

interface SimLedgerEntry {
  cardId: string;
  type: string;
  transactionId: string;
}

export interface MoneyMovements {
  /** Smoke-test cards the simulator issued. */
  cards: number;
  /** Of those, still active: a card nobody will close. */
  openCards: number;
  topUps: number;
  /** Cards beyond the first under one external reference, i.e. one go-live attempt issuing twice. */
  duplicateCards: number;
  /** Top-ups beyond the first on one card. */
  duplicateTopUps: number;
  /** Cards beyond one per go-live attempt, when the number of attempts is known. */
  cardsBeyondAttempts: number;
}

export function duplicatesIn(movements: MoneyMovements): number {
  return movements.duplicateCards + movements.duplicateTopUps + movements.cardsBeyondAttempts;
}

/** `goLiveAttempts`: how many times the go-live stage ran, from the cutover's status. */
export async function moneyMovements(stack: Pick<PaycaStack, 'admin'>, goLiveAttempts?: number): Promise<MoneyMovements> {
  const state = (await stack.admin('state')) as { cards: SimCard[]; ledger: SimLedgerEntry[] };
  const cards = state.cards.filter((card) => card.externalRef.includes('-smoke-'));
  const cardIds = new Set(cards.map((card) => card.id));
  const topUps = state.ledger.filter((entry) => entry.type === 'topup' && cardIds.has(entry.cardId));
  return {
    cards: cards.length,
    openCards: cards.filter((card) => card.status !== 'closed').length,
    topUps: topUps.length,
    duplicateCards: beyondFirst(cards.map((card) => card.externalRef)),
    duplicateTopUps: beyondFirst(topUps.map((entry) => entry.cardId)),
    cardsBeyondAttempts: goLiveAttempts === undefined ? 0 : Math.max(0, cards.length - goLiveAttempts),
  };
}

function beyondFirst(keys: string[]): number {
  const seen = new Map<string, number>();
  for (const key of keys) seen.set(key, (seen.get(key) ?? 0) + 1);
  let extra = 0;
  for (const count of seen.values()) extra += count - 1;
  return extra;
}
