/**
 * The one way the room acts on a cutover: a form posted by a signed-in person of the plan becomes the same
 * message the CLI sends, as that person, through the same `sendMessage`; the workflow's validators judge it,
 * and a refusal comes back in the workflow's own words.
 */
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { MessageRefusedError, CutoverError } from '../errors.js';
import { isRoomMessage, ROOM_MESSAGE_KINDS, signMessageAsRoom } from '../operations/room-signing.js';
import { sendMessage, type CutoverMessage } from '../operations/send-message.js';
import type { RoomSigningKey } from '../signing/room-key.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import type { TaskAnswerArgs } from '../workflows/messages.js';
import { parseDuration } from '../plan/duration.js';
import { STAGE_IDS } from '../runbook/stages.js';
import { checkMessageBounds } from '../workflows/message-bounds.js';
import { SEVERITIES } from '../workflows/cutover-state.js';
import type { Viewer } from './viewer.js';

/** What the room's forms may ask for; each becomes one message kind. */
export const ROOM_ACTIONS = ROOM_MESSAGE_KINDS;
export type RoomAction = (typeof ROOM_ACTIONS)[number];

const optionalText = z
  .string()
  .optional()
  .transform((text) => (text === undefined || text.trim() === '' ? undefined : text.trim()));
const requiredText = (what: string) =>
  z
    .string({ error: `write ${what}` })
    .trim()
    .min(1, `write ${what}`);

/** The form fields, as browsers post them (strings), per action. */
const AnswerForm = z.discriminatedUnion(
  'action',
  [
    z.object({ action: z.literal('approve'), stage: z.enum(STAGE_IDS), note: optionalText, authorizationId: optionalText }),
    z.object({ action: z.literal('reject'), stage: z.enum(STAGE_IDS), reason: requiredText('why you reject') }),
    z.object({
      action: z.literal('decide'),
      decision: z.enum(['roll-forward', 'roll-back']),
      reason: requiredText('the reason for the decision'),
    }),
    z.object({ action: z.literal('retry'), stage: z.enum(STAGE_IDS) }),
    z.object({
      action: z.literal('complete-item'),
      item: requiredText('the item'),
      evidence: requiredText('the evidence: a sentence, a ticket or a link'),
    }),
    z.object({ action: z.literal('waive-item'), item: requiredText('the item'), reason: requiredText('why it is waived') }),
    z.object({ action: z.literal('retry-item'), item: requiredText('the item') }),
    z.object({ action: z.literal('report-incident'), severity: z.enum(SEVERITIES), summary: requiredText('what happened') }),
    z.object({ action: z.literal('end-watch'), reason: requiredText('why the watch ends early') }),
    z.object({
      action: z.literal('extend-watch'),
      extendBy: requiredText('how long to extend by, e.g. 12h'),
      reason: requiredText('why the watch is extended'),
    }),
    z.object({
      action: z.literal('task-answer'),
      task: requiredText('the task'),
      answer: z.enum(['done', 'approve', 'retry'], { error: 'answer a task with done, approve or retry' }),
      evidence: optionalText,
      note: optionalText,
    }),
  ],
  { error: 'the form asks for no action the room knows' },
);
export type AnswerForm = z.infer<typeof AnswerForm>;

/** A form the room refuses before anything is sent: said to the person as is. */
export class AnswerFormError extends CutoverError {
  override name = 'AnswerFormError';
  constructor(message: string) {
    super('USAGE', message);
  }
}

function extension(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0 || !Number.isInteger(ms))
    throw new AnswerFormError(`extend by a positive duration such as 12h, 90m or 1d12h, not ${JSON.stringify(text)}`);
  return ms;
}

/** A task answer carries only what its kind of answer says: evidence with done, a note with approve. */
function taskAnswerArgs(by: string, form: Extract<AnswerForm, { action: 'task-answer' }>): TaskAnswerArgs {
  if (form.answer === 'done') {
    if (form.evidence === undefined) throw new AnswerFormError('write the evidence: a sentence, a ticket or a link');
    return { task: form.task, action: 'done', by, evidence: form.evidence };
  }
  if (form.answer === 'approve') return { task: form.task, action: 'approve', by, ...(form.note !== undefined && { note: form.note }) };
  return { task: form.task, action: 'retry', by };
}

/** The message a form stands for, sent as the viewer's plan name; nothing the form says can change who sends it. */
export function messageFor(viewer: Viewer, fields: Record<string, unknown>): CutoverMessage {
  const parsed = AnswerForm.safeParse(fields);
  if (!parsed.success) throw new AnswerFormError(parsed.error.issues.map((issue) => issue.message).join('; '));
  const form = parsed.data;
  const by = viewer.name;
  let message: CutoverMessage;
  switch (form.action) {
    case 'approve':
      message = {
        kind: 'approve',
        args: {
          stage: form.stage,
          by,
          ...(form.note !== undefined && { note: form.note }),
          ...(form.authorizationId !== undefined && { authorizationId: form.authorizationId }),
        },
      };
      break;
    case 'reject':
      message = { kind: 'reject', args: { stage: form.stage, by, reason: form.reason } };
      break;
    case 'decide':
      message = { kind: 'decide', args: { decision: form.decision, by, reason: form.reason } };
      break;
    case 'retry':
      message = { kind: 'retry', args: { stage: form.stage, by } };
      break;
    case 'complete-item':
      message = { kind: 'complete-item', args: { item: form.item, by, evidence: form.evidence } };
      break;
    case 'waive-item':
      message = { kind: 'waive-item', args: { item: form.item, by, reason: form.reason } };
      break;
    case 'retry-item':
      message = { kind: 'retry-item', args: { item: form.item, by } };
      break;
    case 'report-incident':
      message = { kind: 'report-incident', args: { by, severity: form.severity, summary: form.summary } };
      break;
    case 'end-watch':
      message = { kind: 'end-watch', args: { by, reason: form.reason } };
      break;
    case 'extend-watch':
      message = { kind: 'extend-watch', args: { by, extendByMs: extension(form.extendBy), reason: form.reason } };
      break;
    case 'task-answer':
      message = { kind: 'task-answer', args: taskAnswerArgs(by, form) };
      break;
  }
  const tooLong = checkMessageBounds(message.kind, message.args);
  if (tooLong) throw new AnswerFormError(tooLong);
  return message;
}

export type AnswerOutcome = { accepted: true; kind: string; outcome: string } | { accepted: false; kind?: string; reason: string };

/** Sends the viewer's answer as an update; the workflow's receipt or refusal comes back as words for the page. */
export async function sendAnswer(
  client: Client,
  workflowId: string,
  viewer: Viewer,
  fields: Record<string, unknown>,
  signing?: { key: RoomSigningKey; status: CutoverStatus },
): Promise<AnswerOutcome> {
  let message: CutoverMessage;
  try {
    message = messageFor(viewer, fields);
  } catch (err) {
    if (err instanceof AnswerFormError) return { accepted: false, reason: err.message };
    throw err;
  }
  try {
    // The statement names the evidence in the status just read for this answer, which is what the page showed (it refreshes within seconds).
    if (signing && isRoomMessage(message)) {
      message = signMessageAsRoom(signing.key, signing.status, message, {
        issuer: viewer.identity.issuer,
        subject: viewer.identity.subject,
      });
    }
    const result = await sendMessage(client, workflowId, message, 'update');
    return { accepted: true, kind: message.kind, outcome: result.via === 'update' ? result.receipt.outcome : 'sent' };
  } catch (err) {
    if (err instanceof MessageRefusedError || err instanceof CutoverError)
      return { accepted: false, kind: message.kind, reason: err.message };
    throw err;
  }
}
