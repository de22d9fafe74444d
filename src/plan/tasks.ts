/**
 * The plan's own tasks beside the runbook's built-in stages: their shape, the graph rules that refuse a
 * plan (with the path to what is wrong), and the normalised form the workflow runs. The graph logic itself
 * is `src/runbook/task-graph.ts`, shared with the workflow and the CLI.
 */
import { z } from 'zod';
import { ROLES, STAGE_DEFAULTS, TIMELINE_STAGE_IDS, type Role, type StageId } from '../runbook/stages.js';
import { graphProblems, stageNodes, type GraphNode } from '../runbook/task-graph.js';
import { Duration, HttpUrl, PositiveDuration } from './plan-fields.js';

const RoleName = z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` });
const TaskId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a task id is lower-case words joined by dashes, e.g. freeze-onboarding');
const NonNegativeDuration = Duration.refine((ms) => ms >= 0, { message: 'must not be negative' });

export const HttpCheck = z.strictObject({
  url: HttpUrl.describe('What to ask; the worker checks it against its allowed targets (loopback, or CUTOVER_WEBHOOK_URLS).'),
  method: z.enum(['GET', 'HEAD']).default('GET').describe('GET or HEAD.'),
  expectStatus: z.number().int().min(100).max(599).default(200).describe('The HTTP status that passes.'),
  json: z
    .strictObject({
      field: z.string().min(1).describe('A dot path into the JSON body, e.g. `settlement.status`.'),
      equals: z.union([z.string(), z.number(), z.boolean()]).describe('The value the field must have.'),
    })
    .optional()
    .describe('A field of the JSON body that must have a value, besides the status (GET only).'),
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(50).default(3).describe('How many times to ask before the task holds for its owner.'),
      interval: PositiveDuration.default(60_000).describe('Plan time between attempts.'),
    })
    .default({ attempts: 3, interval: 60_000 })
    .describe('How often a failing check is asked again.'),
});

export const TaskFile = z
  .strictObject({
    id: TaskId.describe('Unique among tasks and stages; other tasks name it in `after`.'),
    title: z.string().min(1).max(200).describe('What is done, as people read it.'),
    stream: z
      .string()
      .min(1)
      .max(60)
      .default('main')
      .describe('The work stream (a lane: Treasury, Engineering…); tasks of different streams run side by side.'),
    owner: RoleName.describe('The role that does the task and is told when it runs late or holds.'),
    kind: z
      .enum(['manual', 'http-check', 'notify'])
      .describe('manual: the owner marks it done with evidence; http-check: asks a URL; notify: sends a notice.'),
    notBefore: Duration.optional().describe('Not before T + this (e.g. -6h).'),
    after: z.array(z.string().min(1)).default([]).describe('Task ids or built-in stage ids that must be done first.'),
    before: z
      .array(z.enum(TIMELINE_STAGE_IDS as [StageId, ...StageId[]]))
      .default([])
      .describe('Built-in stages that wait for this task (e.g. go-live).'),
    estimate: NonNegativeDuration.describe('How long it is expected to take, for the forecast.'),
    gate: z.array(RoleName).default([]).describe('Roles that approve before the task counts as done.'),
    check: HttpCheck.optional().describe('For kind http-check: the request and what passes.'),
    notify: z
      .strictObject({
        channel: z.enum(['monitoring-room', 'approvers']).default('monitoring-room').describe('Where the notice goes.'),
        text: z.string().min(1).max(2000).describe('The notice.'),
      })
      .optional()
      .describe('For kind notify: the notice sent.'),
  })
  .superRefine((task, ctx) => {
    if (task.kind === 'http-check' && !task.check)
      ctx.addIssue({ code: 'custom', path: ['check'], message: 'an http-check task names its request under check' });
    if (task.kind === 'notify' && !task.notify)
      ctx.addIssue({ code: 'custom', path: ['notify'], message: 'a notify task gives its notice under notify' });
    if (task.kind !== 'http-check' && task.check)
      ctx.addIssue({ code: 'custom', path: ['check'], message: `only an http-check task has a check; this one is ${task.kind}` });
    if (task.kind !== 'notify' && task.notify)
      ctx.addIssue({ code: 'custom', path: ['notify'], message: `only a notify task has a notice; this one is ${task.kind}` });
    // The plan travels in the cutover's input and history, readable by anyone who can read the workflow.
    if (task.check && URL.canParse(task.check.url) && (new URL(task.check.url).username || new URL(task.check.url).password)) {
      ctx.addIssue({
        code: 'custom',
        path: ['check', 'url'],
        message: 'the URL carries a user name or password, and the plan travels in the workflow history: check an endpoint that needs none',
      });
    }
    if (task.check?.json && task.check.method === 'HEAD')
      ctx.addIssue({ code: 'custom', path: ['check', 'json'], message: 'a HEAD answer has no body to read: use GET' });
  });
export type TaskFile = z.infer<typeof TaskFile>;

export const TaskForecast = z.strictObject({
  overrunMargin: z
    .number()
    .min(0)
    .max(10)
    .default(0.5)
    .describe('How far past its estimate a task may run (0.5: half as long again) before the lead and its owner are told.'),
});

/** A task as the workflow runs it. */
export interface TaskPlan {
  id: string;
  title: string;
  stream: string;
  owner: Role;
  kind: TaskFile['kind'];
  notBeforeMs?: number;
  after: string[];
  before: StageId[];
  estimateMs: number;
  gate: Role[];
  approvalTimeoutMs: number;
  check?: {
    url: string;
    method: 'GET' | 'HEAD';
    expectStatus: number;
    json?: { field: string; equals: string | number | boolean };
    retry: { attempts: number; intervalMs: number };
  };
  notify?: { channel: 'monitoring-room' | 'approvers'; text: string };
}

export function normaliseTasks(tasks: TaskFile[], approvalTimeoutMs: number): TaskPlan[] {
  return tasks.map((task) => ({
    id: task.id,
    title: task.title,
    stream: task.stream,
    owner: task.owner,
    kind: task.kind,
    ...(task.notBefore !== undefined && { notBeforeMs: task.notBefore }),
    after: task.after,
    before: task.before,
    estimateMs: task.estimate,
    gate: task.gate,
    approvalTimeoutMs,
    ...(task.check && {
      check: {
        url: task.check.url,
        method: task.check.method,
        expectStatus: task.check.expectStatus,
        ...(task.check.json && { json: task.check.json }),
        retry: { attempts: task.check.retry.attempts, intervalMs: task.check.retry.interval },
      },
    }),
    ...(task.notify && { notify: task.notify }),
  }));
}

/** The graph of a plan: its timeline stages (at the plan's offsets, with its gates) and its tasks. */
export function planGraph(
  stages: readonly { id: StageId; offsetMs: number; gate: Role[] }[],
  tasks: readonly Pick<TaskPlan, 'id' | 'after' | 'before' | 'notBeforeMs' | 'estimateMs' | 'gate'>[],
): GraphNode[] {
  const stageList = stageNodes(stages);
  for (const task of tasks) {
    for (const stage of task.before) stageList.find((s) => s.id === stage)?.after.push(task.id);
  }
  return [
    ...stageList,
    ...tasks.map((task) => ({
      id: task.id,
      stage: false,
      after: task.after,
      notBeforeMs: task.notBeforeMs,
      estimateMs: task.estimateMs,
      gate: task.gate,
    })),
  ];
}

type StageOverrides = Partial<Record<StageId, { offset?: number; gate?: Role[] } | undefined>>;

/** Why the plan's tasks cannot run, each with its path in the plan file. */
export function taskPlanProblems(
  tasks: readonly TaskFile[],
  stages: StageOverrides,
  approvers: Partial<Record<Role, string[]>>,
): { path: (string | number)[]; message: string }[] {
  if (tasks.length === 0) return [];
  const timeline = TIMELINE_STAGE_IDS.map((id) => ({
    id,
    offsetMs: stages[id]?.offset ?? STAGE_DEFAULTS[id].offsetMs,
    gate: stages[id]?.gate ?? STAGE_DEFAULTS[id].gate,
  }));
  const problems: { path: (string | number)[]; message: string }[] = [];
  tasks.forEach((task, i) => {
    task.after.forEach((dep, j) => {
      if (dep in STAGE_DEFAULTS && !(TIMELINE_STAGE_IDS as readonly string[]).includes(dep)) {
        problems.push({
          path: ['tasks', i, 'after', j],
          message: `${dep} runs only after roll-forward, outside the launch timeline: a task cannot wait for it`,
        });
      }
    });
    for (const [field, roles] of [
      ['owner', [task.owner]],
      ['gate', task.gate],
    ] as const) {
      for (const role of roles) {
        if (!approvers[role]?.length) {
          problems.push({ path: ['tasks', i, field], message: `task ${task.id} needs a ${role} person: list one under approvers.${role}` });
        }
      }
    }
  });
  const graph = planGraph(timeline, normaliseTasks([...tasks], 0));
  for (const problem of graphProblems(graph, TIMELINE_STAGE_IDS)) {
    const [node, field, dep] = problem.path;
    const occurrences = tasks.flatMap((t, i) => (t.id === node ? [i] : []));
    // A duplicate id is reported at its second use; everything else at the task's only one.
    const index = field === undefined && occurrences.length > 1 ? occurrences[1] : occurrences[0];
    if (index === undefined) {
      problems.push({ path: ['stages', ...problem.path], message: problem.message });
      continue;
    }
    const depIndex = field === 'after' && dep !== undefined ? tasks[index]!.after.indexOf(dep) : -1;
    problems.push({ path: ['tasks', index, ...(field ? [field] : []), ...(depIndex >= 0 ? [depIndex] : [])], message: problem.message });
  }
  return problems;
}
