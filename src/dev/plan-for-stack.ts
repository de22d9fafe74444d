/**
 * The example plan names the default local ports. When the stack runs elsewhere (tests, a second demo),
 * every URL that points at a default address is moved to the stack's actual one. Its readiness files
 * can be moved too, for a worker that does not run in the directory the plan's paths are relative to.
 */
import type { CutoverPlan, SandboxJob } from '../plan/schema.js';

export interface StackAddresses {
  production: string;
  sandbox: string;
  receiver: string;
}

function originOf(url: string): string {
  return new URL(url).origin;
}

function rebase(url: string, moves: Map<string, string>): string {
  const parsed = new URL(url);
  const target = moves.get(parsed.origin);
  if (!target) return url;
  const base = new URL(target);
  parsed.protocol = base.protocol;
  parsed.host = base.host;
  return parsed.toString();
}

export function pointPlanAt(plan: CutoverPlan, stack: StackAddresses): CutoverPlan {
  const moves = new Map<string, string>([
    [originOf(plan.payca.production.baseUrl), stack.production],
    [originOf(plan.payca.sandbox.baseUrl), stack.sandbox],
    [originOf(plan.webhook.url), stack.receiver],
  ]);
  const move = (url: string) => rebase(url, moves);
  const moveJob = (job: SandboxJob): SandboxJob =>
    job.kind === 'http'
      ? {
          ...job,
          disableUrl: move(job.disableUrl),
          enableUrl: move(job.enableUrl),
          ...(job.statusUrl !== undefined && { statusUrl: move(job.statusUrl) }),
        }
      : job;
  return {
    ...plan,
    payca: { production: { baseUrl: stack.production }, sandbox: { baseUrl: stack.sandbox } },
    webhook: { ...plan.webhook, url: move(plan.webhook.url) },
    sandboxJobs: plan.sandboxJobs.map(moveJob),
    postLaunch: { ...plan.postLaunch, dashboards: plan.postLaunch.dashboards.map((d) => ({ ...d, url: move(d.url) })) },
    notifications: {
      ...plan.notifications,
      ...(plan.notifications.webhookUrl !== undefined && { webhookUrl: move(plan.notifications.webhookUrl) }),
    },
  };
}

/** The plan with each readiness file it names (CI/CD env files, seed CSV) replaced by `move(path)`. */
export function pointReadinessFilesAt(plan: CutoverPlan, move: (path: string) => string): CutoverPlan {
  const { cicdEnv, seedCards } = plan.readiness;
  return {
    ...plan,
    readiness: {
      ...plan.readiness,
      ...(cicdEnv && { cicdEnv: { ...cicdEnv, sandboxFile: move(cicdEnv.sandboxFile), productionFile: move(cicdEnv.productionFile) } }),
      ...(seedCards && { seedCards: { ...seedCards, csv: move(seedCards.csv) } }),
    },
  };
}
