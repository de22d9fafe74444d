/**
 * Go-live production smoke tests (runbook section 4). One activity per call so each retries on its own,
 * shows as its own line in the UI and keeps its own request id. Every POST carries an idempotency key
 * derived from the activity, so a retry after a lost answer never issues a second card or loads twice.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { paycaCall } from '../payca/activity-failure.js';
import { idempotencyKeyFromActivity } from '../payca/idempotency.js';
import type { PaycaClients } from './payca-clients.js';

export interface IssueTestCardInput {
  baseUrl: string;
  accountId: string;
  currency: string;
  holderName: string;
  externalRef: string;
}

export interface TopUpTestCardInput {
  baseUrl: string;
  cardId: string;
  amount: number;
  currency: string;
}

export function createSmokeTestActivities({ payca }: { payca: PaycaClients }) {
  const production = (baseUrl: string) => payca.get('production', baseUrl);
  const signal = () => Context.current().cancellationSignal;

  return {
    async checkHealth(input: { baseUrl: string }) {
      const answer = await paycaCall(() => production(input.baseUrl).health({ signal: signal() }));
      if (answer.body.environment !== 'production') {
        throw ApplicationFailure.create({
          type: 'WrongEnvironment',
          nonRetryable: true,
          message: `${input.baseUrl} answers as ${answer.body.environment}, not production (request ${answer.requestId}); fix payca.production.baseUrl in the plan`,
        });
      }
      return { status: answer.body.status, environment: answer.body.environment, requestId: answer.requestId };
    },

    async readAccounts(input: { baseUrl: string; accountId: string }) {
      const answer = await paycaCall(() => production(input.baseUrl).listAccounts({ signal: signal() }));
      const account = answer.body.data.find((a) => a.id === input.accountId);
      if (!account) {
        throw ApplicationFailure.create({
          type: 'AccountNotVisible',
          nonRetryable: true,
          message: `master account ${input.accountId} is not visible with the production credentials (request ${answer.requestId}); PayCA lists ${answer.body.data.map((a) => a.id).join(', ') || 'no accounts'}`,
        });
      }
      return {
        accounts: answer.body.data.map((a) => ({ id: a.id, currency: a.currency, available: a.available.amount, status: a.status })),
        requestId: answer.requestId,
      };
    },

    async issueTestCard(input: IssueTestCardInput) {
      const idempotencyKey = idempotencyKeyFromActivity('issue-test-card');
      const answer = await paycaCall(() =>
        production(input.baseUrl).issueCard(
          { accountId: input.accountId, externalRef: input.externalRef, holderName: input.holderName, currency: input.currency },
          { idempotencyKey, signal: signal() },
        ),
      );
      return {
        cardId: answer.body.id,
        last4: answer.body.last4,
        status: answer.body.status,
        externalRef: answer.body.externalRef,
        requestId: answer.requestId,
        replayed: answer.replayed,
      };
    },

    async topUpTestCard(input: TopUpTestCardInput) {
      const idempotencyKey = idempotencyKeyFromActivity('top-up-test-card');
      const startedAt = new Date().toISOString();
      const answer = await paycaCall(() =>
        production(input.baseUrl).topUp(
          input.cardId,
          { amount: input.amount, currency: input.currency },
          { idempotencyKey, signal: signal() },
        ),
      );
      return {
        transactionId: answer.body.transactionId,
        ledgerEntryId: answer.body.ledgerEntryId,
        cardBalance: answer.body.cardBalance,
        requestId: answer.requestId,
        replayed: answer.replayed,
        startedAt,
      };
    },

    async verifyLedger(input: { baseUrl: string; cardId: string; transactionId: string; amount: number }) {
      const answer = await paycaCall(() => production(input.baseUrl).listLedger(input.cardId, { signal: signal() }));
      const entries = answer.body.data.filter((e) => e.transactionId === input.transactionId);
      if (entries.length !== 1 || entries[0]?.amount !== input.amount) {
        throw ApplicationFailure.create({
          type: 'LedgerMismatch',
          nonRetryable: true,
          message: `the ledger of card ${input.cardId} shows ${entries.length} entries for transaction ${input.transactionId} (expected one of ${input.amount}); request ${answer.requestId}`,
          details: [{ entries, requestId: answer.requestId }],
        });
      }
      return { ledgerEntryId: entries[0].id, entries: answer.body.data.length, requestId: answer.requestId };
    },

    async closeTestCard(input: { baseUrl: string; cardId: string }) {
      const idempotencyKey = idempotencyKeyFromActivity('close-test-card');
      const answer = await paycaCall(() =>
        production(input.baseUrl).closeCard(input.cardId, { idempotencyKey, signal: signal() }),
      );
      return { cardId: answer.body.id, status: answer.body.status, requestId: answer.requestId };
    },
  };
}
