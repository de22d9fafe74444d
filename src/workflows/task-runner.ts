/**
 * The plan's own tasks, run beside the built-in stage chain: a task starts once what it waits for is done
 * and its time has come, so tasks of different streams run side by side. A manual task waits for its owner
 * to mark it done with evidence, an http-check asks its URL (retried per the plan, then holding for its
 * owner), a notify task sends its notice; a gated task then holds for its roles, escalating as a stage does.
 * An abort, or the timeline ending, skips what has not finished. Only plans with tasks take this path.
 */
import { ApplicationFailure, condition, isCancellation, log, patched, setHandler } from '@temporalio/workflow';
import { FAILURE_TYPES } from '../errors.js';
import type { TaskPlan } from '../plan/tasks.js';
import { ROLE_TITLES, type Role, type StageId } from '../runbook/stages.js';
import { activityProblem, cutoverActivities } from './activity-proxies.js';
import type { CutoverContext } from './cutover-context.js';
import { authenticationOf, checkIdentity, roomRecord } from './identity-rules.js';
import { withBounds } from './message-bounds.js';
import { publicKeyOf } from './message-rules.js';
import { taskAnswerSignal, taskAnswerUpdate, type TaskAnswerArgs, type TaskAnswerReceipt } from './messages.js';
import { boundedRefusal, clip, MAX_REFUSAL_REASON_LENGTH, recordRefusal } from './refusal-log.js';
import { AbortRequested } from './stage-runner.js';
import { checkTaskAnswer, taskRoleToSatisfy } from './task-rules.js';
import type { TaskAnswerRecord, TaskState } from './task-state.js';

const MIN_ESCALATION_INTERVAL_MS = 15_000;
const FINISHED: readonly TaskState['status'][] = ['done', 'failed', 'skipped'];

/** Runs continued as new resume their tasks' holds and finished checks instead of starting them over. */
export const TASKS_RESUME_PATCH = 'tasks-resume-after-continue-as-new';

/** Raised inside a task when it will not run to its end: the cutover aborted or the timeline ended. */
class TaskStopped extends Error {}

export interface TaskRunner {
  /** Runs every task to its end; resolves once each is done, failed or skipped. */
  run(): Promise<void>;
  /** Resolves once the tasks a built-in stage waits for are done; throws AbortRequested on abort. */
  stageMayStart(stage: StageId): Promise<void>;
  /** No task starts or goes on after this: the timeline is over. */
  close(reason: string): void;
  /** Whether every task has ended. */
  finished(): boolean;
  /** Marks every task skipped, for a cutover that ends before any could run. */
  skipAll(reason: string): void;
}

function initialState(task: TaskPlan, goLiveMs: number): TaskState {
  return {
    id: task.id,
    title: task.title,
    stream: task.stream,
    owner: task.owner,
    kind: task.kind,
    after: task.after,
    before: task.before,
    status: 'pending',
    ...(task.notBeforeMs !== undefined && { notBeforePlanAt: new Date(goLiveMs + task.notBeforeMs).toISOString() }),
    estimateMs: task.estimateMs,
    attempts: 0,
    problems: [],
    ...(task.gate.length > 0 && { gate: task.gate, approvalTimeoutMs: task.approvalTimeoutMs }),
    approvals: [],
  };
}

export function createTaskRunner(ctx: CutoverContext): TaskRunner | undefined {
  const { plan, status, clock, goLiveMs, timeScale, nowIso, planNow, publish, notify, abortRequested, stageState } = ctx;
  const tasks = plan.tasks ?? [];
  if (tasks.length === 0) return undefined;
  status.tasks ??= tasks.map((task) => initialState(task, goLiveMs));
  const taskState = (id: string) => status.tasks!.find((t) => t.id === id)!;
  const retryRequested = ctx.taskRetryRequested;
  // A run continued as new picks its tasks up where they were: holds keep who approved, a held check is not asked again.
  const resumesTasks = ctx.resumed && patched(TASKS_RESUME_PATCH);
  let closedBecause: string | undefined;

  const stopped = () => abortRequested() || closedBecause !== undefined;
  const stopReason = () =>
    abortRequested() ? `the cutover was aborted by ${status.abort?.by ?? 'the lead'}` : (closedBecause ?? 'stopped');
  const isStage = (id: string) => status.stages.some((s) => s.id === id);
  const isDone = (id: string) => (isStage(id) ? stageState(id as StageId).status === 'passed' : taskState(id).status === 'done');
  const isBroken = (id: string) =>
    isStage(id) ? ['failed', 'skipped'].includes(stageState(id as StageId).status) : ['failed', 'skipped'].includes(taskState(id).status);
  const people = (roles: Role[]) => [...new Set(roles.flatMap((r) => plan.approvers[r] ?? []))];
  const describe = (roles: Role[]) => roles.map((r) => `${ROLE_TITLES[r]} (${(plan.approvers[r] ?? []).join(', ')})`).join(' and ');

  /** How the answer was authenticated, as kept with it: the room's statement and the signer's key when there are. */
  function keptIdentity(args: TaskAnswerArgs): Pick<TaskAnswerRecord, 'signature' | 'room'> {
    const publicKey = publicKeyOf(plan, args.by);
    return { ...(args.signature && publicKey ? { signature: { ...args.signature, publicKey } } : {}), ...roomRecord(plan, args) };
  }

  function applyAnswer(args: TaskAnswerArgs): TaskAnswerReceipt {
    const task = taskState(args.task);
    const at = nowIso();
    const identity = keptIdentity(args);
    if (identity.signature || identity.room) {
      const note = args.action === 'done' ? args.evidence : args.note;
      task.answers = [
        ...(task.answers ?? []),
        { action: args.action, by: args.by, attempt: task.attempts, at, ...(note !== undefined && { note }), ...identity },
      ];
    }
    let outcome: string;
    if (args.action === 'done') {
      Object.assign(task, { evidence: args.evidence, completedBy: args.by, answeredVia: authenticationOf(identity) });
      outcome =
        `${task.id} marked done by ${args.by}` +
        (task.hold || tasks.find((t) => t.id === task.id)?.gate.length ? '; its gate comes next' : '');
    } else if (args.action === 'retry') {
      retryRequested.add(task.id);
      outcome = `${task.id} asks again now`;
    } else {
      const hold = task.hold!;
      const role = taskRoleToSatisfy(plan, hold.awaiting, args.by)!;
      task.approvals.push({
        by: args.by,
        attempt: task.attempts,
        role,
        decision: 'approved',
        at,
        ...(args.note && { note: args.note }),
        ...identity,
      });
      hold.awaiting = hold.awaiting.filter((r) => r !== role);
      outcome =
        hold.awaiting.length === 0
          ? `${task.id} approved: it is done`
          : `approved for ${ROLE_TITLES[role]}; ${task.id} still awaits ${describe(hold.awaiting)}`;
    }
    publish();
    return { accepted: true, kind: 'task-answer', task: task.id, action: args.action, outcome };
  }

  const checkAnswer = withBounds('task-answer', ctx.strictMessages, (args: TaskAnswerArgs) => {
    return checkTaskAnswer(plan, status, args) ?? checkIdentity(plan, status, 'task-answer', args);
  });
  setHandler(taskAnswerUpdate, applyAnswer, {
    validator: (args: TaskAnswerArgs) => {
      const problem = checkAnswer(args);
      if (problem) throw ApplicationFailure.create({ type: FAILURE_TYPES.MESSAGE_REFUSED, message: problem, nonRetryable: true });
    },
    description:
      'An answer about one of the plan tasks: done (owner, with evidence), approve (a role its gate awaits), retry (owner, a held check)',
  });
  // The same answer as a signal: a refusal cannot be answered, so it goes into the refusal log.
  setHandler(taskAnswerSignal, (args: TaskAnswerArgs) => {
    const problem = checkAnswer(args);
    if (!problem) {
      applyAnswer(args);
      return;
    }
    const fields = (args ?? {}) as { by?: unknown; task?: unknown };
    recordRefusal(
      plan,
      status,
      boundedRefusal({ kind: 'task-answer', via: 'signal', reason: problem, at: nowIso(), by: fields.by, task: fields.task }),
    );
    log.warn('message refused', { kind: 'task-answer', via: 'signal', reason: clip(problem, MAX_REFUSAL_REASON_LENGTH) });
    publish();
  });

  /** Holds until the roles approve (or, for a failed check, its owner retries); escalates on each timeout. */
  async function hold(task: TaskState, planned: TaskPlan, roles: Role[], reason: string): Promise<'approved' | 'retry'> {
    const timeoutMs = Math.max(MIN_ESCALATION_INTERVAL_MS, planned.approvalTimeoutMs / timeScale);
    let waitMs = timeoutMs;
    if (resumesTasks && task.status === 'holding' && task.hold) {
      // Carried over: the approvals already given stand, and it escalates when it would have in the previous run.
      const held = Math.max(0, Date.now() - Date.parse(task.hold.since));
      waitMs = Math.max(1_000, timeoutMs - (held % timeoutMs));
    } else {
      task.status = 'holding';
      task.hold = { reason, awaiting: [...new Set(roles)], since: nowIso() };
      publish();
      await notify(
        'approvers',
        `${plan.programme}: task ${task.id} (${task.stream}) holds for ${describe(task.hold.awaiting)}: ${reason}`,
        undefined,
        describe(task.hold.awaiting),
      );
    }
    const settled = () => stopped() || retryRequested.has(task.id) || (task.hold?.awaiting.length ?? 0) === 0;
    while (!(await condition(settled, waitMs))) {
      waitMs = timeoutMs;
      const awaiting = task.hold?.awaiting ?? [];
      await notify(
        'escalation',
        `${plan.programme}: task ${task.id} has waited ${Math.round(planned.approvalTimeoutMs / 60_000)} min (plan time) for ${describe(awaiting)}: ${reason}`,
        people(['lead', ...awaiting]),
      );
    }
    if (stopped()) throw new TaskStopped();
    task.hold = undefined;
    if (retryRequested.delete(task.id)) return 'retry';
    return 'approved';
  }

  async function runCheck(task: TaskState, planned: TaskPlan): Promise<void> {
    const check = planned.check!;
    // A check held for its owner when the run continued as new goes on holding; it is asked again on a retry.
    let resumedHold = resumesTasks && task.status === 'holding' && task.hold !== undefined;
    for (;;) {
      for (let attempt = 1; !resumedHold && attempt <= check.retry.attempts; attempt++) {
        task.attempts += 1;
        task.status = 'running';
        publish();
        const result = await cutoverActivities(`http-check ${task.id}: ${check.method} attempt ${task.attempts}`).httpCheck({
          task: task.id,
          url: check.url,
          method: check.method,
          expectStatus: check.expectStatus,
          ...(check.json && { json: check.json }),
        });
        if (result.passed) {
          task.problems = [];
          task.evidence =
            `${check.method} answered ${result.status}` +
            (check.json ? `, ${check.json.field} = ${result.observed}` : '') +
            ` (attempt ${task.attempts})`;
          return;
        }
        task.problems = [result.problem ?? 'the check did not pass'];
        publish();
        if (result.final || attempt === check.retry.attempts) break;
        if (await condition(stopped, Math.max(1, check.retry.intervalMs / timeScale))) throw new TaskStopped();
      }
      resumedHold = false;
      const answer = await hold(task, planned, [planned.owner], task.problems.join('; '));
      if (answer === 'approved') {
        task.evidence = `accepted by ${task.approvals.at(-1)?.by ?? 'its owner'} although the check did not pass: ${task.problems.join('; ')}`;
        return;
      }
    }
  }

  async function runTask(planned: TaskPlan): Promise<void> {
    const task = taskState(planned.id);
    if (FINISHED.includes(task.status)) return;
    try {
      if (task.startedAt === undefined) {
        task.status = 'waiting';
        await condition(() => stopped() || planned.after.every(isDone) || planned.after.some(isBroken));
        if (stopped()) throw new TaskStopped();
        if (planned.after.some(isBroken)) {
          throw new TaskStopped(`${planned.after.filter(isBroken).join(', ')} did not pass`);
        }
        if (planned.notBeforeMs !== undefined) {
          const waitMs = clock.dueAtMs(goLiveMs + planned.notBeforeMs) - Date.now();
          if (waitMs > 0 && (await condition(stopped, waitMs))) throw new TaskStopped();
        }
        Object.assign(task, { status: 'running', startedAt: nowIso(), startedPlanAt: planNow() });
        publish();
      }
      if (planned.kind === 'manual') {
        if (task.completedBy === undefined) {
          task.status = 'running';
          await condition(() => stopped() || task.completedBy !== undefined);
          if (stopped()) throw new TaskStopped();
        }
      } else if (planned.kind === 'http-check') {
        if (!(resumesTasks && task.evidence !== undefined)) await runCheck(task, planned);
      } else if (planned.notify && !(resumesTasks && task.evidence !== undefined)) {
        void notify(planned.notify.channel, `${plan.programme}: ${planned.notify.text}`, undefined, planned.notify.channel);
        task.evidence = `notice sent to ${planned.notify.channel}`;
      }
      if (planned.gate.length > 0) {
        task.attempts = Math.max(1, task.attempts);
        await hold(
          task,
          planned,
          planned.gate,
          `${task.id} is gated: ${planned.gate.map((r) => ROLE_TITLES[r]).join(' and ')} must approve`,
        );
      }
      Object.assign(task, { status: 'done', finishedAt: nowIso(), finishedPlanAt: planNow(), hold: undefined });
    } catch (err) {
      if (!(err instanceof TaskStopped) && !isCancellation(err)) {
        // A check that failed outright (its activity gave up) holds like any failed check would have.
        task.problems = [`${activityProblem(err).type}: ${activityProblem(err).message}`];
      }
      const why = err instanceof TaskStopped && err.message ? err.message : stopReason();
      Object.assign(task, {
        status: 'skipped',
        reason: `not finished: ${why}`,
        finishedAt: nowIso(),
        finishedPlanAt: planNow(),
        hold: undefined,
      });
    }
    publish();
  }

  return {
    run: async () => {
      await Promise.all(tasks.map((planned) => runTask(planned)));
    },
    async stageMayStart(stage) {
      const feeders = tasks.filter((t) => t.before.includes(stage)).map((t) => t.id);
      if (feeders.length === 0 || feeders.every((id) => FINISHED.includes(taskState(id).status))) return;
      stageState(stage).status = 'waiting';
      ctx.setPhase('waiting', stage);
      await condition(() => abortRequested() || feeders.every((id) => FINISHED.includes(taskState(id).status)));
      if (abortRequested()) throw new AbortRequested();
    },
    close(reason) {
      closedBecause ??= reason;
    },
    finished: () => status.tasks!.every((t) => FINISHED.includes(t.status)),
    skipAll(reason) {
      for (const task of status.tasks!) if (!FINISHED.includes(task.status)) Object.assign(task, { status: 'skipped', reason });
    },
  };
}
