/**
 * Who may say what, and when. Pure functions over the workflow's state, shared by the update
 * validators and the signal handlers so both refuse exactly the same messages with the same words.
 * Each returns the reason for refusal, or undefined when the message is accepted.
 */
import type { CutoverPlan } from '../plan/schema.js';
import type {
  AbortArgs,
  ApproveArgs,
  CompensationDoneArgs,
  RetryCompensationArgs,
  DecideArgs,
  EndWatchArgs,
  ExtendWatchArgs,
  MessageArgs,
  MessageKind,
  RejectArgs,
  ReportIncidentArgs,
  RetryArgs,
} from './messages.js';
import { SEVERITIES, type ChecklistItemState, type CompensationRecord, type CutoverStatus, type StageState } from './cutover-state.js';
import { MAX_TEXT_LENGTH } from './message-bounds.js';
import { ROLE_TITLES, STAGE_IDS, isStageId, type Role } from '../runbook/stages.js';
import { hasRolledForward } from './rolled-forward.js';
import {
  approvalStatement,
  describeSignatureProblem,
  evidenceDigest,
  itemEvidenceDigest,
  itemStatement,
  shortHex,
  signatureVerifies,
  type ApprovalSignature,
  type ItemAnswerKind,
  type SignedDecision,
} from '../signing/approval-statement.js';

export function rolesOf(plan: CutoverPlan, person: string): Role[] {
  return (Object.entries(plan.approvers) as [Role, string[] | undefined][])
    .filter(([, people]) => people?.includes(person))
    .map(([role]) => role);
}

function describeRoles(plan: CutoverPlan, roles: Role[]): string {
  return roles.map((role) => `${ROLE_TITLES[role]} (${(plan.approvers[role] ?? []).join(', ') || 'nobody'})`).join(' and ');
}

/**
 * The fields each message may carry. A field outside the list is refused rather than ignored, so a
 * misspelt `authorisationId` or `reasn` never passes as a message without it.
 */
const MESSAGE_FIELDS = {
  approve: ['stage', 'by', 'note', 'authorizationId', 'signature', 'roomStatement'],
  reject: ['stage', 'by', 'reason', 'signature', 'roomStatement'],
  decide: ['decision', 'by', 'reason', 'signature', 'roomStatement'],
  retry: ['stage', 'by', 'roomStatement'],
  abort: ['by', 'reason'],
  'complete-item': ['item', 'by', 'evidence', 'signature', 'roomStatement'],
  'waive-item': ['item', 'by', 'reason', 'signature', 'roomStatement'],
  'retry-item': ['item', 'by', 'signature', 'roomStatement'],
  'report-incident': ['by', 'severity', 'summary', 'roomStatement'],
  'end-watch': ['by', 'reason', 'roomStatement'],
  'extend-watch': ['by', 'extendByMs', 'reason', 'roomStatement'],
  'retry-compensation': ['step', 'by'],
  'compensation-done': ['step', 'by', 'evidence'],
  'task-answer': ['task', 'action', 'by', 'evidence', 'note', 'signature', 'roomStatement'],
} as const satisfies { [K in MessageKind]: readonly (keyof MessageArgs[K] & string)[] };

/** Fails to compile when a message gains a field that MESSAGE_FIELDS does not list (it would be refused). */
type UnlistedField = { [K in MessageKind]: Exclude<keyof MessageArgs[K], (typeof MESSAGE_FIELDS)[K][number]> }[MessageKind];
export const EVERY_MESSAGE_FIELD_LISTED: [UnlistedField] extends [never] ? true : never = true;

/** A value echoed back in a refusal, cut short so a huge one does not make a huge refusal. */
function quote(value: unknown): string {
  const text = String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…(${text.length} characters)` : text;
}

/**
 * The message is an object with only its own fields, and none of its top-level text is longer than a note
 * should be: the rule of cutovers started before `checkMessageBounds`, kept so they replay alike.
 */
export function checkShape(kind: MessageKind, args: unknown): string | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return `a ${kind} message must be an object of named fields`;
  const allowed: readonly string[] = MESSAGE_FIELDS[kind];
  const unknown = Object.keys(args).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    return `a ${kind} message has no field ${unknown.map((k) => `"${quote(k)}"`).join(', ')}; its fields are ${allowed.join(', ')}`;
  }
  for (const [field, value] of Object.entries(args)) {
    if (typeof value === 'string' && value.length > MAX_TEXT_LENGTH) {
      return `${field} is ${value.length} characters; keep it to ${MAX_TEXT_LENGTH} and link to anything longer`;
    }
  }
  return undefined;
}

function checkPerson(plan: CutoverPlan, by: unknown): string | undefined {
  if (typeof by !== 'string' || by.trim() === '') return 'say who you are with --as';
  if (rolesOf(plan, by).length === 0) {
    const everyone = [...new Set(Object.values(plan.approvers).flat())].join(', ');
    return `${quote(by)} is not an approver in this cutover's plan; the plan lists ${everyone}`;
  }
  return undefined;
}

function findStage(status: CutoverStatus, stage: unknown): StageState | string {
  if (typeof stage !== 'string' || !isStageId(stage)) {
    return `unknown stage "${quote(stage)}"; stages are ${STAGE_IDS.join(', ')}`;
  }
  const found = status.stages.find((s) => s.id === stage);
  return found ?? `unknown stage "${stage}"`;
}

function checkOpen(status: CutoverStatus): string | undefined {
  if (status.phase === 'compensating') return 'the cutover is rolling back; no further messages are taken';
  const held = status.compensations.find((c) => c.status === 'held');
  if (held) {
    return `the cutover is rolling back and ${held.step} holds for Engineering; only \`cutover compensation retry|done\` is taken`;
  }
  if (status.phase === 'completed' || status.phase === 'rolled-back' || status.phase === 'aborted') {
    return `the cutover has already ended (${status.phase})`;
  }
  return undefined;
}

/** The plan's public key for a person whose answers must be signed, if any. */
export function publicKeyOf(plan: CutoverPlan, person: string): string | undefined {
  return plan.signing?.publicKeys[person];
}

function signatureUsed(status: CutoverStatus, value: string): boolean {
  return (
    status.stages.some((stage) => stage.approvals.some((a) => a.signature?.value === value)) ||
    status.checklist.some((item) => item.signedAnswers?.some((a) => a.signature.value === value)) ||
    (status.tasks ?? []).some((task) => task.answers?.some((a) => a.signature?.value === value))
  );
}

interface SignedAnswer {
  by: string;
  decision: SignedDecision;
  signature?: unknown;
  note?: string;
  authorizationId?: string;
}

/**
 * What every signed answer must pass before its statement is checked: a person with a key in the plan
 * must sign, a signature needs that key and a well-formed shape, counts once, and covers what is shown now.
 * Returns the signature to verify, undefined for an unsigned answer that needs none, or the reason to refuse.
 */
function signatureToVerify(
  plan: CutoverPlan,
  status: CutoverStatus,
  by: string,
  given: unknown,
  shownDigest: () => string,
  stale: (signed: string) => string,
): { signature: ApprovalSignature; publicKey: string } | string | undefined {
  const publicKey = publicKeyOf(plan, by);
  if (given === undefined) {
    return publicKey
      ? `${by}'s answers must be signed: the plan lists ${by}'s public key. Answer again with --key FILE (${by}'s private key)`
      : undefined;
  }
  const malformed = describeSignatureProblem(given);
  if (malformed) return malformed;
  const signature = given as ApprovalSignature;
  if (!publicKey) {
    return `the plan lists no public key for ${by}, so the signature cannot be checked: answer without --key (and without CUTOVER_SIGNING_KEY_FILE), or add ${by}'s key under signing.publicKeys`;
  }
  if (signatureUsed(status, signature.value))
    return 'this signed answer has been used already; a signature counts once, so sign a new answer';
  if (signature.evidenceDigest !== shownDigest()) return stale(signature.evidenceDigest);
  return { signature, publicKey };
}

/**
 * What a signed answer is checked against: the digest of what its subject shows now (hashed only when the
 * answer is signed, since every answer passes here), the message when the signer saw something else, and
 * the statement the signature must be over.
 */
export interface SignedSubject {
  /** `stage`, `item` or `task`, for the message when the signature does not verify. */
  kind: string;
  digest: () => string;
  stale: (signed: string, shown: string) => string;
  statement: (evidenceDigest: string, signedAt: string) => string;
}

/**
 * A person with a key in the plan must sign; the signature must be theirs, over this cutover, subject,
 * attempt and answer, over what the subject shows now, and used only once.
 */
export function checkAnswerSignature(
  plan: CutoverPlan,
  status: CutoverStatus,
  by: string,
  given: unknown,
  subject: SignedSubject,
): string | undefined {
  let digest: string | undefined;
  const shown = () => (digest ??= subject.digest());
  const found = signatureToVerify(plan, status, by, given, shown, (signed) => subject.stale(signed, shown()));
  if (found === undefined || typeof found === 'string') return found;
  if (!signatureVerifies(subject.statement(shown(), found.signature.signedAt), found.signature.value, found.publicKey)) {
    return `the signature does not verify against ${by}'s public key in the plan (${shortHex(found.publicKey)}): it was made with another key, or for another cutover, ${subject.kind} or answer`;
  }
  return undefined;
}

function checkSignature(plan: CutoverPlan, status: CutoverStatus, stage: StageState, answer: SignedAnswer): string | undefined {
  return checkAnswerSignature(plan, status, answer.by, answer.signature, {
    kind: 'stage',
    digest: () => evidenceDigest(stage),
    stale: (signed, shown) =>
      `the evidence you signed (${shortHex(signed)}) is not what ${stage.id} shows now (${shortHex(shown)}): its check has run again since you looked. Read \`cutover status ${status.workflowId}\` and answer again`,
    statement: (evidenceDigest, signedAt) =>
      approvalStatement({
        workflowId: status.workflowId,
        stage: stage.id,
        attempt: stage.attempts,
        decision: answer.decision,
        by: answer.by,
        evidenceDigest,
        signedAt,
        note: answer.note,
        authorizationId: answer.authorizationId,
      }),
  });
}

/**
 * The same for a completion, waiver or re-check of a checklist item: signed over this cutover, item, the
 * check's runs so far, the answer and what the item shows now.
 */
export function checkItemSignature(
  plan: CutoverPlan,
  status: CutoverStatus,
  item: ChecklistItemState,
  answer: { kind: ItemAnswerKind; by: string; signature?: unknown; note?: string },
): string | undefined {
  return checkAnswerSignature(plan, status, answer.by, answer.signature, {
    kind: 'item',
    digest: () => itemEvidenceDigest(item),
    stale: (signed, shown) =>
      `the item you signed (${shortHex(signed)}) is not what ${item.id} shows now (${shortHex(shown)}): it has changed since you looked. Read \`cutover checklist ${status.workflowId}\` and answer again`,
    statement: (evidenceDigest, signedAt) =>
      itemStatement({
        workflowId: status.workflowId,
        item: item.id,
        attempt: item.attempts,
        decision: answer.kind,
        by: answer.by,
        evidenceDigest,
        signedAt,
        note: answer.note,
      }),
  });
}

/** Approvals of the stage's current attempt: earlier attempts' approvals stay on record but no longer count. */
export function currentApprovals(stage: StageState) {
  return stage.approvals.filter((a) => a.attempt === stage.attempts && a.decision === 'approved');
}

/** The role this person's approval would satisfy, if any. */
export function roleToSatisfy(plan: CutoverPlan, stage: StageState, by: string): Role | undefined {
  const awaiting = stage.hold?.awaiting ?? [];
  return rolesOf(plan, by).find((role) => awaiting.includes(role));
}

export function checkApprove(plan: CutoverPlan, status: CutoverStatus, args: ApproveArgs): string | undefined {
  const shape = checkShape('approve', args);
  if (shape) return shape;
  const stage = findStage(status, args.stage);
  if (typeof stage === 'string') return stage;
  const problem = checkOpen(status) ?? checkPerson(plan, args.by);
  if (problem) return problem;
  if (args.stage === 'debrief') return 'the debrief takes a decision, not an approval: use `cutover decide ID roll-forward|roll-back`';
  if (stage.status !== 'holding' || !stage.hold) {
    return `stage ${stage.id} is not awaiting approval (it is ${stage.status})`;
  }
  if (currentApprovals(stage).some((a) => a.by === args.by)) {
    return stage.id === 'go-live'
      ? `${args.by} has already approved go-live; the two go/no-go approvals must come from different people`
      : `${args.by} has already approved ${stage.id}; the remaining approvals must come from other people`;
  }
  if (plan.separationOfDuties?.starterMayApprove === false && args.by === status.startedBy) {
    return `${args.by} started this cutover, and the plan's separation of duties (separationOfDuties.starterMayApprove: false) keeps the person who started it from approving its gates; another ${describeRoles(plan, stage.hold.awaiting)} must approve`;
  }
  const role = roleToSatisfy(plan, stage, args.by);
  if (!role) {
    return `${args.by} (${rolesOf(plan, args.by)
      .map((r) => ROLE_TITLES[r])
      .join(', ')}) cannot approve ${stage.id}: it awaits ${describeRoles(plan, stage.hold.awaiting)}`;
  }
  if (args.note !== undefined && typeof args.note !== 'string') return 'the note must be text';
  if (args.authorizationId !== undefined && (typeof args.authorizationId !== 'string' || args.authorizationId.trim() === '')) {
    return 'the authorization id must be non-empty text';
  }
  const completesGate = stage.hold.awaiting.length === 1;
  if (stage.id === 'go-live' && completesGate && !args.authorizationId && !stage.evidence.manualAuthorization) {
    return 'go-live needs the id of the real low-risk authorization run by hand (runbook section 4): pass --authorization-id';
  }
  return checkSignature(plan, status, stage, { ...args, decision: 'approved' });
}

export function checkReject(plan: CutoverPlan, status: CutoverStatus, args: RejectArgs): string | undefined {
  const shape = checkShape('reject', args);
  if (shape) return shape;
  const stage = findStage(status, args.stage);
  if (typeof stage === 'string') return stage;
  const problem = checkOpen(status) ?? checkPerson(plan, args.by);
  if (problem) return problem;
  if (typeof args.reason !== 'string' || args.reason.trim() === '') return 'a rejection needs a reason: pass --reason';
  if (stage.status !== 'holding' || !stage.hold) return `stage ${stage.id} is not awaiting approval (it is ${stage.status})`;
  const roles = rolesOf(plan, args.by);
  if (!roles.includes('lead') && !roleToSatisfy(plan, stage, args.by)) {
    return `${args.by} cannot reject ${stage.id}: it awaits ${describeRoles(plan, stage.hold.awaiting)}, or the programme lead`;
  }
  return checkSignature(plan, status, stage, { by: args.by, decision: 'rejected', signature: args.signature, note: args.reason });
}

export function checkDecide(plan: CutoverPlan, status: CutoverStatus, args: DecideArgs): string | undefined {
  const problem = checkShape('decide', args) ?? checkOpen(status) ?? checkPerson(plan, args.by);
  if (problem) return problem;
  if (args.decision !== 'roll-forward' && args.decision !== 'roll-back') {
    return `unknown decision "${quote(args.decision)}"; decide roll-forward or roll-back`;
  }
  if (typeof args.reason !== 'string' || args.reason.trim() === '') return 'a decision needs a reason: pass --reason';
  if (!rolesOf(plan, args.by).includes('lead')) {
    return `only the programme lead (${(plan.approvers.lead ?? []).join(', ')}) decides at the debrief, not ${args.by}`;
  }
  const debrief = status.stages.find((s) => s.id === 'debrief');
  if (debrief?.status !== 'holding') return `the debrief is not awaiting a decision (it is ${debrief?.status ?? 'missing'})`;
  return checkSignature(plan, status, debrief, { by: args.by, decision: args.decision, signature: args.signature, note: args.reason });
}

export function checkRetry(plan: CutoverPlan, status: CutoverStatus, args: RetryArgs): string | undefined {
  const shape = checkShape('retry', args);
  if (shape) return shape;
  const stage = findStage(status, args.stage);
  if (typeof stage === 'string') return stage;
  const problem = checkOpen(status) ?? checkPerson(plan, args.by);
  if (problem) return problem;
  if (stage.id === 'debrief') return 'the debrief has no check to re-run';
  if (stage.status !== 'holding' && stage.status !== 'rejected') {
    return `stage ${stage.id} cannot be retried now (it is ${stage.status}); only a holding or rejected stage re-runs its check`;
  }
  const planned = plan.stages.find((s) => s.id === stage.id);
  const allowed = new Set<Role>(['lead', stage.owner, ...(planned?.gate ?? [])]);
  if (!rolesOf(plan, args.by).some((role) => allowed.has(role))) {
    return `${args.by} cannot retry ${stage.id}: its owner ${describeRoles(plan, [stage.owner])} or the programme lead can`;
  }
  return undefined;
}

export function checkReportIncident(plan: CutoverPlan, status: CutoverStatus, args: ReportIncidentArgs): string | undefined {
  const problem = checkShape('report-incident', args) ?? checkOpen(status) ?? checkPerson(plan, args.by);
  if (problem) return problem;
  if (!SEVERITIES.includes(args.severity)) return `unknown severity "${quote(args.severity)}"; use ${SEVERITIES.join(', ')}`;
  if (typeof args.summary !== 'string' || args.summary.trim() === '') return 'an incident needs a summary: say what happened (--summary)';
  return undefined;
}

export function checkAbort(plan: CutoverPlan, status: CutoverStatus, args: AbortArgs): string | undefined {
  const problem = checkShape('abort', args) ?? checkOpen(status) ?? checkPerson(plan, args.by);
  if (problem) return problem;
  if (hasRolledForward(status)) {
    return 'the cutover has rolled forward and is live; there is nothing to abort. End the watch early with `cutover watch end ID --reason`';
  }
  if (typeof args.reason !== 'string' || args.reason.trim() === '') return 'an abort needs a reason: pass --reason';
  if (!rolesOf(plan, args.by).includes('lead')) {
    return `only the programme lead (${(plan.approvers.lead ?? []).join(', ')}) can abort the cutover, not ${args.by}`;
  }
  return undefined;
}

/**
 * Engineering (or the programme lead) answers a compensation that holds: retry it, or mark it done by hand
 * with evidence. Taken while the cutover compensates, when every other message is refused.
 */
export function checkCompensationAnswer(
  plan: CutoverPlan,
  compensations: readonly CompensationRecord[],
  kind: 'retry-compensation' | 'compensation-done',
  args: RetryCompensationArgs | CompensationDoneArgs,
): string | undefined {
  const problem = checkShape(kind, args) ?? checkPerson(plan, args.by);
  if (problem) return problem;
  const held = compensations.find((c) => c.status === 'held');
  if (!held) return 'no compensation is holding; only a compensation that failed past its retry budget takes an answer';
  if (args.step !== held.step) return `compensation ${quote(args.step)} is not holding; ${held.step} is`;
  if (!rolesOf(plan, args.by).some((role) => role === 'engineering' || role === 'lead')) {
    return `${args.by} cannot answer the held compensation ${held.step}: Engineering (${(plan.approvers.engineering ?? []).join(', ')}) or the programme lead can`;
  }
  if (kind === 'compensation-done') {
    const { evidence } = args as CompensationDoneArgs;
    if (typeof evidence !== 'string' || evidence.trim() === '') {
      return `marking ${held.step} done by hand needs evidence: say what was done and where it shows (--evidence)`;
    }
  }
  return undefined;
}

/** Extensions past this are a new launch, not a longer watch. */
const MAX_EXTENSION_MS = 30 * 86_400_000;

function checkWatchOpen(plan: CutoverPlan, status: CutoverStatus, by: unknown, reason: unknown, what: string): string | undefined {
  const problem = checkOpen(status) ?? checkPerson(plan, by);
  if (problem) return problem;
  if (!status.watch)
    return `there is no post-launch watch to ${what}: it starts when the cutover rolls forward, or at go-live when the plan says so`;
  if (status.watch.status !== 'watching') return `the post-launch watch has already ended (${status.watch.status})`;
  if (status.watch.decisions.some((d) => d.kind === 'end')) return 'the post-launch watch is already ending';
  if (!rolesOf(plan, by as string).includes('lead')) {
    return `only the programme lead (${(plan.approvers.lead ?? []).join(', ')}) can ${what} the post-launch watch, not ${quote(by)}`;
  }
  if (typeof reason !== 'string' || reason.trim() === '') return `to ${what} the watch, give a reason (--reason)`;
  return undefined;
}

export function checkEndWatch(plan: CutoverPlan, status: CutoverStatus, args: EndWatchArgs): string | undefined {
  return checkShape('end-watch', args) ?? checkWatchOpen(plan, status, args.by, args.reason, 'end');
}

export function checkExtendWatch(plan: CutoverPlan, status: CutoverStatus, args: ExtendWatchArgs): string | undefined {
  const problem = checkShape('extend-watch', args) ?? checkWatchOpen(plan, status, args.by, args.reason, 'extend');
  if (problem) return problem;
  if (!Number.isInteger(args.extendByMs) || args.extendByMs <= 0 || args.extendByMs > MAX_EXTENSION_MS) {
    return `extend the watch by a positive duration of at most 30 days (--by 12h), not ${quote(args.extendByMs)} ms`;
  }
  return undefined;
}
