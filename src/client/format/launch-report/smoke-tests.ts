/** The report's smoke-test evidence: each go-live step with its PayCA request id, and the manual authorization. */
import type { SmokeTestEvidence } from '../../../activities/smoke-tests.js';
import { findStage, recorded, stageEvidence, type Recorded } from '../../../operations/evidence.js';
import type { CutoverStatus } from '../../../workflows/cutover-state.js';
import { evidenceText } from '../checklist.js';
import { shortTime } from '../time.js';
import type { LaunchSmokeTest } from './model.js';

type SmokeRead = Recorded<SmokeTestEvidence>;
type Step = keyof SmokeTestEvidence;

const replayed = (step: { replayed?: boolean }) => (step.replayed === true ? ', replayed by idempotency key' : '');

/**
 * What each smoke test showed, in a few words, keyed by step in the order they run (runbook section 4); the
 * JSON keeps the whole evidence in the status. A step added to `SmokeTestEvidence` fails the build here.
 */
const SMOKE_DETAIL: { [K in Step]-?: (evidence: NonNullable<SmokeRead[K]>) => string } = {
  earlierTestCards: (cards) =>
    `${cards.length} card(s) earlier runs left open: ${cards.map((c) => `${recorded(c.cardId)} (${recorded(c.externalRef)}) ${recorded(c.status)}`).join(', ') || 'none'}`,
  health: (health) => `status ${recorded(health.status)}, environment ${recorded(health.environment)}`,
  accounts: (read) => {
    const accounts = read.accounts ?? [];
    return `${accounts.length} account(s) visible: ${accounts.map((a) => `${recorded(a.id)} ${recorded(a.currency)} ${recorded(a.available)} (${recorded(a.status)})`).join(', ')}`;
  },
  issueCard: (card) => `test card ${recorded(card.cardId)} (last4 ${recorded(card.last4)}) ${recorded(card.status)}${replayed(card)}`,
  topUp: (topUp) =>
    `transaction ${recorded(topUp.transactionId)}, ledger entry ${recorded(topUp.ledgerEntryId)}, card balance ${recorded(topUp.cardBalance)}${replayed(topUp)}`,
  ledger: (ledger) => `ledger entry ${recorded(ledger.ledgerEntryId)} found among ${recorded(ledger.entries)} entries`,
  topUpWebhook: (webhook) => {
    if ('skipped' in webhook && typeof webhook.skipped === 'string') return `skipped: ${webhook.skipped}`;
    const delivery = webhook as Exclude<typeof webhook, { skipped?: string }>;
    return (
      `${delivery.eventType ?? 'card.topup'} delivery ${recorded(delivery.deliveryId)} ${recorded(delivery.status)}` +
      `${delivery.responseStatus !== undefined ? `, HTTP ${delivery.responseStatus}` : ''}${delivery.attempts !== undefined ? ` after ${delivery.attempts} attempt(s)` : ''}`
    );
  },
  closeCard: (card) => `test card ${recorded(card.cardId)} ${recorded(card.status)}`,
};

const STEPS = Object.keys(SMOKE_DETAIL) as Step[];

function requestIdOf(evidence: unknown): string | null {
  const requestId = typeof evidence === 'object' && evidence !== null ? (evidence as { requestId?: unknown }).requestId : undefined;
  return typeof requestId === 'string' ? requestId : null;
}

export function smokeTestsOf(status: CutoverStatus): LaunchSmokeTest[] {
  const goLive = findStage(status, 'go-live');
  const evidence = stageEvidence(goLive);
  const smoke = evidence.smokeTests;
  const tests: LaunchSmokeTest[] = [];
  if (smoke) {
    for (const step of STEPS) {
      const value = smoke[step];
      if (value === undefined) continue;
      const detail = SMOKE_DETAIL[step] as (evidence: NonNullable<typeof value>) => string;
      tests.push({ step, requestId: requestIdOf(value), detail: detail(value) });
    }
    // Anything a newer worker added after the known steps, so nothing it recorded is dropped.
    for (const [step, value] of Object.entries(smoke)) {
      if ((STEPS as string[]).includes(step)) continue;
      tests.push({ step, requestId: requestIdOf(value), detail: evidenceText(value) ?? '-' });
    }
  }
  // The real low-risk authorization is a manual step: its id arrives with the go-live approval, and the
  // gate keeps what PayCA showed for it (cutovers started before the gate read it have only the id).
  const manual = evidence.manualAuthorization;
  if (manual) {
    const verified = manual.verified;
    const shown = verified
      ? `; PayCA shows it approved: ${recorded(verified.amount)} ${recorded(verified.currency)} minor units on card ${recorded(verified.cardId)} (…${recorded(verified.last4)}) of ${recorded(verified.accountId)}` +
        `${typeof verified.merchant === 'string' ? ` at ${verified.merchant}` : ''}, made ${shortTime(verified.createdAt)}`
      : '';
    tests.push({
      step: 'manualAuthorization',
      requestId: verified?.requestIds?.authorization ?? null,
      detail: `real low-risk authorization ${recorded(manual.authorizationId)} confirmed by ${recorded(manual.confirmedBy)} at ${shortTime(manual.at)}${shown}`,
    });
  }
  return tests;
}
