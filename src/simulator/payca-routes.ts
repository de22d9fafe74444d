/** The PayCA route table, as listed in docs/payca-contract.md. */
import { health, listAccounts, listBins, programConfig } from './account-routes.js';
import { getAuthorization } from './authorization-routes.js';
import { cardLedger, closeCard, getCard, issueCard, listCards, topUpCard } from './card-routes.js';
import { feeStatement, metrics } from './report-routes.js';
import type { PaycaRoute } from './route-context.js';
import { Router } from './router.js';
import { simulateTransaction } from './sandbox-routes.js';
import { deleteSubscription, listDeliveries, listSubscriptions, sendTestEvent, subscribe } from './webhook-routes.js';

export function paycaRoutes(): Router<PaycaRoute> {
  return new Router<PaycaRoute>()
    .add('GET', '/health', { handle: health, public: true })
    .add('GET', '/v2/accounts', { handle: listAccounts })
    .add('GET', '/v1/program/config', { handle: programConfig })
    .add('GET', '/v1/bins', { handle: listBins })
    .add('POST', '/v1/cards', { handle: issueCard })
    .add('GET', '/v1/cards', { handle: listCards })
    .add('GET', '/v1/cards/:id', { handle: getCard })
    .add('POST', '/v1/cards/:id/topup', { handle: topUpCard })
    .add('POST', '/v1/cards/:id/close', { handle: closeCard })
    .add('GET', '/v1/ledger', { handle: cardLedger })
    .add('GET', '/v1/authorizations/:id', { handle: getAuthorization })
    .add('POST', '/v1/webhooks', { handle: subscribe })
    .add('GET', '/v1/webhooks', { handle: listSubscriptions })
    .add('DELETE', '/v1/webhooks/:id', { handle: deleteSubscription })
    .add('POST', '/v1/webhooks/:id/test', { handle: sendTestEvent })
    .add('GET', '/v1/webhooks/:id/deliveries', { handle: listDeliveries })
    .add('POST', '/sandbox/transactions', { handle: simulateTransaction })
    .add('GET', '/v1/reports/metrics', { handle: metrics })
    .add('GET', '/v1/statements/:date', { handle: feeStatement });
}
