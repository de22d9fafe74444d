/**
 * The runbook's launch timeline (section 8) and its timed post-launch task (section 9) as fixed stage ids
 * with their defaults.
 * Pure data: the workflow, the plan schema and the CLI all read it.
 */
export const ROLES = ['ops', 'treasury', 'engineering', 'lead', 'finance', 'cx', 'analytics', 'devops', 'compliance'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_TITLES: Record<Role, string> = {
  ops: 'Ops',
  treasury: 'Treasury',
  engineering: 'Engineering',
  lead: 'Programme lead',
  finance: 'Finance',
  cx: 'CX',
  analytics: 'Analytics',
  devops: 'DevOps',
  compliance: 'Compliance',
};

export const STAGE_IDS = [
  'config-diff',
  'funding-check',
  'disable-sandbox-jobs',
  'webhook-smoke-test',
  'go-live',
  'debrief',
  'fee-reconciliation',
] as const;
export type StageId = (typeof STAGE_IDS)[number];

/** The launch timeline up to the debrief's decision; the stages after it run only on roll-forward. */
export const TIMELINE_STAGE_IDS: readonly StageId[] = STAGE_IDS.slice(0, STAGE_IDS.indexOf('debrief') + 1);
export const POST_LAUNCH_STAGE_IDS: readonly StageId[] = STAGE_IDS.slice(STAGE_IDS.indexOf('debrief') + 1);

export interface StageDefaults {
  title: string;
  /** Offset from go-live time T, in milliseconds. */
  offsetMs: number;
  /** Who answers when the stage holds because its check found a problem. */
  owner: Role;
  /** Roles that must each approve, by different people, before the stage passes, problem or not. */
  gate: Role[];
}

const HOUR = 3_600_000;

export const STAGE_DEFAULTS: Record<StageId, StageDefaults> = {
  'config-diff': { title: 'Final sandbox vs production config diff', offsetMs: -24 * HOUR, owner: 'ops', gate: [] },
  'funding-check': { title: 'Confirm funding readiness', offsetMs: -12 * HOUR, owner: 'treasury', gate: [] },
  'disable-sandbox-jobs': {
    title: 'Disable sandbox automation jobs',
    offsetMs: -2 * HOUR,
    owner: 'engineering',
    gate: [],
  },
  'webhook-smoke-test': { title: 'Final webhook smoke test', offsetMs: -1 * HOUR, owner: 'engineering', gate: [] },
  'go-live': {
    title: 'Open change window, production smoke tests, go/no-go',
    offsetMs: 0,
    owner: 'lead',
    gate: ['lead', 'engineering'],
  },
  debrief: { title: 'Debrief and roll-forward decision', offsetMs: 2 * HOUR, owner: 'lead', gate: [] },
  'fee-reconciliation': { title: 'Reconcile day-1 fees with the statement', offsetMs: 24 * HOUR, owner: 'finance', gate: [] },
};

export function isStageId(value: string): value is StageId {
  return (STAGE_IDS as readonly string[]).includes(value);
}
