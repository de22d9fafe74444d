/**
 * The demo's stand-in for the people in the plan: when go-live holds it approves as the programme lead
 * (with a manual authorization id) and then as Engineering; at the debrief the lead rolls forward.
 * Anything else that holds is left for a person, because approving an unexpected problem unseen
 * would defeat the point of the gate.
 */
import type { CutoverPlan } from '../plan/schema.js';
import type { CutoverStatus } from '../workflows/definitions.js';
import { ROLE_TITLES, type Role } from '../workflows/stages.js';
import type { CutoverMessage } from '../client/send-message.js';

export interface ScriptedAction {
  /** What the audience reads before it happens: "lara (lead) approves go-live". */
  announcement: string;
  message: CutoverMessage;
}

/** Go-live approvals in the order a real bridge call takes them: the lead first. */
const GO_LIVE_ORDER: Role[] = ['lead', 'engineering'];

export const DEMO_AUTHORIZATION_ID = 'auth_demo_1';

export function nextScriptedAction(status: CutoverStatus, approvers: CutoverPlan['approvers']): ScriptedAction | undefined {
  const goLive = status.stages.find((s) => s.id === 'go-live');
  if (goLive?.status === 'holding' && goLive.hold && goLive.problems.length === 0) {
    const role = [...goLive.hold.awaiting].sort((a, b) => rank(a) - rank(b))[0];
    const person = role ? approvers[role]?.[0] : undefined;
    if (role && person) {
      return {
        announcement: `${person} (${role}) approves go-live`,
        message: {
          kind: 'approve',
          args: {
            stage: 'go-live',
            by: person,
            note: `${ROLE_TITLES[role]}: smoke tests green`,
            ...(role === 'lead' && { authorizationId: DEMO_AUTHORIZATION_ID }),
          },
        },
      };
    }
  }
  const debrief = status.stages.find((s) => s.id === 'debrief');
  const lead = approvers.lead?.[0];
  if (debrief?.status === 'holding' && !status.decision && lead) {
    return {
      announcement: `${lead} (lead) decides roll-forward at the debrief`,
      message: {
        kind: 'decide',
        args: { decision: 'roll-forward', by: lead, reason: 'demo: smoke tests green and the first two hours were quiet' },
      },
    };
  }
  return undefined;
}

function rank(role: Role): number {
  const index = GO_LIVE_ORDER.indexOf(role);
  return index === -1 ? GO_LIVE_ORDER.length : index;
}
