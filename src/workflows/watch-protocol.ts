/**
 * Between the cutover and its post-launch watch (not for people: the CLI talks to the cutover): the
 * watch's input and carried state, the alerts and summaries it reports, the lead's decisions the cutover
 * forwards to it, and the signals that carry them.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { NoticeRouting } from '../plan/notice-routes.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { NoticeFailure, Severity } from './cutover-state.js';

export const ALERT_RULES = [
  'webhook-failure-rate',
  'low-balance',
  'rate-limited-spike',
  'decline-rate-shift',
  /** The watch itself could not read PayCA's metrics within the retry budget: it is blind until it recovers. */
  'metrics-unavailable',
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** One alert from opening to recovery. Notified once each way, however long it stays open. */
export interface WatchAlert {
  /** Rule plus subject, e.g. `low-balance:acc_gbp_main`: at most one open alert per id. */
  id: string;
  rule: AlertRule;
  severity: Severity;
  openedAt: string;
  /** The same instant on the plan's clock. */
  openedPlanAt: string;
  /** What was seen against what the plan allows, in words. */
  opened: string;
  recoveredAt?: string;
  recoveredPlanAt?: string;
  recovered?: string;
}

/** What PayCA's metrics counted over one period. */
export interface MetricsTotals {
  authorizations: { approved: number; declined: number };
  settlements: { count: number; amount: number };
  refunds: { count: number; amount: number };
  fees: { amount: number; currency: string };
  webhooks: { succeeded: number; failed: number };
  rateLimited: number;
}

/** The summary posted to Analytics once per period (hourly by default). */
export interface WatchSummary {
  /** 1 for the first period after the watch began. */
  period: number;
  fromPlan: string;
  toPlan: string;
  totals: MetricsTotals;
  /** Lowest available balance seen per account over the period. */
  lowestBalances: Record<string, { currency: string; available: number }>;
  openAlerts: string[];
  /** PayCA request ids of the reads that make up the period, first and last. */
  requestIds: string[];
}

export interface WatchDecision {
  kind: 'end' | 'extend';
  by: string;
  reason: string;
  extendByMs?: number;
  at: string;
}

/** What the watch workflow returns when it ends. */
export interface WatchResult {
  status: 'ended-early' | 'completed';
  endsPlanAt: string;
  reads: number;
  runs: number;
  alerts: WatchAlert[];
  summaries: WatchSummary[];
  endedEarly?: WatchDecision;
}

export const WATCH_WORKFLOW_TYPE = 'postLaunchWatchWorkflow';

/** The watch's id, derived from its cutover's so either can be found from the other. */
export const watchWorkflowId = (cutoverWorkflowId: string) => `${cutoverWorkflowId}.watch`;

/**
 * Messages between a cutover and its watch carry the link the cutover made for that watch (its input's
 * `link`): anyone who can signal the namespace can send these signals, and only the partner knows the link.
 */
export interface Linked {
  link?: string;
}

/** The cutover forwards the lead's accepted end and extend decisions to its watch. */
export const watchControlSignal = defineSignal<[WatchDecision & Linked]>('watch-control');

/** The watch reports each alert change, each summary and its progress to its cutover. */
export type WatchEvent =
  | { kind: 'alert'; alert: WatchAlert }
  | { kind: 'summary'; summary: WatchSummary }
  | { kind: 'progress'; reads: number; runs: number; endsPlanAt: string }
  | { kind: 'notice-failed'; failure: NoticeFailure }
  /** A watch-control signal the watch refused: it did not carry the link. */
  | { kind: 'control-refused'; claimedBy: string; at: string }
  /** The watch ended: sent to whichever run of the cutover is current, which may not be the one that started it. */
  | { kind: 'finished'; result: WatchResult };
export const watchEventSignal = defineSignal<[WatchEvent & Linked]>('watch-event');

/** Forged internal messages the cutover records in full; more are only counted. */
export const MAX_FORGED_MESSAGES_RECORDED = 10;

export interface WatchInput {
  cutoverWorkflowId: string;
  programme: string;
  postLaunch: CutoverPlan['postLaunch'];
  paycaBaseUrl: string;
  paycaRetryBudgetMs: number;
  notifyWebhookUrl?: string;
  /** The plan's notice budgets; absent in watches started before notices were best effort. */
  notifyRetryBudgetMs?: number;
  notifyAttemptTimeoutMs?: number;
  /** The plan's channels and routes, when it names them. */
  notifyRouting?: NoticeRouting;
  /** Who gets the hourly summaries. */
  analysts: string[];
  timeScale: number;
  /** The cutover's clocks: plan time runs `timeScale` times faster from this wall time, where both agree. */
  anchorMs: number;
  /** Plan time the watch began: the roll-forward decision. */
  startPlanMs: number;
  /** Go-live time T, ISO 8601, so reads are labelled T+5m, T+1h and so on. */
  goLive: string;
  /** Plan time the watch ends, before extensions. */
  endsPlanMs: number;
  /** State carried over from the previous run, after continue-as-new. */
  carried?: WatchCarriedState;
  /** The secret every message between this watch and its cutover carries; absent in older watches. */
  link?: string;
  /**
   * Set by a cutover that may continue as new while the watch runs: a later run is not the watch's parent
   * and never sees its result, so the watch also sends it as a message.
   */
  reportsFinish?: boolean;
}

/** Everything a watch run hands to the next one. */
export interface WatchCarriedState {
  endsPlanMs: number;
  /** Plan time of the next metrics read: reads fall on the interval grid from go-live time T. */
  nextReadPlanMs: number;
  /** Plan time the last read's window ended (the watch's start before the first read). */
  lastReadPlanMs: number;
  /** Plan time the summary period in progress began. */
  periodStartPlanMs: number;
  reads: number;
  runs: number;
  alerts: WatchAlert[];
  summaries: WatchSummary[];
  /** The reads of the summary period in progress. */
  period: { totals: MetricsTotals; lowestBalances: WatchSummary['lowestBalances']; requestIds: string[] };
  /** Recent normal intervals, for the rate-limited and decline-rate baselines. */
  baseline: { rateLimited: number[]; approved: number[]; declined: number[] };
  decisions: WatchDecision[];
  ended?: WatchDecision;
}

export const watchStatusQuery = defineQuery<WatchCarriedState>('watch-status');
