/**
 * Can every gate be answered by different people? A gate awaiting several roles needs one approval per
 * role and never two from the same person (the go/no-go at go-live is the one that matters most), so each
 * group of gate roles must list at least as many distinct people as it has roles. Checked when a plan is
 * loaded, and again at start with the starter left out when the plan forbids the starter from approving.
 */
import { ROLE_TITLES, type Role, type StageId } from '../runbook/stages.js';

export interface GateStaffingProblem {
  stage: StageId;
  message: string;
}

/** Every non-empty subset of the gate's roles (gates have a handful of roles at most). */
function subsets<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) result.push(items.filter((_, i) => mask & (1 << i)));
  return result;
}

export function gateStaffingProblems(
  gates: readonly { stage: StageId; gate: readonly Role[] }[],
  approvers: Partial<Record<Role, string[]>>,
  excluded?: string,
): GateStaffingProblem[] {
  const problems: GateStaffingProblem[] = [];
  for (const { stage, gate } of gates) {
    const roles = [...new Set(gate)];
    if (roles.length < 2 && !excluded) continue;
    const peopleOf = (role: Role) => (approvers[role] ?? []).filter((person) => person !== excluded);
    const short = subsets(roles).find((group) => new Set(group.flatMap(peopleOf)).size < group.length);
    if (!short) continue;
    const listed = [...new Set(short.flatMap(peopleOf))];
    const titles = short.map((role) => ROLE_TITLES[role]).join(' and ');
    const who = listed.length ? `only ${listed.join(', ')} ${listed.length === 1 ? 'is' : 'are'} listed` : 'nobody is listed';
    problems.push({
      stage,
      message: `${stage} needs ${short.length} different ${short.length === 1 ? 'person' : 'people'} to approve as ${titles}${
        excluded ? ` without ${excluded}, who started the cutover` : ''
      }, but ${who}: add people to those roles under approvers`,
    });
  }
  return problems;
}

/** When the plan keeps the starter from approving, the gates must still be answerable without them. */
export function starterStaffingProblems(
  plan: {
    stages: readonly { id: StageId; gate: readonly Role[] }[];
    approvers: Partial<Record<Role, string[]>>;
    separationOfDuties?: { starterMayApprove: boolean };
  },
  startedBy: string,
): GateStaffingProblem[] {
  if (plan.separationOfDuties?.starterMayApprove !== false) return [];
  return gateStaffingProblems(
    plan.stages.filter((stage) => stage.gate.length > 0).map((stage) => ({ stage: stage.id, gate: stage.gate })),
    plan.approvers,
    startedBy,
  );
}
