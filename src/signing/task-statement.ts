/**
 * Signed answers about the plan's own tasks: an owner marking a manual task done, a gate role approving it,
 * an owner asking a held check again. The statement names the cutover, the task and its attempt, the answer,
 * the person, the digest of what the task showed them and when they signed, under a header of its own so a
 * task signature never passes for a gate or checklist signature, nor the reverse.
 *
 * Pure JavaScript (noble's SHA-256), so the workflow sandbox computes the digest deterministically.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import { canonicalJson } from './canonical-json.js';

export type TaskAction = 'done' | 'approve' | 'retry';

/** The parts of a task a person looks at before answering about it. */
export interface TaskEvidenceView {
  id: string;
  status: string;
  attempts: number;
  problems: readonly string[];
  evidence?: string;
  hold?: { reason: string };
}

/**
 * Digest of what the task shows now: its status, check runs, problems, evidence and hold reason. Approvals are
 * left out, as for a stage, so the second gate approver's answer does not go stale because of the first.
 */
export function taskEvidenceDigest(task: TaskEvidenceView): string {
  const shown = canonicalJson({
    task: task.id,
    status: task.status,
    attempts: task.attempts,
    problems: task.problems,
    evidence: task.evidence,
    holdReason: task.hold?.reason,
  });
  return bytesToHex(sha256(utf8ToBytes(shown)));
}

export interface TaskStatementFields {
  workflowId: string;
  task: string;
  attempt: number;
  action: TaskAction;
  by: string;
  evidenceDigest: string;
  signedAt: string;
  /** The evidence given with done, or the note kept with an approval. */
  note?: string | null;
}

const TASK_STATEMENT_HEADER = 'PayCA cutover signed task answer v1';

/** The exact text signed for a task answer. */
export function taskStatement(fields: TaskStatementFields): string {
  return `${TASK_STATEMENT_HEADER}\n${canonicalJson({
    workflowId: fields.workflowId,
    task: fields.task,
    attempt: fields.attempt,
    action: fields.action,
    by: fields.by,
    evidenceDigest: fields.evidenceDigest,
    signedAt: fields.signedAt,
    note: fields.note ?? undefined,
  })}`;
}

/** What a task answer signs as its note: the evidence of done, the note of an approval, nothing for a retry. */
export function taskAnswerNote(args: { action: TaskAction; evidence?: string; note?: string }): string | undefined {
  return args.action === 'done' ? args.evidence : args.action === 'approve' ? args.note : undefined;
}
