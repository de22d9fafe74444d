/**
 * The launch report (`cutover report ID`): the runbook's artifacts (checklist, timeline, approvals, smoke-test
 * evidence, the post-launch watch with its summaries and alerts, the day-1 fee reconciliation, dashboards,
 * reminders, incident log) in one document for the cutover's records. Both renderers are pure functions of
 * the status and the time the report is generated, and the Markdown is rendered from the JSON model, so
 * `--format json` and `--format md` always tell the same story.
 */
import type { CutoverStatus } from '../../workflows/cutover-state.js';
import { checklistOf } from './checklist.js';
import { launchReportMarkdown } from './launch-report/markdown.js';
import type { LaunchRehearsal, LaunchReport } from './launch-report/model.js';
import { feeReconciliationOf, finalOutcomeOf, watchOf } from './launch-report/post-launch.js';
import {
  approvalsOf,
  dashboardsOf,
  failedNoticesOf,
  incidentLogOf,
  itemAnswersOf,
  outcomeOf,
  remindersOf,
  reportedIncidentsOf,
  timelineOf,
} from './launch-report/records.js';
import { smokeTestsOf } from './launch-report/smoke-tests.js';
import { tasksOf } from './launch-report/tasks.js';
import { timeZoneOf } from '../../operations/timeline-entries.js';

export type * from './launch-report/model.js';
export { delayText, launchReportMarkdown } from './launch-report/markdown.js';

/** What the report reads besides the cutover's own status: the rehearsal it follows, when it names one. */
export interface LaunchReportSources {
  rehearsal?: LaunchRehearsal;
}

export function buildLaunchReport(status: CutoverStatus, generatedAt: Date, sources: LaunchReportSources = {}): LaunchReport {
  const approvals = approvalsOf(status);
  const outcome = outcomeOf(status);
  const watch = watchOf(status);
  const feeReconciliation = feeReconciliationOf(status);
  const tasks = tasksOf(status);
  return {
    generatedAt: generatedAt.toISOString(),
    workflowId: status.workflowId,
    programme: status.programme,
    goLive: status.goLive,
    timeZone: timeZoneOf(status),
    timeScale: status.timeScale,
    startedBy: status.startedBy,
    startedAt: status.startedAt,
    phase: status.phase,
    outcome,
    timeline: timelineOf(status),
    approvals,
    itemAnswers: itemAnswersOf(status),
    smokeTests: smokeTestsOf(status),
    checklist: checklistOf(status),
    refusals: [...status.refusals],
    refusalSummary: status.refusalSummary ?? null,
    escalations: [...status.escalations],
    incidents: [...reportedIncidentsOf(status)],
    omitted: status.omitted ?? null,
    compensations: [...status.compensations],
    decision: status.decision ?? null,
    abort: status.abort ?? null,
    watch,
    summaries: (status.watch?.summaries ?? []).map((summary) => ({ ...summary })),
    alerts: (status.watch?.alerts ?? []).map((alert) => ({ ...alert })),
    feeReconciliation,
    dashboards: dashboardsOf(status),
    debriefPack: status.debrief ? structuredClone(status.debrief) : null,
    dashboardShots: (status.dashboardShots ?? []).map((shot) => ({ ...shot })),
    alertRules: status.alertRules ?? null,
    reminders: remindersOf(status),
    failedNotices: failedNoticesOf(status),
    incidentLog: incidentLogOf(status, approvals),
    finalOutcome: finalOutcomeOf(status, outcome, watch, feeReconciliation),
    ...(sources.rehearsal && { rehearsal: sources.rehearsal }),
    ...(tasks && { tasks }),
  };
}

export function renderLaunchReportJson(status: CutoverStatus, generatedAt: Date, sources?: LaunchReportSources): string {
  return `${JSON.stringify(buildLaunchReport(status, generatedAt, sources), null, 2)}\n`;
}

export function renderLaunchReportMarkdown(status: CutoverStatus, generatedAt: Date, sources?: LaunchReportSources): string {
  return launchReportMarkdown(buildLaunchReport(status, generatedAt, sources));
}
