/**
 * Compressed rehearsals driven to their end by the demo's scripted people: the lead and Engineering approve
 * go-live, the lead rolls forward at the debrief. Only the gates are answered: the plan's readiness items
 * are optional, and at a high time scale every second a driver spends attesting them is most of a plan hour. One driver serves them all: it lists the holding rehearsals through the CutoverPhase search
 * attribute each poll and reads only those, so the driver's own status reads stay a small load beside the
 * rehearsals it measures. Each rehearsal's end comes from its result.
 */
import type { Client } from '@temporalio/client';
import { setTimeout as delay } from 'node:timers/promises';
import { startCutover } from '../../src/operations/cutover-workflow.js';
import { sendMessage } from '../../src/operations/send-message.js';
import { runLowRiskAuthorization } from '../../src/dev/low-risk-authorization.js';
import { needsLowRiskAuthorization, scriptedActions, type ChecklistScript, type GoLiveScript } from '../../src/dev/scripted-approver.js';
import { MessageRefusedError } from '../../src/errors.js';
import type { CutoverPlan } from '../../src/plan/schema.js';
import { abortUpdate, statusQuery } from '../../src/workflows/messages.js';
import type { CutoverStatus } from '../../src/workflows/cutover-state.js';

const HOUR = 3_600_000;
const GATE_MESSAGES = new Set(['approve', 'decide']);

const SCRIPT: ChecklistScript = {
  fixes: new Map(),
  waivers: {},
  evidence: (item) => `rehearsal evidence for ${item.id}`,
};

export interface RehearsalRun {
  workflowId: string;
  phase: string;
  wallMs: number;
  watchReads: number;
  /** When the watch began on the plan clock, hours after T: the debrief is at T+2h; later means the run fell behind. */
  watchStartedAfterTHours: number;
  /** Per stage, wall milliseconds from due to started, and from started to finished (gates include the wait for people). */
  stages: { id: string; lateMs: number; tookMs: number }[];
  /** Why a run did not complete. */
  problem?: string;
}

export interface RehearsalOptions {
  client: Client;
  plan: CutoverPlan;
  workflowIds: string[];
  timeScale: number;
  pollMs: number;
  deadlineMs: number;
}

const hasProblem = (status: CutoverStatus) =>
  status.stages.some((s) => s.status === 'holding' && (s.problems.length > 0 || s.error !== undefined));

/** Sends every scripted action the status calls for; true when the run holds on a problem no script answers. */
async function answer(
  client: Client,
  plan: CutoverPlan,
  workflowId: string,
  answered: Set<string>,
  goLive: GoLiveScript,
): Promise<boolean> {
  const handle = client.workflow.getHandle(workflowId);
  for (let step = 0; step < 50; step++) {
    const status: CutoverStatus = await handle.query(statusQuery);
    if (status.phase !== 'holding') return false;
    if (needsLowRiskAuthorization(status, goLive)) {
      const auth = await runLowRiskAuthorization(plan.payca.production.baseUrl, { currency: plan.smokeTest.currency });
      Object.assign(goLive, { authorizationId: auth.id, attempt: status.stages.find((s) => s.id === 'go-live')?.attempts });
    }
    const attempts = status.stages.map((s) => s.attempts).join();
    const action = scriptedActions(status, plan.approvers, SCRIPT, {}, goLive).find(
      (candidate) =>
        GATE_MESSAGES.has(candidate.message.kind) &&
        !answered.has(`${candidate.message.kind}:${JSON.stringify(candidate.message.args)}:${attempts}`),
    );
    // A hold the script does not answer (a problem, or a gate other than go-live and the debrief) waits for a person.
    if (!action) return hasProblem(status) || !['go-live', 'debrief'].includes(status.currentStage ?? '');
    answered.add(`${action.message.kind}:${JSON.stringify(action.message.args)}:${attempts}`);
    try {
      await sendMessage(client, workflowId, action.message, 'update');
    } catch (err) {
      // The status read may be a moment old; the workflow refusing a message it no longer needs is fine.
      if (!(err instanceof MessageRefusedError)) throw err;
    }
  }
  return false;
}

export async function runScriptedRehearsals(options: RehearsalOptions): Promise<RehearsalRun[]> {
  const { client, plan } = options;
  const startedAt = Date.now();
  // T-24h falls due a minute of plan time after the start.
  const goLive = new Date(startedAt + 24 * HOUR + 60_000);
  await Promise.all(
    options.workflowIds.map((workflowId) =>
      startCutover(client, { plan, planFile: 'bench.yaml', goLive, timeScale: options.timeScale, startedBy: 'lara', workflowId }),
    ),
  );
  const runs = new Map<string, RehearsalRun>();
  const problems = new Map<string, string>();
  const ended = options.workflowIds.map(async (workflowId) => {
    try {
      const final = (await client.workflow.getHandle(workflowId).result()) as CutoverStatus;
      const watchStart = final.watch ? (Date.parse(final.watch.startedPlanAt) - Date.parse(final.goLive)) / HOUR : Number.NaN;
      runs.set(workflowId, {
        workflowId,
        phase: final.phase,
        wallMs: Date.now() - startedAt,
        watchReads: final.watch?.reads ?? 0,
        watchStartedAfterTHours: Math.round(watchStart * 100) / 100,
        stages: final.stages
          .filter((stage) => stage.startedAt && stage.finishedAt)
          .map((stage) => ({
            id: stage.id,
            lateMs: Date.parse(stage.startedAt ?? '') - Date.parse(stage.dueAt),
            tookMs: Date.parse(stage.finishedAt ?? '') - Date.parse(stage.startedAt ?? ''),
          })),
        problem: problems.get(workflowId),
      });
    } catch (err) {
      if (runs.has(workflowId)) return;
      runs.set(workflowId, {
        workflowId,
        phase: 'failed',
        wallMs: Date.now() - startedAt,
        watchReads: 0,
        watchStartedAfterTHours: Number.NaN,
        stages: [],
        problem: String(err),
      });
    }
  });
  const allEnded = Promise.all(ended);

  const answered = new Map<string, Set<string>>(options.workflowIds.map((id) => [id, new Set<string>()]));
  const goLives = new Map<string, GoLiveScript>(options.workflowIds.map((id) => [id, {}]));
  const ours = new Set(options.workflowIds);
  // Each holding rehearsal is answered on its own, so one slow answer never delays another's.
  const answering = new Set<string>();
  const answerOne = async (workflowId: string) => {
    answering.add(workflowId);
    try {
      if (!(await answer(client, plan, workflowId, answered.get(workflowId) ?? new Set(), goLives.get(workflowId) ?? {}))) return;
      // A hold no script answers would wait for a person for ever: recorded and aborted, so the batch ends.
      const status: CutoverStatus = await client.workflow.getHandle(workflowId).query(statusQuery);
      const stage = status.stages.find((s) => s.status === 'holding');
      problems.set(workflowId, `held at ${stage?.id}: ${stage?.hold?.reason ?? ''}`);
      await client.workflow
        .getHandle(workflowId)
        .executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'benchmark: held on a problem' }] });
    } catch (err) {
      problems.set(workflowId, String(err));
    } finally {
      answering.delete(workflowId);
    }
  };
  while (runs.size < ours.size) {
    if (Date.now() - startedAt > options.deadlineMs) {
      // Reported as stuck rather than waited for: the batch's figures still come out.
      for (const id of ours) {
        if (runs.has(id)) continue;
        runs.set(id, {
          workflowId: id,
          phase: 'stuck',
          wallMs: Date.now() - startedAt,
          watchReads: 0,
          watchStartedAfterTHours: Number.NaN,
          stages: [],
          problem: problems.get(id) ?? 'still running past the deadline',
        });
        await client.workflow
          .getHandle(id)
          .terminate('benchmark: past the deadline')
          .catch(() => undefined);
      }
      break;
    }
    for await (const listed of client.workflow.list({ query: 'ExecutionStatus = "Running" AND CutoverPhase = "holding"' })) {
      const id = listed.workflowId;
      if (ours.has(id) && !runs.has(id) && !answering.has(id) && !problems.has(id)) void answerOne(id);
    }
    await Promise.race([delay(options.pollMs), allEnded]);
  }
  await Promise.race([allEnded, delay(5_000)]);
  return options.workflowIds.map((id) => runs.get(id) as RehearsalRun);
}
