/**
 * The demo's stand-in for the people in the plan. Owners complete their open attested checklist items
 * with evidence; a failed check is fixed and re-run by its owner where the demo knows the fix, or waived
 * by the lead where the demo knows why it cannot pass locally. Once no required item is open, the lead
 * runs the low-risk real authorization, then approves go-live with its id, and Engineering approves too,
 * since the workflow refuses go/no-go before that; at the debrief the lead rolls forward. A stage that held only on what a demo fix
 * has since put right is re-run by its owner. Anything else that holds or fails is left for a person,
 * because approving an unexpected problem unseen would defeat the point of the gate: Finance, in
 * particular, accepts no fee difference at the day-1 reconciliation.
 *
 * After the roll-forward, the post-launch people: the lead books the retro at once; CX
 * reviews the support tickets when reminded (or when the watch is over); and in a rehearsal that does
 * not watch the full window, the lead ends the watch once the fees reconcile and no alert is open.
 */
import type { CutoverPlan } from '../plan/schema.js';
import { openRequiredItems } from '../workflows/checklist-rules.js';
import type { ChecklistItemState, CutoverStatus } from '../workflows/cutover-state.js';
import { hasRolledForward } from '../workflows/rolled-forward.js';
import { ROLE_TITLES, type Role } from '../runbook/stages.js';
import type { CutoverMessage } from '../operations/send-message.js';
import type { DemoFix } from './demo-readiness.js';

export interface ScriptedAction {
  /** What the audience reads before it happens: "lara (lead) approves go-live". */
  announcement: string;
  /** Done, and announced, before the message is sent: the change a failed check was waiting for. */
  fix?: { announcement: string; apply(): Promise<void> };
  message: CutoverMessage;
}

/** What the demo knows about the checklist of the plan it runs. */
export interface ChecklistScript {
  /** By item id: how to make a failed check pass on a retry. */
  fixes: ReadonlyMap<string, DemoFix>;
  /** By item id: why the lead waives the item when its check fails. */
  waivers: Readonly<Record<string, string>>;
  evidence(item: ChecklistItemState): string;
}

/** What the demo's lead does about the post-launch watch. */
export interface WatchScript {
  /**
   * The reason the lead ends the watch with, once the day-1 fees have reconciled and no alert is open;
   * undefined to let the watch run its whole window.
   */
  endEarlyReason?: string;
}

type Approvers = CutoverPlan['approvers'];

/** Go-live approvals in the order a real bridge call takes them: the lead first. */
const GO_LIVE_ORDER: Role[] = ['lead', 'engineering'];

/** The low-risk real authorization the lead ran for one go-live attempt, once PayCA has recorded it. */
export interface GoLiveScript {
  authorizationId?: string;
  /** The go-live attempt it was run for: a re-run of the smoke tests opens a new window, so a new one. */
  attempt?: number;
}

/** Every action the script would take now, most urgent first; the demo sends the first it has not sent yet. */
export function scriptedActions(
  status: CutoverStatus,
  approvers: Approvers,
  script: ChecklistScript,
  watch: WatchScript = {},
  goLiveScript: GoLiveScript = {},
): ScriptedAction[] {
  return [
    ...failedItemActions(status, approvers, script),
    ...curedStageActions(status, approvers, script),
    ...attestations(status, approvers, script),
    ...goLiveActions(status, approvers, goLiveScript),
    ...debriefActions(status, approvers),
    ...postLaunchAttestations(status, approvers, script),
    ...endWatchActions(status, approvers, watch),
  ];
}

const who = (person: string, role: Role) => `${person} (${ROLE_TITLES[role]})`;

function failedItemActions(status: CutoverStatus, approvers: Approvers, script: ChecklistScript): ScriptedAction[] {
  const lead = approvers.lead?.[0];
  return status.checklist.flatMap((item): ScriptedAction[] => {
    if (item.status !== 'failed') return [];
    const fix = script.fixes.get(item.id);
    const owner = approvers[item.owner]?.[0];
    if (fix && owner) {
      return [
        {
          announcement: `${who(owner, item.owner)} re-runs ${item.id}`,
          fix: { announcement: `${who(owner, item.owner)} ${fix.what}`, apply: () => fix.apply() },
          message: { kind: 'retry-item', args: { item: item.id, by: owner } },
        },
      ];
    }
    const reason = script.waivers[item.id];
    if (reason && lead) {
      return [
        {
          announcement: `${who(lead, 'lead')} waives ${item.id}: ${reason}`,
          message: { kind: 'waive-item', args: { item: item.id, by: lead, reason } },
        },
      ];
    }
    return [];
  });
}

function curedStageActions(status: CutoverStatus, approvers: Approvers, script: ChecklistScript): ScriptedAction[] {
  const fixes = [...script.fixes.values()];
  return status.stages.flatMap((stage): ScriptedAction[] => {
    const person = approvers[stage.owner]?.[0];
    // Only the run that read the files before the fix: a hold that outlasts a re-run is a person's to judge.
    if (stage.status !== 'holding' || stage.attempts !== 1 || stage.problems.length === 0 || !person) return [];
    if (!stage.problems.every((problem) => fixes.some((fix) => fix.cured(problem)))) return [];
    return [
      {
        announcement: `${person} (${stage.owner}) re-runs ${stage.id}: what it found is fixed`,
        message: { kind: 'retry', args: { stage: stage.id, by: person } },
      },
    ];
  });
}

function attestations(status: CutoverStatus, approvers: Approvers, script: ChecklistScript): ScriptedAction[] {
  return status.checklist.flatMap((item): ScriptedAction[] => {
    const owner = approvers[item.owner]?.[0];
    if (item.kind !== 'attested' || item.status !== 'open' || item.postLaunch || !owner) return [];
    const evidence = script.evidence(item);
    return [
      {
        announcement: `${who(owner, item.owner)} completes ${item.id}: ${evidence}`,
        message: { kind: 'complete-item', args: { item: item.id, by: owner, evidence } },
      },
    ];
  });
}

/**
 * True when the lead is about to approve go-live and has no authorization for this attempt yet: the gate
 * reads it at PayCA, so it must be run (`runLowRiskAuthorization`) before the approval is sent.
 */
export function needsLowRiskAuthorization(status: CutoverStatus, goLiveScript: GoLiveScript): boolean {
  const goLive = status.stages.find((s) => s.id === 'go-live');
  if (goLive?.status !== 'holding' || !goLive.hold || goLive.problems.length > 0) return false;
  if (openRequiredItems(status).size > 0 || !goLive.hold.awaiting.includes('lead')) return false;
  return goLiveScript.authorizationId === undefined || goLiveScript.attempt !== goLive.attempts;
}

function goLiveActions(status: CutoverStatus, approvers: Approvers, goLiveScript: GoLiveScript): ScriptedAction[] {
  const goLive = status.stages.find((s) => s.id === 'go-live');
  if (goLive?.status !== 'holding' || !goLive.hold || goLive.problems.length > 0) return [];
  if (openRequiredItems(status).size > 0) return [];
  const role = [...goLive.hold.awaiting].sort((a, b) => rank(a) - rank(b))[0];
  const person = role ? approvers[role]?.[0] : undefined;
  if (!role || !person) return [];
  if (role === 'lead' && needsLowRiskAuthorization(status, goLiveScript)) return [];
  return [
    {
      announcement: `${person} (${role}) approves go-live`,
      message: {
        kind: 'approve',
        args: {
          stage: 'go-live',
          by: person,
          note: `${ROLE_TITLES[role]}: smoke tests green`,
          ...(role === 'lead' && { authorizationId: goLiveScript.authorizationId }),
        },
      },
    },
  ];
}

function debriefActions(status: CutoverStatus, approvers: Approvers): ScriptedAction[] {
  const debrief = status.stages.find((s) => s.id === 'debrief');
  const lead = approvers.lead?.[0];
  if (debrief?.status !== 'holding' || status.decision || !lead) return [];
  return [
    {
      announcement: `${lead} (lead) decides roll-forward at the debrief`,
      message: {
        kind: 'decide',
        args: { decision: 'roll-forward', by: lead, reason: 'demo: smoke tests green and the first two hours were quiet' },
      },
    },
  ];
}

/**
 * Post-launch items open at the roll-forward (the workflow refuses them before, while the watch from T runs). The lead's retro is booked
 * at once; the support review is a look back over the launch, so CX gives it when reminded of its
 * deadline, or once the watch is over or ending, whichever comes first.
 */
function postLaunchAttestations(status: CutoverStatus, approvers: Approvers, script: ChecklistScript): ScriptedAction[] {
  const watch = status.watch;
  if (!watch || !hasRolledForward(status)) return [];
  const watchOver = watch.status !== 'watching' || watch.decisions.some((d) => d.kind === 'end');
  return status.checklist.flatMap((item): ScriptedAction[] => {
    const owner = approvers[item.owner]?.[0];
    if (item.kind !== 'attested' || item.status !== 'open' || !item.postLaunch || !owner) return [];
    const due = item.id === 'support-ticket-review' ? watchOver || item.postLaunch.remindedAt !== undefined : true;
    if (!due) return [];
    const evidence = script.evidence(item);
    return [
      {
        announcement: `${who(owner, item.owner)} completes ${item.id}: ${evidence}`,
        message: { kind: 'complete-item', args: { item: item.id, by: owner, evidence } },
      },
    ];
  });
}

function endWatchActions(status: CutoverStatus, approvers: Approvers, script: WatchScript): ScriptedAction[] {
  const watch = status.watch;
  const lead = approvers.lead?.[0];
  const reason = script.endEarlyReason;
  if (!watch || !lead || !reason || watch.status !== 'watching' || watch.decisions.some((d) => d.kind === 'end')) return [];
  const fees = status.stages.find((s) => s.id === 'fee-reconciliation');
  if (fees && fees.status !== 'passed') return [];
  if (watch.alerts.some((a) => !a.recoveredAt)) return [];
  return [
    {
      announcement: `${lead} (lead) ends the post-launch watch early: ${reason}`,
      message: { kind: 'end-watch', args: { by: lead, reason } },
    },
  ];
}

function rank(role: Role): number {
  const index = GO_LIVE_ORDER.indexOf(role);
  return index === -1 ? GO_LIVE_ORDER.length : index;
}
