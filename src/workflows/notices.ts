/**
 * Notices to people from the cutover and its watch. A notice is a side channel: it never decides the fate
 * of a cutover. It is sent without holding up the timeline (a stuck webhook cannot delay a stage), the
 * activity retries within the plan's budget, and a notice that still cannot go out is handed to
 * `onFailure` for the record. Workflows wait for notices in flight only before they end or continue as new.
 */
import { log, patched } from '@temporalio/workflow';
import type { NotificationChannel } from '../activities/notify.js';
import { webhookTarget } from '../net/webhook-target.js';
import { DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS, DEFAULT_NOTIFY_RETRY_BUDGET_MS } from '../plan/notifications.js';
import { routeNotice, routesNotices, type NoticeRouting } from '../plan/notice-routes.js';
import type { CutoverPlan } from '../plan/schema.js';
import { activityProblem, cutoverActivities, noticeActivities } from './activity-proxies.js';
import type { IncidentRecord, NoticeFailure, NoticeFailures } from './cutover-state.js';

/** Runs started before this awaited each notice and failed with it; they keep awaiting so their histories replay. */
export const BEST_EFFORT_NOTICES_PATCH = 'best-effort-notices';

/** Notices routed to the plan's channels; cutovers whose plan names none keep the single webhook. */
export const ROUTED_NOTICES_PATCH = 'routed-notices';

export function noticeRouting(plan: Pick<CutoverPlan, 'notifications' | 'people'>): NoticeRouting | undefined {
  const { channels, routes, rehearsal } = plan.notifications;
  if (!routesNotices(plan.notifications)) return undefined;
  const people = Object.fromEntries(
    Object.entries(plan.people ?? {}).flatMap(([id, who]) => (who.email ? [[id, { email: who.email }]] : [])),
  );
  return { plan: { channels, routes, rehearsal }, people };
}

/** Failed notices kept in full in status, and logged one by one in the incident log. */
export const NOTICE_FAILURES_KEPT = 20;

const EXCERPT_CHARS = 160;

export interface NoticeSettings {
  webhookUrl?: string;
  retryBudgetMs?: number;
  attemptTimeoutMs?: number;
  /** The plan's channels and routes; absent, every notice takes the single webhook. */
  routing?: NoticeRouting;
  from: NoticeFailure['from'];
  nowIso(): string;
  /** Records a notice that could not go out; may signal, so it may be async. */
  onFailure(failure: NoticeFailure): void | Promise<void>;
}

export interface SendOptions {
  to?: string[];
  /** Who the notice is for, as the record names it: the monitoring room, a role, the people in `to`. */
  audience?: string;
  /** The activity's summary in the UI; `notify CHANNEL` by default. */
  summary?: string;
}

export interface Notices {
  send(channel: NotificationChannel, text: string, options?: SendOptions): Promise<void>;
  /** Resolves once every notice sent so far has been delivered or recorded as not delivered. */
  settle(): Promise<void>;
  /** True while no notice is in flight: nothing would be lost if the run continued as new now. */
  idle(): boolean;
  /** Other best-effort side work (screenshots taken beside a hold), settled and counted as in flight with the notices. */
  track(work: Promise<void>): void;
}

export function createNotices(settings: NoticeSettings): Notices {
  const pending = new Set<Promise<void>>();
  const retryBudgetMs = settings.retryBudgetMs ?? DEFAULT_NOTIFY_RETRY_BUDGET_MS;
  const attemptTimeoutMs = settings.attemptTimeoutMs ?? DEFAULT_NOTIFY_ATTEMPT_TIMEOUT_MS;
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  async function deliver(channel: NotificationChannel, text: string, options: SendOptions): Promise<void> {
    const summary = options.summary ?? `notify ${channel}`;
    const routing = settings.routing;
    const destinations =
      routing && patched(ROUTED_NOTICES_PATCH) ? routeNotice(routing.plan, routing.people, channel, options.to) : undefined;
    let failed: { target: string; reason: string }[] = [];
    try {
      const result = await noticeActivities(summary, retryBudgetMs, attemptTimeoutMs).notify({
        channel,
        text,
        to: options.to,
        webhookUrl: settings.webhookUrl,
        retryBudgetMs,
        attemptTimeoutMs,
        ...(destinations && { destinations }),
      });
      if (result.deliveredTo === 'nowhere') failed = [{ target: result.target, reason: result.reason }];
      if (result.deliveredTo === 'routes') failed = result.failures;
    } catch (err) {
      // The activity itself gave out (its worker lost twice, or its time ran out): the webhook was not reached.
      const problem = activityProblem(err);
      const target = destinations
        ? destinations.map((d) => d.channel).join(', ')
        : settings.webhookUrl
          ? webhookTarget(settings.webhookUrl)
          : "the worker's notification webhook";
      failed = [{ target, reason: `${problem.type}: ${problem.message}` }];
      // No activity was left to write the text to the worker's log: the workflow's logger does, once, outside replay.
      log.warn('notification not delivered', { channel, target, reason: `${problem.type}: ${problem.message}`, text });
    }
    const audience = options.audience ?? (options.to?.length ? options.to.join(', ') : channel);
    for (const failure of failed) {
      await settings.onFailure({
        at: settings.nowIso(),
        channel,
        target: `${audience} via ${failure.target}`,
        reason: failure.reason,
        excerpt: text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS - 1)}…` : text,
        from: settings.from,
      });
    }
  }

  return {
    async send(channel, text, options = {}) {
      if (!patched(BEST_EFFORT_NOTICES_PATCH)) {
        await cutoverActivities(options.summary ?? `notify ${channel}`).notify({
          channel,
          text,
          to: options.to,
          webhookUrl: settings.webhookUrl,
        });
        return;
      }
      track(deliver(channel, text, options));
    },
    async settle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    idle: () => pending.size === 0,
    track,
  };
}

/**
 * Adds a failed notice to the cutover's record: the latest few in status, the count of all, and the
 * incident log one by one up to the same bound, then a single line saying the rest are only counted.
 */
export function recordNoticeFailure(
  record: { notices?: NoticeFailures; incidents: IncidentRecord[] },
  failure: NoticeFailure,
  addIncident: (incident: IncidentRecord) => void = (incident) => record.incidents.push(incident),
): void {
  const notices = (record.notices ??= { failed: [], total: 0 });
  notices.total += 1;
  notices.failed.push(failure);
  if (notices.failed.length > NOTICE_FAILURES_KEPT) notices.failed.shift();
  const by = failure.from === 'watch' ? 'post-launch watch' : 'cutover';
  if (notices.total <= NOTICE_FAILURES_KEPT) {
    // People not told they are awaited is what can hold a launch up; the rest is information lost.
    const severity = failure.channel === 'approvers' || failure.channel === 'escalation' ? 'sev2' : 'sev3';
    addIncident({
      at: failure.at,
      severity,
      summary: `notification (${failure.channel}) to ${failure.target} failed: ${failure.reason}`,
      by,
      source: 'notification',
    });
  } else if (notices.total === NOTICE_FAILURES_KEPT + 1) {
    addIncident({
      at: failure.at,
      severity: 'sev3',
      summary: `more than ${NOTICE_FAILURES_KEPT} notifications failed; status counts the rest and keeps the latest`,
      by,
      source: 'notification',
    });
  }
}
