/**
 * T-2h (Engineering): pause sandbox automation for the cutover and, on roll-back, put each job back as
 * it was. A job is a Temporal Schedule or an HTTP job with disable/enable URLs.
 *
 * The prior state must survive a crash between "read state" and "pause": otherwise a retry would read
 * the job as already paused and the roll-back would leave it paused for good. So each job's prior state
 * is recorded in the activity's heartbeat details before it is touched, and a retry reads it from there.
 */
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FAILURE_TYPES } from '../errors.js';
import type { SandboxJob } from '../plan/schema.js';

export interface JobPriorState {
  name: string;
  kind: SandboxJob['kind'];
  /** Whether the job was running before the cutover paused it; roll-back resumes only these. */
  wasActive: boolean;
  changed: boolean;
}

export interface PauseJobsResult {
  jobs: JobPriorState[];
}

export interface SandboxJobsDeps {
  temporal: Client;
  fetch?: typeof fetch;
}

function httpFailure(job: string, action: string, url: string, detail: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FAILURE_TYPES.SANDBOX_JOB_UNREACHABLE,
    message: `could not ${action} sandbox job ${job} at ${url}: ${detail}`,
  });
}

export function createSandboxJobActivities({ temporal, fetch: fetchImpl = fetch }: SandboxJobsDeps) {
  async function httpCall(job: string, action: string, url: string, method: 'GET' | 'POST'): Promise<unknown> {
    let res: Response;
    try {
      res = await fetchImpl(url, { method, signal: Context.current().cancellationSignal });
    } catch (err) {
      throw httpFailure(job, action, url, err instanceof Error ? err.message : String(err));
    }
    const text = await res.text();
    if (!res.ok) throw httpFailure(job, action, url, `HTTP ${res.status}`);
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      return undefined;
    }
  }

  async function isActive(job: SandboxJob, workflowId: string): Promise<boolean> {
    if (job.kind === 'schedule') {
      const description = await temporal.schedule.getHandle(job.scheduleId).describe();
      return !description.state.paused;
    }
    if (!job.statusUrl) return true;
    const body = (await httpCall(job.name, 'read', job.statusUrl, 'GET')) as { enabled?: unknown } | undefined;
    if (typeof body?.enabled !== 'boolean') {
      throw ApplicationFailure.create({
        type: FAILURE_TYPES.SANDBOX_JOB_BAD_STATUS,
        nonRetryable: true,
        message: `sandbox job ${job.name}: ${job.statusUrl} must answer {"enabled": true|false} (cutover ${workflowId})`,
      });
    }
    return body.enabled;
  }

  async function setActive(job: SandboxJob, active: boolean, note: string): Promise<void> {
    if (job.kind === 'schedule') {
      const handle = temporal.schedule.getHandle(job.scheduleId);
      await (active ? handle.unpause(note) : handle.pause(note));
      return;
    }
    await httpCall(job.name, active ? 'enable' : 'disable', active ? job.enableUrl : job.disableUrl, 'POST');
  }

  return {
    async pauseSandboxJobs(input: { jobs: SandboxJob[] }): Promise<PauseJobsResult> {
      const ctx = Context.current();
      const workflowId = ctx.info.workflowExecution?.workflowId ?? ctx.info.activityId;
      const recorded = new Map<string, JobPriorState>(
        ((ctx.info.heartbeatDetails as JobPriorState[] | undefined) ?? []).map((j) => [j.name, j]),
      );
      for (const job of input.jobs) {
        let prior = recorded.get(job.name);
        if (!prior) {
          const wasActive = await isActive(job, workflowId);
          prior = { name: job.name, kind: job.kind, wasActive, changed: wasActive };
          recorded.set(job.name, prior);
          ctx.heartbeat([...recorded.values()]);
        }
        if (prior.wasActive) await setActive(job, false, `paused for PayCA cutover ${workflowId}`);
      }
      return { jobs: input.jobs.map((job) => recorded.get(job.name) as JobPriorState) };
    },

    async restoreSandboxJobs(input: { jobs: SandboxJob[]; priorStates: JobPriorState[] }) {
      const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'unknown';
      const restored: string[] = [];
      for (const prior of input.priorStates) {
        const job = input.jobs.find((j) => j.name === prior.name);
        if (!job || !prior.wasActive) continue;
        await setActive(job, true, `restored by roll-back of PayCA cutover ${workflowId}`);
        restored.push(job.name);
      }
      return { restored };
    },
  };
}
