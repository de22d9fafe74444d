/**
 * What the demo's people say when they close checklist items: the evidence each owner gives for an
 * attested item, and the waivers the lead gives for checks that cannot pass on a local stack.
 */
import type { ChecklistItemState } from '../workflows/cutover-state.js';

const EVIDENCE: Record<string, string> = {
  'secrets-in-vault': 'client id and secret stored at kv/payca/production, SEC-412',
  'rotate-sandbox-keys': 'sandbox pair rotated, old pair revoked, SEC-413',
  'firewall-allowlist': 'PayCA IP ranges allowed on the edge firewall, NET-207',
  'observability-shipping': 'payca service logs and metrics reach the central stack, OBS-51',
  dashboards: 'authorizations, settlements, refunds and fees boards live, DASH-12',
  'alert-webhook-failures': 'webhook failure rate > 1% over 5m pages on-call, ALERT-31',
  'alert-low-balance': 'pages Treasury below 120% of the prefund minimum, ALERT-32',
  'alert-rate-limited': 'ErrRateLimited spike rule on the PayCA client, ALERT-33',
  'alert-decline-shift': 'decline rate against a 7-day baseline, ALERT-34',
  'tier1-error-codes': 'two sessions on PayCA error codes, attendance in CX-88',
  'escalation-matrix': 'matrix v3 lists the PayCA 24x7 bridge, CX-89',
  'customer-messaging': 'downtime and decline messages approved, CX-90',
  'incident-rehearsal': 'tabletop with PayCA on-call held, notes in INC-12',
  'kyc-aml-review': 'reviewed for 50k cards in year one, COMP-21',
  'data-retention': 'webhooks, ledger exports and audit logs covered, COMP-22',
  'pci-segmentation': 'PAN retrieval is not enabled: no PCI scope change, COMP-23',
  'business-continuity': 'BCP names PayCA and the fallback, COMP-24',
  'account-manager-handover': 'final readiness call with the PayCA account manager, PM-5',
  'legal-sign-off': 'cardholder terms v2 signed off by legal, LEGAL-9',
  'support-ticket-review': 'first-day tickets reviewed: no pattern pointing at PayCA, two FAQ updates, CX-812',
  'retro-scheduled': 'retro booked for day 5 with PayCA, invite https://calendar.acme.example/invite/acme-prepaid-uk-retro',
};

export function demoEvidence(item: ChecklistItemState): string {
  return EVIDENCE[item.id] ?? `demo: ${item.title.charAt(0).toLowerCase()}${item.title.slice(1)}, confirmed`;
}

/** The local webhook receiver is plain http, so the TLS check fails here by design. */
export const DEMO_WAIVERS: Readonly<Record<string, string>> = {
  'webhook-endpoint-tls': 'local stack: the receiver has no TLS; checked on the real endpoint',
};
