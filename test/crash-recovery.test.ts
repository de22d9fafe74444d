/**
 * Crashes in the middle of a cutover: the worker killed with SIGKILL in every stage of the timeline and
 * during the post-launch watch, and the Temporal dev server stopped and restarted on its SQLite file.
 * Four compressed rehearsals run side by side, each with its own server, simulators and `cutover worker`
 * process: a control that never crashes, and three that crash at different points. Each crashed run must
 * end exactly as the control did, without one extra side effect at PayCA or in the sandbox.
 *
 * PayCA calls are slowed on purpose (simulator latency, a slow relay for the sandbox job) only around the
 * points where a kill must land while a call is in flight.
 */
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import type { StageId } from '../src/runbook/stages.js';
import { CrashRehearsal, type PendingActivity } from './helpers/crash-rehearsal.js';
import { SimulatorCounters } from '../src/simulator/counters.js';
import { freshWorkflowId } from './helpers/temporal.js';
import { note } from './helpers/suite-logs.js';

/** Simulator latency while a kill must land in a PayCA call: long enough to be sure the call is out. */
const SLOW_PAYCA_MS = 1_500;
/** After the server shows an activity started, how long until its request has surely reached PayCA. */
const IN_FLIGHT_MS = 300;

interface RunOutcome {
  status: CutoverStatus;
  counters: SimulatorCounters;
  /** The sandbox simulator's, where the HTTP sandbox job lives. */
  sandboxCounters: SimulatorCounters;
  wallSeconds: number;
  /** Facts observed at the crash points, checked by the tests. */
  observed: Record<string, unknown>;
  /** The activities each kill interrupted. */
  interrupted: PendingActivity[];
  smoke: SmokeTrace;
}

const stage = <S extends StageId>(status: CutoverStatus, id: S) => status.stages.find((s) => s.id === id) as StageState<S>;
const holding = (id: StageId) => (status: CutoverStatus) => stage(status, id).status === 'holding';
const approvers = (status: CutoverStatus, id: StageId) => stage(status, id).approvals.map((a) => a.by);

async function startCutover(run: CrashRehearsal): Promise<void> {
  await run.cutover(['start', run.planFile, '--id', run.workflowId, '--go-live', '+1h', '--time-scale', '720', '--as', 'lara']);
}

async function approveGoLive(run: CrashRehearsal, by: 'lara' | 'erin'): Promise<void> {
  const extra =
    by === 'lara' ? ['--authorization-id', (await runLowRiskAuthorization(run.payca.production.url)).id] : ['--note', 'smoke tests green'];
  await run.cutover(['approve', run.workflowId, 'go-live', '--as', by, ...extra]);
}

async function rollForward(run: CrashRehearsal): Promise<void> {
  await run.cutover(['decide', run.workflowId, 'roll-forward', '--as', 'lara', '--reason', 'quiet first two hours']);
}

async function finishPostLaunch(run: CrashRehearsal): Promise<CutoverStatus> {
  await run.waitFor('the post-launch watch', (s) => s.phase === 'watching' || s.phase === 'completed');
  for (const [item, person] of [
    ['support-ticket-review', 'carlos'],
    ['retro-scheduled', 'lara'],
  ] as const) {
    await run.cutover(['complete', run.workflowId, item, '--as', person, '--evidence', `${item}: crash rehearsal`]);
  }
  return run.waitFor('completed', (s) => s.phase === 'completed', 120_000);
}

interface KillTarget {
  /** Kill while one of these activity types of the cutover is running … */
  cutover: string[];
  /** … and, when given, one of these of its watch at the same time. */
  watch?: string[];
  /** Only once the running activity has recorded progress in a heartbeat. */
  afterHeartbeat?: boolean;
  /** After the server shows it started, how long to let its call reach PayCA before the kill. */
  inFlightMs?: number;
}

/**
 * Waits until the target activities are running on the worker, lets their calls reach PayCA, then kills
 * the worker with SIGKILL. `action` (a person's command that sets the target off) runs while it watches.
 * Returns the activities the kill interrupted: those the server still held as running after it, which must
 * each run again.
 */
async function killDuring(run: CrashRehearsal, what: string, target: KillTarget, action?: () => Promise<void>): Promise<PendingActivity[]> {
  await run.workerCallsPayca();
  const running = (types: string[]) => (a: PendingActivity) =>
    types.includes(a.type) && a.started && (!target.afterHeartbeat || a.hasHeartbeat);
  const kill = async () => {
    const seen = await run.waitForActivity(
      what,
      (cutover, watch) => cutover.some(running(target.cutover)) && (!target.watch || watch.some(running(target.watch))),
    );
    await delay(target.inFlightMs ?? IN_FLIGHT_MS);
    await run.killWorker();
    const stillRunning = new Set(
      [...(await run.pendingActivities()), ...(await run.pendingActivities(`${run.workflowId}.watch`))].map((a) => a.activityId),
    );
    const interrupted = seen.filter(running([...target.cutover, ...(target.watch ?? [])])).filter((a) => stillRunning.has(a.activityId));
    if (interrupted.length === 0) throw new Error(`${run.name}: the kill in ${what} landed after its calls had finished`);
    return interrupted;
  };
  const [interrupted] = await Promise.all([kill(), action?.()]);
  return interrupted;
}

interface SmokeTrace {
  /** Cards PayCA holds for this cutover's go-live smoke test, by status. */
  cards: string[];
  /** Top-ups in PayCA's ledger on those cards. */
  topUps: number;
}

/** What PayCA itself holds of the go-live smoke test: the card with the cutover's external reference, and its top-ups. */
async function smokeTrace(run: CrashRehearsal): Promise<SmokeTrace> {
  const state = (await run.payca.admin('state')) as {
    cards: { id: string; externalRef: string; status: string }[];
    ledger: { cardId: string; type: string }[];
  };
  // `<workflow id>-smoke-<first run id>-<attempt>`; a rehearsal runs go-live once.
  const cards = state.cards.filter((c) => c.externalRef.startsWith(`${run.workflowId}-smoke-`));
  const ids = new Set(cards.map((c) => c.id));
  return { cards: cards.map((c) => c.status), topUps: state.ledger.filter((e) => ids.has(e.cardId) && e.type === 'topup').length };
}

/** Polls PayCA until `check` holds: proof that the call the kill interrupted was carried out there all the same. */
async function paycaShows(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await delay(100);
  }
  return false;
}

async function outcome(
  run: CrashRehearsal,
  status: CutoverStatus,
  since: number,
  observed: Record<string, unknown> = {},
  interrupted: PendingActivity[] = [],
): Promise<RunOutcome> {
  const sandboxCounters = SimulatorCounters.parse(await run.payca.admin('counters', 'GET', undefined, 'sandbox'));
  return {
    status,
    counters: await run.payca.counters(),
    sandboxCounters,
    wallSeconds: Math.round((Date.now() - since) / 1000),
    observed,
    interrupted,
    smoke: await smokeTrace(run),
  };
}

/** The control: the same human steps, no crash. */
async function driveControl(run: CrashRehearsal): Promise<RunOutcome> {
  const since = Date.now();
  await startCutover(run);
  await run.waitFor('go-live holding', holding('go-live'));
  await approveGoLive(run, 'lara');
  await approveGoLive(run, 'erin');
  await run.waitFor('debrief holding', holding('debrief'));
  await rollForward(run);
  return outcome(run, await finishPostLaunch(run), since);
}

/**
 * Kills in the config diff, the sandbox jobs pause and the webhook smoke test, then at the go-live gate
 * after one approval; the server restarts while the gate holds.
 */
async function driveCrashesA(run: CrashRehearsal): Promise<RunOutcome> {
  const since = Date.now();
  const observed: Record<string, unknown> = {};
  const interrupted: PendingActivity[] = [];
  await run.setLatency(SLOW_PAYCA_MS);

  interrupted.push(...(await killDuring(run, 'the T-24h config diff', { cutover: ['diffProgramConfig'] }, () => startCutover(run))));
  await run.setLatency(0);
  run.startWorker();

  // Once the schedule's prior state is in the heartbeat, the HTTP job's status read is in flight at the relay.
  interrupted.push(
    ...(await killDuring(run, 'the T-2h sandbox jobs pause', { cutover: ['pauseSandboxJobs'], afterHeartbeat: true, inFlightMs: 0 })),
  );
  await run.setLatency(SLOW_PAYCA_MS);
  run.startWorker();

  await run.waitFor(
    'the webhook smoke test',
    (s) => s.currentStage === 'webhook-smoke-test' && stage(s, 'webhook-smoke-test').status === 'running',
  );
  interrupted.push(
    ...(await killDuring(run, 'the T-1h webhook smoke test', { cutover: ['ensureWebhookSubscription', 'sendTestWebhook'] })),
  );
  await run.setLatency(0);
  run.startWorker();

  await run.waitFor('go-live holding', holding('go-live'));
  await approveGoLive(run, 'lara');
  await run.killWorker();
  run.startWorker();
  observed.approvalsAfterKill = approvers(await run.waitFor('go-live readable again', holding('go-live')), 'go-live');
  await run.restartServer();
  observed.approvalsAfterRestart = approvers(await run.waitFor('go-live readable after the restart', holding('go-live')), 'go-live');
  await approveGoLive(run, 'erin');

  await run.waitFor('debrief holding', holding('debrief'));
  await rollForward(run);
  return outcome(run, await finishPostLaunch(run), since, observed, interrupted);
}

/** Kills in the funding check and while the top-up is in flight; the server restarts while the ledger check runs. */
async function driveCrashesB(run: CrashRehearsal): Promise<RunOutcome> {
  const since = Date.now();
  const observed: Record<string, unknown> = {};
  const interrupted: PendingActivity[] = [];
  await run.setLatency(SLOW_PAYCA_MS);

  interrupted.push(...(await killDuring(run, 'the T-12h funding check', { cutover: ['checkFunding'] }, () => startCutover(run))));
  run.startWorker();

  interrupted.push(...(await killDuring(run, 'the go-live top-up', { cutover: ['topUpTestCard'] })));
  observed.topUpByKilledCall = await paycaShows(async () => (await smokeTrace(run)).topUps === 1);
  run.startWorker();

  await run.waitForActivity('the go-live ledger check', (p) => p.some((a) => a.type === 'verifyLedger' && a.started));
  await delay(IN_FLIGHT_MS);
  await run.restartServer();
  await run.setLatency(0);

  await run.waitFor('go-live holding', holding('go-live'));
  await approveGoLive(run, 'lara');
  await approveGoLive(run, 'erin');
  await run.waitFor('debrief holding', holding('debrief'));
  await rollForward(run);
  return outcome(run, await finishPostLaunch(run), since, observed, interrupted);
}

/**
 * Kills while the webhook subscription is created, while the test card is issued, while the debrief holds,
 * and in fee reconciliation with the watch's read.
 */
async function driveCrashesC(run: CrashRehearsal): Promise<RunOutcome> {
  const since = Date.now();
  const observed: Record<string, unknown> = {};
  const interrupted: PendingActivity[] = [];
  await run.setLatency(SLOW_PAYCA_MS);

  // The first subscription check finds none: past its listing (one slow answer), its POST is in flight.
  const subscriptionPost = { cutover: ['ensureWebhookSubscription'], inFlightMs: SLOW_PAYCA_MS + IN_FLIGHT_MS };
  interrupted.push(...(await killDuring(run, 'the webhook subscription POST', subscriptionPost, () => startCutover(run))));
  observed.subscriptionCreatedByKilledCall = await paycaShows(async () => (await run.payca.counters()).webhookSubscriptionsCreated === 1);
  run.startWorker();

  interrupted.push(...(await killDuring(run, 'the go-live card issue', { cutover: ['issueTestCard'] })));
  observed.cardIssuedByKilledCall = await paycaShows(async () => (await smokeTrace(run)).cards.length === 1);
  await run.setLatency(0);
  run.startWorker();

  await run.waitFor('go-live holding', holding('go-live'));
  await approveGoLive(run, 'lara');
  await approveGoLive(run, 'erin');
  await run.waitFor('debrief holding', holding('debrief'));
  await run.killWorker();
  run.startWorker();
  await run.setLatency(SLOW_PAYCA_MS);
  // At 720× the watch reads its intervals in batches (post-launch-watch.ts), one activity for several.
  const feesAndWatch = { cutover: ['reconcileDayFees'], watch: ['readWatchMetrics', 'readWatchMetricsWindows'] };
  interrupted.push(...(await killDuring(run, 'fee reconciliation and the watch’s metrics read', feesAndWatch, () => rollForward(run))));
  await run.setLatency(0);
  run.startWorker();
  return outcome(run, await finishPostLaunch(run), since, observed, interrupted);
}

/** What must come out the same with or without crashes. */
function ending(status: CutoverStatus) {
  return {
    phase: status.phase,
    stages: status.stages.map((s) => ({
      id: s.id,
      status: s.status,
      attempts: s.attempts,
      problems: s.problems,
      approvals: s.approvals.map((a) => `${a.by}:${a.decision}`),
    })),
    checklist: Object.fromEntries(status.checklist.map((i) => [i.id, i.status])),
    watch: status.watch?.status,
  };
}

/** Side effects at PayCA and in the sandbox, and what the cutover recorded for roll-back: a retried call must change none. */
function sideEffects(r: RunOutcome) {
  const c = r.counters;
  return {
    cardsIssued: c.cardsIssued,
    cardsClosed: c.cardsClosed,
    topUps: c.topUps,
    ledgerEntries: c.ledgerEntries,
    webhookSubscriptionsCreated: c.webhookSubscriptionsCreated,
    webhookSubscriptionsDeleted: c.webhookSubscriptionsDeleted,
    sandboxJobChanges: r.sandboxCounters.jobChanges,
    smokeTest: r.smoke,
    sandboxJobsPriorState: stage(r.status, 'disable-sandbox-jobs').evidence.jobs,
    subscriptionsRollBackWouldRemove: subscriptionsCreated(r.status),
  };
}

/**
 * Subscriptions the cutover says it created (the readiness check or the T-1h stage, whichever found none):
 * a roll-back removes exactly these, so a crash must not turn "created" into "found".
 */
function subscriptionsCreated(status: CutoverStatus): number {
  type Proof = { subscription?: { created?: boolean } } | undefined;
  const readiness = status.checklist.find((i) => i.id === 'sync-webhooks')?.evidence as Proof;
  const smokeTest = stage(status, 'webhook-smoke-test').evidence as Proof;
  return [readiness, smokeTest].filter((proof) => proof?.subscription?.created === true).length;
}

/** A promise that never rejects unobserved: the test that needs it awaits it and rethrows. */
function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

async function valueOf<T>(settled: Promise<{ value?: T; error?: unknown }>): Promise<T> {
  const { value, error } = await settled;
  if (error !== undefined) throw error as Error;
  return value as T;
}

describe('cutover crash recovery on the dev server', function () {
  this.timeout(300_000);
  const rehearsals: CrashRehearsal[] = [];
  type RunName = 'control' | 'a' | 'b' | 'c';
  const drivers: Record<RunName, (run: CrashRehearsal) => Promise<RunOutcome>> = {
    control: driveControl,
    a: driveCrashesA,
    b: driveCrashesB,
    c: driveCrashesC,
  };
  const names = Object.keys(drivers) as RunName[];
  const rehearsal = {} as Record<RunName, CrashRehearsal>;
  const runs = {} as Record<RunName, Promise<{ value?: RunOutcome; error?: unknown }>>;

  before(async () => {
    const started = await Promise.allSettled(names.map((name) => CrashRehearsal.start(name, freshWorkflowId(`crash-${name}`))));
    started.forEach((result, n) => {
      if (result.status !== 'fulfilled') return;
      rehearsals.push(result.value);
      rehearsal[names[n] as RunName] = result.value;
    });
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (const name of names) runs[name] = settle(drivers[name](rehearsal[name]));
  });

  after(async () => {
    await Promise.all(Object.values(runs));
    await Promise.all(rehearsals.map((r) => r.close()));
  });

  /** The crashed run ended as the control did, and every activity a kill interrupted ran again to its end. */
  async function endsAsTheControl(name: RunName, killedIn: (string | string[])[]): Promise<RunOutcome> {
    const [expected, actual] = await Promise.all([valueOf(runs.control), valueOf(runs[name])]);
    assert.deepEqual(ending(actual.status), ending(expected.status));
    const run = rehearsal[name];
    // Each entry names the call a kill landed in, or the calls it may land in when timing decides.
    const types = new Set(actual.interrupted.map((a) => a.type));
    const options = killedIn.map((entry) => (Array.isArray(entry) ? entry : [entry]));
    for (const one of options)
      assert.ok(
        one.some((type) => types.has(type)),
        `a kill landed in ${one.join(' or ')}; interrupted: ${[...types].join(', ')}`,
      );
    for (const type of types)
      assert.ok(
        options.some((one) => one.includes(type)),
        `no kill was meant for ${type}`,
      );
    for (const activity of actual.interrupted) {
      const finished = (await run.finalAttempts(activity.workflowId)).get(activity.activityId);
      assert.ok(
        finished && finished.attempt > 1,
        `${activity.type} (${activity.activityId}) ran again after the kill: ${JSON.stringify(finished)}`,
      );
    }
    return actual;
  }

  const attemptedTwice = async (run: CrashRehearsal, workflowId: string) =>
    [...(await run.finalAttempts(workflowId)).values()].filter((a) => a.attempt > 1).map((a) => a.type);

  it('completes the control cutover with every stage passed and no activity attempted twice', async () => {
    const { status } = await valueOf(runs.control);
    assert.equal(status.phase, 'completed');
    assert.deepEqual(
      status.stages.map((s) => s.status),
      status.stages.map(() => 'passed'),
    );
    assert.equal(rehearsal.control.kills(), 0);
    // The same reading that proves the crashed runs' retries finds none here.
    const { control } = rehearsal;
    assert.deepEqual(await attemptedTwice(control, control.workflowId), []);
    assert.deepEqual(await attemptedTwice(control, `${control.workflowId}.watch`), []);
  });

  it('ends as the control does when the worker dies in the config diff, the sandbox jobs pause, the webhook smoke test and at the go-live gate, and the server restarts at the gate', async () => {
    const actual = await endsAsTheControl('a', ['diffProgramConfig', 'pauseSandboxJobs', ['ensureWebhookSubscription', 'sendTestWebhook']]);
    assert.equal(rehearsal.a.kills(), 4);
    assert.deepEqual(actual.observed.approvalsAfterKill, ['lara'], 'the go-live approval given before the kill is kept');
    assert.deepEqual(actual.observed.approvalsAfterRestart, ['lara'], 'and kept across the server restart');
    assert.equal(rehearsal.a.events.filter((e) => e.kind === 'server restarted').length, 1);
  });

  it('ends as the control does when the worker dies in the funding check and mid top-up, and the server restarts mid-activity', async () => {
    const actual = await endsAsTheControl('b', ['checkFunding', 'topUpTestCard']);
    assert.equal(rehearsal.b.kills(), 2);
    assert.equal(
      actual.observed.topUpByKilledCall,
      true,
      'the top-up was made by the call the kill interrupted, so the retry had to replay it',
    );
    assert.equal(rehearsal.b.events.filter((e) => e.kind === 'server restarted').length, 1);
  });

  it('ends as the control does when the worker dies mid subscription create, mid card issue, at the debrief hold, and in fee reconciliation during the watch', async () => {
    const actual = await endsAsTheControl('c', ['ensureWebhookSubscription', 'issueTestCard', 'reconcileDayFees', 'readWatchMetrics']);
    assert.equal(rehearsal.c.kills(), 4);
    assert.equal(actual.observed.subscriptionCreatedByKilledCall, true, 'the subscription was created by the call the kill interrupted');
    assert.equal(
      actual.observed.cardIssuedByKilledCall,
      true,
      'the card was issued by the call the kill interrupted, so the retry had to replay it',
    );
  });

  it('issues no second card, top-up, webhook subscription or sandbox job change after any crash', async () => {
    const expected = await valueOf(runs.control);
    const crashed = { a: await valueOf(runs.a), b: await valueOf(runs.b), c: await valueOf(runs.c) };
    note(
      (['control', 'a', 'b', 'c'] as const)
        .map((name) => `      ${summaryLine(name, rehearsal[name], name === 'control' ? expected : crashed[name])}`)
        .join('\n'),
    );
    assert.deepEqual(expected.smoke, { cards: ['closed'], topUps: 1 }, 'control: one smoke-test card, topped up once and closed');
    const effects = (pick: (name: 'a' | 'b' | 'c') => RunOutcome) => ({
      a: sideEffects(pick('a')),
      b: sideEffects(pick('b')),
      c: sideEffects(pick('c')),
    });
    assert.deepEqual(
      effects((name) => crashed[name]),
      effects(() => expected),
    );
    // The kills in the card issue and the top-up interrupted POSTs PayCA carried out: their retries were replays.
    for (const name of ['b', 'c'] as const) {
      assert.ok(
        crashed[name].counters.idempotentReplays > expected.counters.idempotentReplays,
        `${name}: the retried POST was answered by replay`,
      );
    }
  });
});

function summaryLine(name: string, run: CrashRehearsal, r: RunOutcome): string {
  const events = run.events.map((e) => `${e.kind} at ${e.second}s`).join(', ') || 'no crash';
  const c = r.counters;
  return `${name}: ${r.wallSeconds}s (${events}); cards ${c.cardsIssued}, top-ups ${c.topUps}, subscriptions ${c.webhookSubscriptionsCreated}, sandbox job changes ${r.sandboxCounters.jobChanges}, replays ${c.idempotentReplays}`;
}
