/** The report's record of people and the workflow: outcome, timeline, approvals, signed answers, the incident log. */
import { formatDuration } from '../../../plan/duration.js';
import type { CutoverStatus, IncidentRecord, NoticeFailures } from '../../../workflows/cutover-state.js';
import { authenticationOf } from '../../../workflows/identity-rules.js';
import { roleTitle } from '../checklist.js';
import { compensationOutcome } from '../status.js';
import { shortTime } from '../time.js';
import type {
  LaunchApproval,
  LaunchIncident,
  LaunchItemAnswer,
  LaunchReminder,
  LaunchReportOutcome,
  LaunchTimelineEntry,
} from './model.js';

export function outcomeOf(status: CutoverStatus): LaunchReportOutcome {
  const finishedAt = status.finishedAt ?? null;
  const decision = status.decision;
  const decided = decision ? `, ${decision.decision} decided by ${decision.by} at ${shortTime(decision.at)}: ${decision.reason}` : '';
  switch (status.phase) {
    case 'completed':
      return { state: 'completed', finishedAt, summary: `completed at ${shortTime(finishedAt ?? undefined)}${decided}` };
    case 'rolled-back':
      return { state: 'rolled-back', finishedAt, summary: `rolled back, finished ${shortTime(finishedAt ?? undefined)}${decided}` };
    case 'aborted': {
      const abort = status.abort;
      const why = abort ? `, aborted by ${abort.by} at ${shortTime(abort.at)}: ${abort.reason}` : '';
      return { state: 'aborted', finishedAt, summary: `aborted, finished ${shortTime(finishedAt ?? undefined)}${why}` };
    }
    default:
      return {
        state: 'running',
        finishedAt,
        summary: `still running at phase ${status.phase}${status.currentStage ? ` (stage ${status.currentStage})` : ''}`,
      };
  }
}

export function timelineOf(status: CutoverStatus): LaunchTimelineEntry[] {
  return status.stages.map((stage) => ({
    stage: stage.id,
    title: stage.title,
    offset: stage.offset,
    owner: stage.owner,
    planned: stage.plannedAt,
    due: stage.dueAt,
    started: stage.startedAt ?? null,
    finished: stage.finishedAt ?? null,
    delayMs: stage.startedAt ? Date.parse(stage.startedAt) - Date.parse(stage.dueAt) : null,
    status: stage.status,
    attempts: stage.attempts,
    problems: [...stage.problems],
    // The task graph's forecast marks the stages on its critical path; a status without one draws no path.
    ...(status.forecast?.criticalPath.includes(stage.id) && { critical: true }),
  }));
}

export function approvalsOf(status: CutoverStatus): LaunchApproval[] {
  return status.stages.flatMap((stage) =>
    stage.approvals.map((a) => ({
      stage: stage.id,
      attempt: a.attempt,
      by: a.by,
      role: a.role,
      decision: a.decision,
      at: a.at,
      note: a.note ?? null,
      authorizationId: a.authorizationId ?? null,
      signature: a.signature ?? null,
      room: a.room ?? null,
      authenticated: authenticationOf(a),
    })),
  );
}

export function itemAnswersOf(status: CutoverStatus): LaunchItemAnswer[] {
  return status.checklist
    .flatMap((item) =>
      (item.signedAnswers ?? []).map((a) => ({
        item: item.id,
        attempt: a.attempt,
        by: a.by,
        decision: a.kind,
        at: a.at,
        note: a.note ?? null,
        signature: a.signature,
      })),
    )
    .sort((a, b) => a.at.localeCompare(b.at));
}

/** Cutovers started before people could report incidents answer without the list. */
export function reportedIncidentsOf(status: CutoverStatus): IncidentRecord[] {
  return (status as Partial<CutoverStatus>).incidents ?? [];
}

export function incidentLogOf(status: CutoverStatus, approvals: readonly LaunchApproval[]): LaunchIncident[] {
  const incidents: LaunchIncident[] = [
    ...reportedIncidentsOf(status).map((i) => ({
      at: i.at,
      kind: i.source === 'alert' ? ('alert' as const) : i.source === 'notification' ? ('notice-failed' as const) : ('incident' as const),
      who: i.by,
      what: `${i.severity}: ${i.summary}`,
    })),
    ...status.escalations.map((e) => ({
      at: e.at,
      kind: 'escalation' as const,
      who: e.to.length ? e.to.join(', ') : null,
      what: `${e.stage} escalated, waiting for ${e.waitingFor.map(roleTitle).join(', ')}`,
    })),
    ...remindersOf(status)
      .filter((r) => r.kind === 'overdue')
      .map((r) => ({
        at: r.at,
        kind: 'escalation' as const,
        who: r.to.length ? r.to.join(', ') : null,
        what: `post-launch item ${r.item} is overdue`,
      })),
    ...status.refusals.map((r) => ({
      at: r.at,
      kind: 'refusal' as const,
      who: r.by ?? null,
      what: `${r.kind}${r.stage ? ` ${r.stage}` : ''}${r.item ? ` ${r.item}` : ''}${r.task ? ` ${r.task}` : ''} refused (via ${r.via}${r.reportedBySender ? ', reported by the sender' : ''}): ${r.reason}`,
    })),
    ...approvals
      .filter((a) => a.decision === 'rejected')
      .map((a) => ({
        at: a.at,
        kind: 'rejection' as const,
        who: a.by,
        what: `rejected ${a.stage} (attempt ${a.attempt}) as ${roleTitle(a.role)}: ${a.note ?? 'no reason given'}`,
      })),
    ...(status.decision
      ? [
          {
            at: status.decision.at,
            kind: 'decision' as const,
            who: status.decision.by,
            what: `${status.decision.decision}: ${status.decision.reason}`,
          },
        ]
      : []),
    ...(status.watch?.decisions ?? []).map((d) => ({
      at: d.at,
      kind: 'watch-decision' as const,
      who: d.by,
      what: `post-launch watch ${d.kind === 'end' ? 'ended early' : `extended by ${formatDuration(d.extendByMs ?? 0)}`}: ${d.reason}`,
    })),
    ...(status.abort
      ? [{ at: status.abort.at, kind: 'abort' as const, who: status.abort.by, what: `aborted: ${status.abort.reason}` }]
      : []),
    ...status.compensations
      .filter((c) => c.status === 'failed' || c.status === 'held' || c.holds !== undefined)
      .map((c) => ({
        at: c.at,
        kind: 'compensation-failed' as const,
        who: c.doneByHand?.by ?? null,
        what: c.status === 'failed' ? `${c.step} failed${c.detail ? `: ${c.detail}` : ''}` : `${c.step} ${compensationOutcome(c)}`,
      })),
  ];
  // A stable sort keeps same-instant entries in the order above.
  return incidents.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Cutovers started before notices were best effort answer without the record. */
export function failedNoticesOf(status: CutoverStatus): NoticeFailures {
  const notices = (status as Partial<CutoverStatus>).notices;
  return { failed: (notices?.failed ?? []).map((n) => ({ ...n })), total: notices?.total ?? 0 };
}

/** Cutovers started before post-launch reminders and dashboards existed answer without them. */
export function remindersOf(status: CutoverStatus): LaunchReminder[] {
  return ((status as Partial<CutoverStatus>).reminders ?? []).map((r) => ({ ...r, to: [...r.to] }));
}

export function dashboardsOf(status: CutoverStatus): { title: string; url: string }[] {
  return ((status as Partial<CutoverStatus>).dashboards ?? []).map((d) => ({ title: d.title, url: d.url }));
}
