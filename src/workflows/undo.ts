/**
 * Undoes what a cutover that ended from outside (terminated, or its run reset) still owed: the same
 * compensations, newest first, as a workflow of its own so the undo is as durable as the cutover was.
 * A step that fails past the plan's budget holds for Engineering here too, with the same two ways out.
 */
import { allHandlersFinished, ApplicationFailure, condition, patched, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition, SignalDefinition } from '@temporalio/common';
import { FAILURE_TYPES } from '../errors.js';
import { cutoverActivities } from './activity-proxies.js';
import { runCompensations, type CompensationAnswer } from './compensations.js';
import { MESSAGES, undoStatusQuery, type CompensationDoneArgs, type MessageReceipt, type RetryCompensationArgs } from './messages.js';
import type { UndoInput, UndoStatus } from './cutover-state.js';
import { STRICT_MESSAGES_PATCH, withBounds } from './message-bounds.js';
import { checkCompensationAnswer } from './message-rules.js';
import { noticeRouting, ROUTED_NOTICES_PATCH } from './notices.js';
import { routeNotice } from '../plan/notice-routes.js';

export async function undoCompensationsWorkflow(input: UndoInput): Promise<UndoStatus> {
  const { plan } = input;
  const pending = [...input.owed];
  const status: UndoStatus = {
    cutoverWorkflowId: input.cutoverWorkflowId,
    requestedBy: input.requestedBy,
    source: input.source,
    phase: 'compensating',
    compensations: [],
    owedCompensations: pending,
  };
  const answer: { current?: CompensationAnswer } = {};
  const nowIso = () => new Date().toISOString();
  const strictMessages = patched(STRICT_MESSAGES_PATCH);

  function answerWith<A extends RetryCompensationArgs>(
    kind: 'retry-compensation' | 'compensation-done',
    { update, signal }: { update: UpdateDefinition<MessageReceipt, [A]>; signal: SignalDefinition<[A]> },
    apply: (args: A) => MessageReceipt,
  ): void {
    const check = withBounds(kind, strictMessages, (args: A) => checkCompensationAnswer(plan, status.compensations, kind, args));
    setHandler(update, apply, {
      validator: (args: A) => {
        const reason = check(args);
        if (reason) throw ApplicationFailure.create({ type: FAILURE_TYPES.MESSAGE_REFUSED, message: reason, nonRetryable: true });
      },
    });
    setHandler(signal, (args: A) => {
      if (!check(args)) apply(args);
    });
  }
  answerWith('retry-compensation', MESSAGES['retry-compensation'], (args) => {
    answer.current = { kind: 'retry', args };
    return { accepted: true, kind: 'retry-compensation', outcome: `${args.step} is tried again now` };
  });
  answerWith('compensation-done', MESSAGES['compensation-done'], (args: CompensationDoneArgs) => {
    answer.current = { kind: 'done-by-hand', args, at: nowIso() };
    return { accepted: true, kind: 'compensation-done', outcome: `${args.step} is recorded as done by hand by ${args.by}` };
  });
  setHandler(undoStatusQuery, () => status);

  await runCompensations({
    plan,
    pending,
    records: status.compensations,
    answer,
    onHold: async (record) => {
      status.phase = 'holding';
      const to = [...(plan.approvers.engineering ?? [])];
      const routing = noticeRouting(plan);
      await cutoverActivities('notify approvers').notify({
        channel: 'approvers',
        text: `${plan.programme}: undo of ${input.cutoverWorkflowId}: ${record.step} holds for Engineering: ${record.reason ?? ''}`,
        to,
        webhookUrl: plan.notifications.webhookUrl,
        ...(routing && patched(ROUTED_NOTICES_PATCH) && { destinations: routeNotice(routing.plan, routing.people, 'approvers', to) }),
      });
    },
    onResume: () => {
      status.phase = 'compensating';
    },
  });
  status.phase = 'undone';
  await condition(allHandlersFinished);
  return status;
}
