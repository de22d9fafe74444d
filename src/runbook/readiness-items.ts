/**
 * The runbook's readiness rows (sections 1, 2, 3, 5, 6, 7 and the closing line) as checklist items with
 * stable ids. Pure data: the workflow, the plan schema and the CLI all read it. An `automated` item names
 * the check that proves it; an `attested` one is vouched for by its owner with evidence.
 */
import type { Role } from './stages.js';

export const AUTOMATED_CHECKS = [
  'production-credentials',
  'cicd-env',
  'webhook-tls',
  'mutual-tls',
  'bin-catalogue',
  'prefund',
  'seed-cards',
  'webhook-subscriptions',
] as const;
export type AutomatedCheck = (typeof AUTOMATED_CHECKS)[number];

export interface ReadinessItemDefinition {
  id: string;
  section: string;
  title: string;
  owner: Role;
  kind: 'automated' | 'attested';
  check?: AutomatedCheck;
  /** Optional items never block go/no-go. */
  optional?: boolean;
  /**
   * A section 9 task: opens after the roll-forward decision, never blocks go/no-go, and the cutover ends
   * only once it is settled. `dueAfterMs` is its deadline from go-live time T.
   */
  postLaunch?: { dueAfterMs: number };
}

const S1 = '1 Credentials & Access';
const S2 = '2 Infrastructure';
const S3 = '3 Data Readiness';
const S5 = '5 Monitoring & Alerting';
const S6 = '6 Support Readiness';
const S7 = '7 Compliance & Risk';
const HANDOVER = 'Hand-over';
const S9 = '9 Post-Launch';
const HOUR = 3_600_000;

export const RUNBOOK_ITEMS: readonly ReadinessItemDefinition[] = [
  {
    id: 'production-credentials',
    section: S1,
    title: 'Request production x-client-id and x-client-secret',
    owner: 'engineering',
    kind: 'automated',
    check: 'production-credentials',
  },
  { id: 'secrets-in-vault', section: S1, title: 'Store secrets in vault/KMS', owner: 'engineering', kind: 'attested' },
  { id: 'rotate-sandbox-keys', section: S1, title: 'Rotate sandbox keys', owner: 'engineering', kind: 'attested' },
  { id: 'cicd-env-vars', section: S1, title: 'Update CI/CD env vars', owner: 'devops', kind: 'automated', check: 'cicd-env' },
  {
    id: 'webhook-endpoint-tls',
    section: S2,
    title: 'Production webhook endpoint deployed with TLS 1.2+',
    owner: 'engineering',
    kind: 'automated',
    check: 'webhook-tls',
  },
  { id: 'firewall-allowlist', section: S2, title: 'Firewall rules whitelist PayCA IP ranges', owner: 'devops', kind: 'attested' },
  {
    id: 'mutual-tls',
    section: S2,
    title: 'Mutual TLS configured if required',
    owner: 'engineering',
    kind: 'automated',
    check: 'mutual-tls',
  },
  {
    id: 'observability-shipping',
    section: S2,
    title: 'Logging and metrics shipped to centralized observability',
    owner: 'devops',
    kind: 'attested',
  },
  {
    id: 'bin-catalogue',
    section: S3,
    title: 'Import production BIN catalogue: confirm fees, currencies, restrictions',
    owner: 'ops',
    kind: 'automated',
    check: 'bin-catalogue',
  },
  {
    id: 'prefund-master-accounts',
    section: S3,
    title: 'Prefund master accounts before first authorization',
    owner: 'treasury',
    kind: 'automated',
    check: 'prefund',
  },
  {
    id: 'seed-card-records',
    section: S3,
    title: 'Seed initial card records (dry run verifies ID mapping)',
    owner: 'engineering',
    kind: 'automated',
    check: 'seed-cards',
    optional: true,
  },
  {
    id: 'sync-webhooks',
    section: S3,
    title: 'Register production webhook subscriptions and validate 2xx delivery',
    owner: 'engineering',
    kind: 'automated',
    check: 'webhook-subscriptions',
  },
  {
    id: 'dashboards',
    section: S5,
    title: 'Dashboards for authorizations, settlements, refunds, fees',
    owner: 'analytics',
    kind: 'attested',
  },
  {
    id: 'alert-webhook-failures',
    section: S5,
    title: 'Alert: webhook failure rate > 1% in 5 minutes',
    owner: 'engineering',
    kind: 'attested',
  },
  { id: 'alert-low-balance', section: S5, title: 'Alert: low master-account balance', owner: 'treasury', kind: 'attested' },
  { id: 'alert-rate-limited', section: S5, title: 'Alert: ErrRateLimited spikes', owner: 'engineering', kind: 'attested' },
  { id: 'alert-decline-shift', section: S5, title: 'Alert: unusual decline-rate shifts', owner: 'analytics', kind: 'attested' },
  { id: 'tier1-error-codes', section: S6, title: 'Tier-1 support trained on PayCA error codes', owner: 'cx', kind: 'attested' },
  { id: 'escalation-matrix', section: S6, title: 'Escalation matrix includes PayCA 24x7 contacts', owner: 'cx', kind: 'attested' },
  { id: 'customer-messaging', section: S6, title: 'Customer messaging prepared for downtime/declines', owner: 'cx', kind: 'attested' },
  { id: 'incident-rehearsal', section: S6, title: 'Incident process rehearsed', owner: 'cx', kind: 'attested' },
  { id: 'kyc-aml-review', section: S7, title: 'KYC/AML obligations reviewed for projected volume', owner: 'compliance', kind: 'attested' },
  {
    id: 'data-retention',
    section: S7,
    title: 'Data retention plans documented (webhooks, ledger exports, audit logs)',
    owner: 'compliance',
    kind: 'attested',
  },
  {
    id: 'pci-segmentation',
    section: S7,
    title: 'PCI segmentation verified if PAN retrieval is enabled',
    owner: 'compliance',
    kind: 'attested',
    optional: true,
  },
  {
    id: 'business-continuity',
    section: S7,
    title: 'Business continuity plans updated with PayCA dependency',
    owner: 'compliance',
    kind: 'attested',
  },
  {
    id: 'account-manager-handover',
    section: HANDOVER,
    title: 'Coordinate final readiness with the PayCA account manager before credential hand-over',
    owner: 'lead',
    kind: 'attested',
  },
  {
    id: 'hourly-metrics-review',
    section: S9,
    title: 'Monitor key metrics hourly for first 48h (the post-launch watch)',
    owner: 'analytics',
    kind: 'automated',
    postLaunch: { dueAfterMs: 48 * HOUR },
  },
  {
    id: 'day1-fee-reconciliation',
    section: S9,
    title: 'Reconcile day-1 fees with statement (the fee-reconciliation stage)',
    owner: 'finance',
    kind: 'automated',
    postLaunch: { dueAfterMs: 24 * HOUR },
  },
  {
    id: 'support-ticket-review',
    section: S9,
    title: 'Review support tickets and patterns',
    owner: 'cx',
    kind: 'attested',
    postLaunch: { dueAfterMs: 48 * HOUR },
  },
  {
    id: 'retro-scheduled',
    section: S9,
    title: 'Schedule retro in week 1',
    owner: 'lead',
    kind: 'attested',
    postLaunch: { dueAfterMs: 7 * 24 * HOUR },
  },
];

/** The post-launch items the workflow itself settles: the watch and the fee reconciliation. */
export const WATCH_ITEM_ID = 'hourly-metrics-review';
export const FEE_RECONCILIATION_ITEM_ID = 'day1-fee-reconciliation';
