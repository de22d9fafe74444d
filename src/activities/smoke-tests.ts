/**
 * Go-live production smoke tests (runbook section 4). One activity per call so each retries on its own,
 * shows as its own line in the UI and keeps its own request id. Every POST carries an idempotency key
 * derived from the activity, so a retry after a lost answer never issues a second card or loads twice.
 * When PayCA acted but its answer came back broken (a 2xx whose body breaks the contract), a retry with
 * the same key could replay the same broken body, so the activity reads what PayCA did instead (the card
 * under the external reference, the top-up in the card's ledger) and continues from that.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES, PaycaError } from '../errors.js';
import { paycaCall } from '../payca/activity-failure.js';
import { idempotencyKeyFromActivity, type MoneyCallScope } from '../payca/idempotency.js';
import type { PaycaClients } from './payca-clients.js';
import type { DeliveryEvidence } from './webhooks.js';

export interface IssueTestCardInput {
  baseUrl: string;
  accountId: string;
  currency: string;
  holderName: string;
  externalRef: string;
  /** Set by workflows since the reset-stable keys: the key then survives a reset of the run. */
  idempotency?: MoneyCallScope;
  /**
   * Look for a card under `externalRef` before issuing: set in runs a reset (or continue-as-new) started,
   * which may repeat a step the chain already took longer ago than PayCA's 24 h replay window.
   */
  reconcileFirst?: boolean;
}

export interface TopUpTestCardInput {
  baseUrl: string;
  cardId: string;
  amount: number;
  currency: string;
  idempotency?: MoneyCallScope;
  /** Look in the card's ledger for this top-up before loading it (see IssueTestCardInput.reconcileFirst). */
  reconcileFirst?: boolean;
}

/** How a step learned what PayCA had done instead of doing it again: a broken 2xx answer, or a run repeating a step. */
export interface RecoveryEvidence {
  recovered?: { brokenAnswer: string | null; foundBy: string };
  reconciled?: { foundBy: string };
}

export interface HealthEvidence {
  status: string;
  environment: string;
  /** PayCA's clock; absent in cutovers started before the go-live gate read it. */
  time: string;
  requestId: string;
}

export interface AccountsEvidence {
  accounts: { id: string; currency: string; available: number; status: string }[];
  requestId: string;
}

export interface TestCardEvidence extends RecoveryEvidence {
  cardId: string;
  last4: string;
  status: string;
  externalRef: string;
  requestId: string;
  replayed: boolean;
}

export interface TopUpEvidence extends RecoveryEvidence {
  transactionId: string;
  ledgerEntryId: string;
  cardBalance: number;
  requestId: string;
  replayed: boolean;
  /** When the top-up began: the card.topup webhook is looked for from here. */
  startedAt: string;
}

export interface LedgerEvidence {
  ledgerEntryId: string;
  /** Entries on the card's ledger. */
  entries: number;
  requestId: string;
}

export interface ClosedCardEvidence extends RecoveryEvidence {
  cardId: string;
  status: string;
  requestId: string;
}

export interface EarlierTestCard {
  externalRef: string;
  cardId: string;
  status: string;
  requestId: string;
}

/**
 * The go-live smoke tests as the stage keeps them, one entry per step in the order they run (runbook
 * section 4). A step that has not run yet, or did not finish, has no entry.
 */
export interface SmokeTestEvidence {
  /** Cards earlier runs left open, found by their external reference and closed; re-runs only. */
  earlierTestCards?: EarlierTestCard[];
  health?: HealthEvidence;
  accounts?: AccountsEvidence;
  issueCard?: TestCardEvidence;
  topUp?: TopUpEvidence;
  ledger?: LedgerEvidence;
  topUpWebhook?: DeliveryEvidence | { skipped: string };
  closeCard?: ClosedCardEvidence;
}

/** The card PayCA lists under `externalRef` (the list endpoint matches by reference; checked again here). */
function cardWithRef<C extends { externalRef: string }>(cards: C[], externalRef: string): C | undefined {
  return cards.find((c) => c.externalRef === externalRef);
}

/** A card's balance from its ledger: top-ups add, every other entry takes away. */
function ledgerBalance(entries: { type: string; amount: number }[]): number {
  return entries.reduce((sum, e) => sum + (e.type === 'topup' ? e.amount : -e.amount), 0);
}

export function createSmokeTestActivities({ payca }: { payca: PaycaClients }) {
  const production = (baseUrl: string) => payca.get('production', baseUrl);
  const signal = () => Context.current().cancellationSignal;

  return {
    async checkHealth(input: { baseUrl: string }): Promise<HealthEvidence> {
      const answer = await paycaCall(() => production(input.baseUrl).health({ signal: signal() }));
      if (answer.body.environment !== 'production') {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.WRONG_ENVIRONMENT,
          nonRetryable: true,
          message: `${input.baseUrl} answers as ${answer.body.environment}, not production (request ${answer.requestId}); fix payca.production.baseUrl in the plan`,
        });
      }
      // PayCA's own clock: the go-live gate measures the manual authorization's age against it.
      return { status: answer.body.status, environment: answer.body.environment, time: answer.body.time, requestId: answer.requestId };
    },

    async readAccounts(input: { baseUrl: string; accountId: string }): Promise<AccountsEvidence> {
      const answer = await paycaCall(() => production(input.baseUrl).listAccounts({ signal: signal() }));
      const account = answer.body.data.find((a) => a.id === input.accountId);
      if (!account) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.ACCOUNT_NOT_VISIBLE,
          nonRetryable: true,
          message: `master account ${input.accountId} is not visible with the production credentials (request ${answer.requestId}); PayCA lists ${answer.body.data.map((a) => a.id).join(', ') || 'no accounts'}`,
        });
      }
      return {
        accounts: answer.body.data.map((a) => ({ id: a.id, currency: a.currency, available: a.available.amount, status: a.status })),
        requestId: answer.requestId,
      };
    },

    async issueTestCard(input: IssueTestCardInput): Promise<TestCardEvidence> {
      const idempotencyKey = idempotencyKeyFromActivity('issue-test-card', input.idempotency);
      const client = production(input.baseUrl);
      if (input.reconcileFirst) {
        const found = await paycaCall(() => client.findCards(input.externalRef, { signal: signal() }));
        const card = cardWithRef(found.body.data, input.externalRef);
        if (card) {
          return {
            cardId: card.id,
            last4: card.last4,
            status: card.status,
            externalRef: card.externalRef,
            requestId: found.requestId,
            replayed: false,
            reconciled: { foundBy: found.requestId },
          };
        }
      }
      const answer = await paycaCall(async () => {
        try {
          return await client.issueCard(
            { accountId: input.accountId, externalRef: input.externalRef, holderName: input.holderName, currency: input.currency },
            { idempotencyKey, signal: signal() },
          );
        } catch (err) {
          if (!actedThenAnsweredBadly(err)) throw err;
          const found = await client.findCards(input.externalRef, { signal: signal() });
          const card = cardWithRef(found.body.data, input.externalRef);
          if (!card) throw err;
          return { ...found, body: card, replayed: false, recoveredFrom: err.requestId, foundBy: found.requestId };
        }
      });
      return {
        ...recovery(answer),
        cardId: answer.body.id,
        last4: answer.body.last4,
        status: answer.body.status,
        externalRef: answer.body.externalRef,
        requestId: answer.requestId,
        replayed: answer.replayed,
      };
    },

    async topUpTestCard(input: TopUpTestCardInput): Promise<TopUpEvidence> {
      const idempotencyKey = idempotencyKeyFromActivity('top-up-test-card', input.idempotency);
      const startedAt = new Date().toISOString();
      const client = production(input.baseUrl);
      if (input.reconcileFirst) {
        // A fresh test card is loaded once and only here, so a top-up entry of this amount is this top-up.
        const ledger = await paycaCall(() => client.listLedger(input.cardId, { signal: signal() }));
        const entry = ledger.body.data.find((e) => e.type === 'topup' && e.amount === input.amount);
        if (entry) {
          const cardBalance = ledgerBalance(ledger.body.data);
          return {
            transactionId: entry.transactionId,
            ledgerEntryId: entry.id,
            cardBalance,
            requestId: ledger.requestId,
            replayed: false,
            reconciled: { foundBy: ledger.requestId },
            startedAt: entry.createdAt,
          };
        }
      }
      const answer = await paycaCall(async () => {
        try {
          return await client.topUp(input.cardId, { amount: input.amount, currency: input.currency }, { idempotencyKey, signal: signal() });
        } catch (err) {
          if (!actedThenAnsweredBadly(err)) throw err;
          // A fresh test card is loaded once and only here, so a top-up entry on it is this top-up.
          const ledger = await client.listLedger(input.cardId, { signal: signal() });
          const topUps = ledger.body.data.filter((e) => e.type === 'topup');
          const entry = topUps[0];
          if (topUps.length !== 1 || entry?.amount !== input.amount) throw err;
          const cardBalance = ledgerBalance(ledger.body.data);
          return {
            ...ledger,
            body: {
              transactionId: entry.transactionId,
              ledgerEntryId: entry.id,
              cardId: input.cardId,
              amount: entry.amount,
              currency: entry.currency,
              cardBalance,
            },
            replayed: false,
            recoveredFrom: err.requestId,
            foundBy: ledger.requestId,
          };
        }
      });
      return {
        ...recovery(answer),
        transactionId: answer.body.transactionId,
        ledgerEntryId: answer.body.ledgerEntryId,
        cardBalance: answer.body.cardBalance,
        requestId: answer.requestId,
        replayed: answer.replayed,
        startedAt,
      };
    },

    async verifyLedger(input: { baseUrl: string; cardId: string; transactionId: string; amount: number }): Promise<LedgerEvidence> {
      const answer = await paycaCall(() => production(input.baseUrl).listLedger(input.cardId, { signal: signal() }));
      const entries = answer.body.data.filter((e) => e.transactionId === input.transactionId);
      if (entries.length !== 1 || entries[0]?.amount !== input.amount) {
        throw ApplicationFailure.create({
          type: FAILURE_TYPES.LEDGER_MISMATCH,
          nonRetryable: true,
          message: `the ledger of card ${input.cardId} shows ${entries.length} entries for transaction ${input.transactionId} (expected one of ${input.amount}); request ${answer.requestId}`,
          details: [{ entries, requestId: answer.requestId }],
        });
      }
      return { ledgerEntryId: entries[0].id, entries: answer.body.data.length, requestId: answer.requestId };
    },

    async closeTestCard(input: { baseUrl: string; cardId: string; idempotency?: MoneyCallScope }): Promise<ClosedCardEvidence> {
      const idempotencyKey = idempotencyKeyFromActivity('close-test-card', input.idempotency);
      const client = production(input.baseUrl);
      const answer = await paycaCall(async () => {
        try {
          return await client.closeCard(input.cardId, { idempotencyKey, signal: signal() });
        } catch (err) {
          if (!actedThenAnsweredBadly(err)) throw err;
          const card = await client.getCard(input.cardId, { signal: signal() });
          if (card.body.status !== 'closed') throw err;
          return { ...card, body: { id: card.body.id, status: 'closed' as const }, recoveredFrom: err.requestId, foundBy: card.requestId };
        }
      });
      return { ...recovery(answer), cardId: answer.body.id, status: answer.body.status, requestId: answer.requestId };
    },

    /**
     * A go-live re-run first closes what earlier runs may have left open without the workflow knowing:
     * a card whose issue answer was lost or broken past the retry budget. Earlier runs issued under their
     * own external references, so each is looked up and every card still active under it is closed.
     */
    async closeEarlierTestCards(input: { baseUrl: string; externalRefs: string[] }): Promise<{ cards: EarlierTestCard[] }> {
      const client = production(input.baseUrl);
      const found: EarlierTestCard[] = [];
      for (const externalRef of input.externalRefs) {
        const cards = await paycaCall(() => client.findCards(externalRef, { signal: signal() }));
        for (const card of cards.body.data.filter((c) => c.externalRef === externalRef)) {
          if (card.status === 'closed') {
            found.push({ externalRef, cardId: card.id, status: 'already closed', requestId: cards.requestId });
            continue;
          }
          const closed = await paycaCall(() =>
            client.closeCard(card.id, {
              idempotencyKey: idempotencyKeyFromActivity(`close-earlier-test-card:${card.id}`),
              signal: signal(),
            }),
          );
          found.push({ externalRef, cardId: card.id, status: closed.body.status, requestId: closed.requestId });
        }
      }
      return { cards: found };
    },
  };
}

/** A 2xx whose body broke the contract: PayCA acted, only its answer is unusable. */
function actedThenAnsweredBadly(err: unknown): err is PaycaError {
  return err instanceof PaycaError && err.code === 'ErrBadResponse' && err.status !== undefined && err.status >= 200 && err.status < 300;
}

/** Evidence of a recovery: the broken answer's request id and the read that found what PayCA did. */
function recovery(answer: object): RecoveryEvidence {
  if (!('foundBy' in answer)) return {};
  const { recoveredFrom, foundBy } = answer as { recoveredFrom?: string; foundBy: string };
  return { recovered: { brokenAnswer: recoveredFrom ?? null, foundBy } };
}
