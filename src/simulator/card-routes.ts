/** Cards: issue, read, top up (moving money from the master account), close, and their ledger. */
import { randomInt } from 'node:crypto';
import { SimError, type SimResponse } from './http-io.js';
import { newId } from './ids.js';
import { param, type RouteContext } from './route-context.js';
import { IssueCardBody, MoneyBody, parseBody, type IssueCardInput } from './schemas.js';
import type { Account, Card, SimulatorState } from './state.js';

export function publicCard(card: Card) {
  return {
    id: card.id,
    status: card.status,
    externalRef: card.externalRef,
    accountId: card.accountId,
    currency: card.currency,
    holderName: card.holderName,
    bin: card.bin,
    last4: card.last4,
    balance: { amount: card.balance, currency: card.currency },
    createdAt: card.createdAt,
    closedAt: card.closedAt,
  };
}

export function findCard(state: SimulatorState, cardId: string): Card {
  const card = state.cards.get(cardId);
  if (!card) throw new SimError('ErrNotFound', `card ${cardId} not found`);
  return card;
}

function usableAccount(state: SimulatorState, accountId: string): Account {
  const account = state.accounts.get(accountId);
  if (!account) throw new SimError('ErrNotFound', `account ${accountId} not found`);
  if (account.status !== 'active') {
    throw new SimError('ErrForbidden', `account ${accountId} is ${account.status}; this client may not move money on it`);
  }
  return account;
}

/** Opens a card on a master account; the caller bills it, counts it and says who hears of it. */
export function openCard(state: SimulatorState, now: () => Date, input: IssueCardInput): Card {
  const account = usableAccount(state, input.accountId);
  if (input.currency !== account.currency) {
    throw new SimError('ErrValidation', `currency: ${input.currency} does not match account ${account.id} currency ${account.currency}`);
  }
  const bin = state.bins.find((candidate) => candidate.currency === input.currency);
  if (!bin) throw new SimError('ErrValidation', `currency: no BIN in the catalogue issues ${input.currency} cards`);

  const card: Card = {
    id: newId('card'),
    status: 'active',
    externalRef: input.externalRef,
    accountId: account.id,
    currency: input.currency,
    holderName: input.holderName,
    bin: bin.bin,
    last4: String(randomInt(0, 10_000)).padStart(4, '0'),
    balance: 0,
    createdAt: now().toISOString(),
    closedAt: null,
  };
  state.cards.set(card.id, card);
  return card;
}

export function issueCard(context: RouteContext): SimResponse {
  const { state, now, webhooks } = context;
  const card = openCard(state, now, parseBody(IssueCardBody, context.body));
  const bin = state.bins.find((candidate) => candidate.bin === card.bin);
  if (bin) state.fees.push({ type: 'issuance', cardId: card.id, ...bin.fees.issuance, at: card.createdAt });
  state.counters.cardsIssued += 1;
  webhooks.emit('card.created', publicCard(card));
  return { status: 201, body: publicCard(card) };
}

/** `GET /v1/cards?externalRef=…`: what PayCA issued under one reference, so a caller whose answer was lost can find it. */
export function listCards(context: RouteContext): SimResponse {
  const externalRef = context.query.get('externalRef');
  if (!externalRef) throw new SimError('ErrValidation', 'externalRef: query parameter is required');
  const data = [...context.state.cards.values()].filter((card) => card.externalRef === externalRef).map(publicCard);
  return { status: 200, body: { data } };
}

export function getCard(context: RouteContext): SimResponse {
  return { status: 200, body: publicCard(findCard(context.state, param(context, 'id'))) };
}

export function topUpCard(context: RouteContext): SimResponse {
  const { state, now, webhooks } = context;
  const card = findCard(state, param(context, 'id'));
  const money = parseBody(MoneyBody, context.body);
  if (card.status === 'closed') throw new SimError('ErrCardClosed', `card ${card.id} is closed and cannot be topped up`);
  if (money.currency !== card.currency) {
    throw new SimError('ErrValidation', `currency: ${money.currency} does not match card ${card.id} currency ${card.currency}`);
  }
  const account = usableAccount(state, card.accountId);
  if (account.available < money.amount) {
    throw new SimError(
      'ErrInsufficientFunds',
      `account ${account.id} has ${account.available} ${account.currency} available; the top-up needs ${money.amount}`,
    );
  }

  account.balance -= money.amount;
  account.available -= money.amount;
  card.balance += money.amount;
  const createdAt = now().toISOString();
  const transactionId = newId('txn');
  const ledgerEntryId = newId('led');
  state.ledger.push({ id: ledgerEntryId, cardId: card.id, type: 'topup', ...money, transactionId, createdAt });
  const bin = state.bins.find((candidate) => candidate.bin === card.bin);
  if (bin) {
    state.fees.push({
      type: 'topup',
      cardId: card.id,
      amount: Math.floor((money.amount * bin.fees.topupBps) / 10_000),
      currency: card.currency,
      at: createdAt,
    });
  }
  state.counters.topUps += 1;
  state.counters.ledgerEntries += 1;

  const result = {
    transactionId,
    ledgerEntryId,
    cardId: card.id,
    amount: money.amount,
    currency: money.currency,
    cardBalance: card.balance,
  };
  webhooks.emit('card.topup', result);
  return { status: 201, body: result };
}

/** Closing twice answers 200 both times, but only the first close counts and notifies. */
export function closeCard(context: RouteContext): SimResponse {
  const { state, now, webhooks } = context;
  const card = findCard(state, param(context, 'id'));
  if (card.status !== 'closed') {
    card.status = 'closed';
    card.closedAt = now().toISOString();
    state.counters.cardsClosed += 1;
    webhooks.emit('card.closed', publicCard(card));
  }
  return { status: 200, body: publicCard(card) };
}

export function cardLedger(context: RouteContext): SimResponse {
  const { state, query } = context;
  const cardId = query.get('cardId');
  if (!cardId) throw new SimError('ErrValidation', 'cardId: query parameter is required');
  findCard(state, cardId);
  const data = state.ledger
    .filter((entry) => entry.cardId === cardId)
    .map(({ id, type, amount, currency, transactionId, createdAt }) => ({ id, type, amount, currency, transactionId, createdAt }));
  return { status: 200, body: { data } };
}
