/**
 * The cutover as a graph of tasks: the runbook's built-in stages, each after the one before it, and the
 * plan's own tasks, each after the tasks or stages it names and no earlier than its time. Pure code over
 * plain data, so the plan's validation, the workflow and the CLI share one reading of the graph: what
 * refuses a plan, in which order things may run, and the forecast (expected finish, slack, critical path).
 */
import type { Role } from './stages.js';

/** One node of the graph: a built-in stage or a plan's task. Offsets are from go-live T, in milliseconds. */
export interface GraphNode {
  id: string;
  /** True for a built-in stage of the runbook. */
  stage: boolean;
  /** What must be done first: task or stage ids. */
  after: string[];
  /** Not before T + this, when set. */
  notBeforeMs?: number;
  estimateMs: number;
  /** Roles that approve before the node counts as done. */
  gate: Role[];
}

export interface GraphProblem {
  /** Where in the plan: node ids and field names, e.g. `['freeze', 'after', 'publish']`. */
  path: string[];
  message: string;
}

/** The gate the forecast is about: the go/no-go decision at T. */
export const GO_LIVE_NODE = 'go-live';

/** Built-in stages as nodes: each after the previous one, at its planned offset. */
export function stageNodes(stages: readonly { id: string; offsetMs: number; gate: Role[] }[]): GraphNode[] {
  return stages.map((stage, i) => ({
    id: stage.id,
    stage: true,
    after: i === 0 ? [] : [stages[i - 1]!.id],
    notBeforeMs: stage.offsetMs,
    estimateMs: 0,
    gate: stage.gate,
  }));
}

/** Ids in an order where every node comes after what it waits for; undefined when there is a cycle. */
export function topologicalOrder(nodes: readonly GraphNode[]): string[] | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string): boolean => {
    const seen = state.get(id);
    if (seen === 'done') return true;
    if (seen === 'visiting') return false;
    state.set(id, 'visiting');
    for (const dep of byId.get(id)?.after ?? []) if (byId.has(dep) && !visit(dep)) return false;
    state.set(id, 'done');
    order.push(id);
    return true;
  };
  for (const node of nodes) if (!visit(node.id)) return undefined;
  return order;
}

/** One cycle of the graph as the ids along it, first id repeated at the end; undefined when there is none. */
export function findCycle(nodes: readonly GraphNode[]): string[] | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of byId.get(id)?.after ?? []) {
      if (!byId.has(dep)) continue;
      if (state.get(dep) === 'visiting') {
        // Edges point from a node to what it waits for; the cycle reads in the order things would run.
        return [...stack.slice(stack.indexOf(dep)), dep].reverse();
      }
      if (state.get(dep) === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const node of nodes) {
    if (state.get(node.id) === undefined) {
      const found = visit(node.id);
      if (found) return found;
    }
  }
  return undefined;
}

/** Every node `id` waits for, directly or through others. */
export function ancestors(nodes: readonly GraphNode[], id: string): Set<string> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const todo = [...(byId.get(id)?.after ?? [])];
  while (todo.length) {
    const next = todo.pop()!;
    if (seen.has(next) || !byId.has(next)) continue;
    seen.add(next);
    todo.push(...byId.get(next)!.after);
  }
  return seen;
}

const offsetText = (ms: number) => {
  if (ms === 0) return 'T';
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const text = minutes % 60 === 0 ? `${minutes / 60}h` : minutes >= 60 ? `${Math.floor(minutes / 60)}h${minutes % 60}m` : `${minutes}m`;
  return `T${ms < 0 ? '-' : '+'}${text}`;
};

/**
 * Why the graph cannot run, each with its path: a built-in stage missing, an id used twice, a dependency on
 * nothing, a cycle (named along its path), or a task that could start only after a gate it feeds.
 */
export function graphProblems(nodes: readonly GraphNode[], builtInStages: readonly string[]): GraphProblem[] {
  const problems: GraphProblem[] = [];
  const ids = new Set<string>();
  for (const node of nodes) {
    if (ids.has(node.id)) {
      problems.push({
        path: [node.id],
        message:
          node.stage || builtInStages.includes(node.id)
            ? `"${node.id}" is a built-in stage; give the task another id`
            : `task "${node.id}" is declared twice`,
      });
    }
    ids.add(node.id);
  }
  for (const stage of builtInStages) {
    if (!nodes.some((n) => n.stage && n.id === stage)) {
      problems.push({
        path: [stage],
        message: `the built-in stage ${stage} is missing from the graph; a plan may move a stage but not remove it`,
      });
    }
  }
  for (const node of nodes) {
    for (const dep of node.after) {
      if (!ids.has(dep)) {
        problems.push({
          path: [node.id, 'after', dep],
          message: `${node.id} waits for "${dep}", which is neither a task of the plan nor a built-in stage`,
        });
      }
      if (dep === node.id) problems.push({ path: [node.id, 'after', dep], message: `${node.id} waits for itself` });
    }
  }
  const cycle = findCycle(nodes.map((n) => ({ ...n, after: n.after.filter((d) => d !== n.id) })));
  if (cycle) {
    problems.push({ path: [cycle[0]!, 'after'], message: `these wait for each other, so none could start: ${cycle.join(' → ')}` });
    return problems;
  }
  // A task that may start only after a gate's planned time, yet the gate waits for it: the gate could never open on time.
  for (const gated of nodes.filter((n) => n.gate.length > 0 && n.notBeforeMs !== undefined)) {
    for (const feederId of ancestors(nodes, gated.id)) {
      const feeder = nodes.find((n) => n.id === feederId)!;
      if (feeder.stage || feeder.notBeforeMs === undefined || feeder.notBeforeMs <= gated.notBeforeMs!) continue;
      problems.push({
        path: [feeder.id, 'notBefore'],
        message: `${feeder.id} may start only at ${offsetText(feeder.notBeforeMs)}, after the gate it feeds (${gated.id} at ${offsetText(gated.notBeforeMs!)}): move it earlier or stop ${gated.id} waiting for it`,
      });
    }
  }
  return problems;
}

// ---------- the forecast ----------

export type ForecastNodeStatus = 'pending' | 'running' | 'done' | 'skipped';

/** A node as the forecast reads it, on the plan's clock (absolute milliseconds). */
export interface ForecastInput {
  id: string;
  after: string[];
  notBeforeAt?: number;
  estimateMs: number;
  status: ForecastNodeStatus;
  startedAt?: number;
  finishedAt?: number;
}

export interface NodeForecast {
  expectedStart: number;
  expectedFinish: number;
  /** How far the node can slip before the go-live gate does; absent for nodes the gate does not wait for. */
  slackMs?: number;
  /** Running past its estimate, or due to finish too late for the gate. */
  late: boolean;
  /** How far past its estimate it is running or ran. */
  overrunMs: number;
}

export interface Forecast {
  /** When the go-live gate is expected to open, and the time it is planned for (T). */
  goNoGoAt: number;
  plannedAt: number;
  /** goNoGoAt after plannedAt. */
  crossesT: boolean;
  nodes: Record<string, NodeForecast>;
  /** From the earliest node to the go-live gate: the chain with the least slack. */
  criticalPath: string[];
}

/**
 * Expected start and finish of every node from estimates and what has happened so far, then each node's
 * slack towards the go-live gate (latest start minus expected start) and the chain with the least of it.
 * A running node is expected to take its estimate and never to finish before now; a pending one to start
 * once its dependencies finish and its time comes.
 */
export function forecast(nodes: readonly ForecastInput[], nowMs: number, gateId = GO_LIVE_NODE): Forecast {
  const graphNodes = nodes.map((n) => ({ id: n.id, stage: false, after: n.after, estimateMs: n.estimateMs, gate: [] }));
  const order = topologicalOrder(graphNodes);
  if (!order) throw new Error('the task graph has a cycle');
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const result: Record<string, NodeForecast> = {};
  for (const id of order) {
    const node = byId.get(id)!;
    const depsFinish = Math.max(-Infinity, ...node.after.filter((d) => byId.has(d)).map((d) => result[d]!.expectedFinish));
    let expectedStart: number;
    let expectedFinish: number;
    if (node.status === 'done' || node.status === 'skipped') {
      expectedFinish = node.finishedAt ?? nowMs;
      expectedStart = node.startedAt ?? expectedFinish;
    } else if (node.status === 'running' && node.startedAt !== undefined) {
      expectedStart = node.startedAt;
      expectedFinish = Math.max(node.startedAt + node.estimateMs, nowMs);
    } else {
      expectedStart = Math.max(nowMs, node.notBeforeAt ?? -Infinity, depsFinish);
      expectedFinish = expectedStart + node.estimateMs;
    }
    const ran = node.startedAt === undefined ? 0 : (node.finishedAt ?? nowMs) - node.startedAt;
    result[id] = { expectedStart, expectedFinish, late: false, overrunMs: Math.max(0, ran - node.estimateMs) };
    result[id].late = node.status === 'running' && result[id].overrunMs > 0;
  }

  const gate = byId.get(gateId);
  const plannedAt = gate?.notBeforeAt ?? nowMs;
  const latestStart = new Map<string, number>();
  if (gate) {
    latestStart.set(gateId, plannedAt);
    const successors = new Map<string, string[]>();
    for (const n of nodes) for (const d of n.after) successors.set(d, [...(successors.get(d) ?? []), n.id]);
    for (const id of [...order].reverse()) {
      if (id === gateId) continue;
      const limits = (successors.get(id) ?? []).map((s) => latestStart.get(s)).filter((v): v is number => v !== undefined);
      if (limits.length === 0) continue;
      latestStart.set(id, Math.min(...limits) - byId.get(id)!.estimateMs);
    }
  }
  for (const [id, latest] of latestStart) {
    const f = result[id]!;
    const node = byId.get(id)!;
    f.slackMs = node.status === 'done' || node.status === 'skipped' ? undefined : latest - f.expectedStart;
    if (node.status === 'running') f.slackMs = latest + node.estimateMs - f.expectedFinish;
    if (f.slackMs !== undefined && f.slackMs < 0) f.late = true;
  }

  const criticalPath: string[] = [];
  if (gate) {
    // Back from the gate, through the predecessor that finishes last (the one that holds it up), ties by least slack.
    for (let id: string | undefined = gateId; id !== undefined;) {
      criticalPath.unshift(id);
      const preds: string[] = byId.get(id)!.after.filter((d) => byId.has(d));
      id = preds.sort(
        (a, b) =>
          result[b]!.expectedFinish - result[a]!.expectedFinish || (result[a]!.slackMs ?? Infinity) - (result[b]!.slackMs ?? Infinity),
      )[0];
    }
  }
  const goNoGoAt = gate ? result[gateId]!.expectedStart : nowMs;
  return { goNoGoAt, plannedAt, crossesT: goNoGoAt > plannedAt, nodes: result, criticalPath };
}

/**
 * The next plan time at which the forecast could change without anything happening: a running node
 * reaching its estimate or its overrun margin, or the go-live forecast reaching T while something runs late.
 */
export function nextForecastChange(nodes: readonly ForecastInput[], f: Forecast, nowMs: number, overrunMargin: number): number | undefined {
  const times: number[] = [];
  for (const node of nodes) {
    if (node.status !== 'running' || node.startedAt === undefined) continue;
    times.push(node.startedAt + node.estimateMs, node.startedAt + Math.ceil(node.estimateMs * (1 + overrunMargin)));
    // Past its estimate a running node's finish moves with the clock, and the gate's forecast once its slack is spent.
    const slack = f.nodes[node.id]?.slackMs;
    if (nowMs >= node.startedAt + node.estimateMs && slack !== undefined && slack >= 0) times.push(nowMs + slack + 1);
  }
  const future = times.filter((t) => t > nowMs);
  return future.length ? Math.min(...future) : undefined;
}
