import assert from 'node:assert/strict';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createPaycaClients } from '../src/activities/payca-clients.js';
import { readStatus } from '../src/operations/read-status.js';
import { freePort, isPortFree } from '../src/dev/ports.js';
import { loadPlanFile } from '../src/plan/load.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { openRequiredItems } from '../src/workflows/checklist-rules.js';
import type { ChecklistItemState, CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import { STAGE_IDS } from '../src/runbook/stages.js';
import { CLI, EXAMPLE_PLAN as EXAMPLE, ROOT, type CliResult, itRefusesUsage, runCli } from './helpers/cli.js';
import { useCliStack } from './helpers/cli-stack.js';
import { writeHeldRestorePlan } from './helpers/held-restore-plan.js';

let runCounter = 0;
function freshId(prefix: string): string {
  runCounter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${runCounter}`;
}

describe('cutover CLI on the dev server', function () {
  this.timeout(240_000);
  const notifications: string[] = [];
  const world = useCliStack('cli', { notifyWrite: (line) => notifications.push(line) });
  let plan: CutoverPlan;

  const cutover = (args: string[], env?: NodeJS.ProcessEnv) => world.cutover(args, env);

  async function waitFor(workflowId: string, what: string, done: (status: CutoverStatus) => boolean, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    let last: CutoverStatus | undefined;
    while (Date.now() < deadline) {
      last = await readStatus(world.stack.client, workflowId);
      if (done(last)) return last;
      await delay(250);
    }
    assert.fail(`${workflowId} never reached "${what}"; last status: ${JSON.stringify(last, null, 2)}`);
  }

  const stage = (status: CutoverStatus, id: string) => status.stages.find((s) => s.id === id) as StageState;
  const holdingAt = (id: string) => (status: CutoverStatus) => stage(status, id).status === 'holding';

  const item = (status: CutoverStatus, id: string) => status.checklist.find((i) => i.id === id) as ChecklistItemState;
  const checked = (i: ChecklistItemState) => i.kind === 'attested' || !!i.postLaunch || ['done', 'failed', 'waived'].includes(i.status);

  /**
   * Closes the launch checklist through the CLI, as its people would: once the worker's checks have run,
   * each required attested item is completed by the first person of its owning role, and the one check
   * the local stack cannot pass is waived by the lead. Optional items stay open: they never block go/no-go.
   */
  async function closeChecklist(workflowId: string, extraFlags: string[] = []): Promise<CutoverStatus> {
    const ready = await waitFor(workflowId, 'every automated check has run', (s) => s.checklist.every(checked));
    const failed = ready.checklist.filter((i) => i.status === 'failed');
    assert.deepEqual(
      failed.map((i) => i.id),
      ['webhook-endpoint-tls'],
      `only the TLS check fails against the plain-http receiver: ${JSON.stringify(failed.map((i) => [i.id, i.problems]))}`,
    );
    const commands = ready.checklist.flatMap((i): string[][] => {
      if (i.status === 'failed') {
        return [['waive', workflowId, i.id, '--as', 'lara', '--reason', 'local stack: the receiver has no TLS']];
      }
      const owner = plan.approvers[i.owner]?.[0];
      if (i.kind !== 'attested' || i.optional || i.postLaunch || i.status !== 'open' || !owner) return [];
      return [['complete', workflowId, i.id, '--as', owner, '--evidence', `${i.id}: checked in the CLI test`]];
    });
    const results = await Promise.all(commands.map((args) => cutover([...args, ...extraFlags])));
    results.forEach((result, n) => assert.equal(result.code, 0, `cutover ${(commands[n] ?? []).join(' ')}: ${result.stderr}`));
    return waitFor(workflowId, 'no required readiness item open', (s) => openRequiredItems(s).size === 0);
  }

  /** After roll-forward, CX reviews support tickets and the lead books the retro, through the CLI. */
  async function completePostLaunchItems(workflowId: string, extraFlags: string[] = []): Promise<void> {
    for (const [id, person] of [
      ['support-ticket-review', 'carlos'],
      ['retro-scheduled', 'lara'],
    ] as const) {
      const result = await cutover([
        'complete',
        workflowId,
        id,
        '--as',
        person,
        '--evidence',
        `${id}: done in the CLI test`,
        ...extraFlags,
      ]);
      assert.equal(result.code, 0, result.stderr);
    }
  }

  /** Starts a cutover whose go-live is a few seconds of wall time ahead: earlier stages run at once. */
  async function startFastCutover(workflowId: string, planFile = world.planFile): Promise<CliResult> {
    return cutover(['start', planFile, '--id', workflowId, '--go-live', '+1h', '--time-scale', '720', '--as', 'lara']);
  }

  before(async () => {
    plan = await loadPlanFile(world.planFile);
  });

  describe('starting a cutover', () => {
    it('refuses a go-live that has passed, saying what would run at once, and starts nothing', async () => {
      const workflowId = freshId('cli-past');
      const result = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '2026-01-01T09:00:00Z', '--as', 'lara']);
      assert.equal(result.code, 1, result.stdout);
      assert.match(
        result.stderr,
        /go-live 2026-01-01T09:00:00.000Z is .* in the past: starting now would run every stage that is due at once/,
      );
      assert.match(result.stderr, /--go-live-passed to start anyway/);
      const status = await cutover(['status', workflowId]);
      assert.equal(status.code, 1);
      assert.match(status.stderr, new RegExp(`no cutover with id ${workflowId}`));
    });

    it('starts with --go-live-passed and keeps who confirmed it in the start details', async () => {
      const workflowId = freshId('cli-past-confirmed');
      const result = await cutover([
        'start',
        world.planFile,
        '--id',
        workflowId,
        '--go-live',
        new Date(Date.now() - 60_000).toISOString(),
        '--go-live-passed',
        '--as',
        'lara',
      ]);
      try {
        assert.equal(result.code, 0, result.stderr);
        assert.match(
          result.stderr,
          /in the past; stages that are due already run at once \(--go-live-passed, recorded as confirmed by lara\)/,
        );
        const details = await (await world.stack.client.workflow.getHandle(workflowId).describe()).staticDetails();
        assert.match(details ?? '', /Go-live had passed at start:\*\* confirmed by lara with --go-live-passed/);
      } finally {
        await world.stack.client.workflow
          .getHandle(workflowId)
          .terminate('test over')
          .catch(() => undefined);
      }
    });

    it("is refused when the worker does not allow the plan's PayCA host, naming the worker's setting; the run ends before any call", async () => {
      const workflowId = freshId('cli-target');
      const file = parseYaml(await readFile(world.planFile, 'utf8')) as { payca: { production: { baseUrl: string } } };
      file.payca.production.baseUrl = 'https://payca.attacker.example/v1';
      const dir = await mkdtemp(join(tmpdir(), 'cutover-target-'));
      const planFile = join(dir, 'elsewhere.yaml');
      await writeFile(planFile, stringifyYaml(file));
      try {
        const result = await cutover(['start', planFile, '--id', workflowId, '--go-live', '+25h', '--as', 'lara']);
        assert.equal(result.code, 1, result.stdout);
        assert.match(
          result.stderr,
          new RegExp(`the worker refused the plan's targets, so cutover ${workflowId} ended at its start before any call`),
        );
        assert.match(
          result.stderr,
          /PAYCA_TARGET_NOT_ALLOWED: this worker sends production PayCA credentials only to loopback hosts, and the plan names https:\/\/payca\.attacker\.example: set PAYCA_PRODUCTION_BASE_URLS/,
        );
        assert.match(result.stderr, /start again with --new-run/);
        assert.doesNotMatch(result.stdout, /started cutover/);
        const ended = await readStatus(world.stack.client, workflowId);
        assert.equal(ended.phase, 'aborted');
        assert.equal(ended.abort?.by, 'worker');
        assert.equal(ended.targetCheck?.state, 'refused');
        assert.deepEqual(new Set(ended.stages.map((s) => s.status)), new Set(['skipped']));
        assert.ok(
          ended.checklist.every((item) => item.attempts === 0),
          'no readiness check ran',
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses an id whose run was terminated unless --new-run is given', async () => {
      const workflowId = freshId('cli-reused');
      const first = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '+25h', '--as', 'lara']);
      assert.equal(first.code, 0, first.stderr);
      const handle = world.stack.client.workflow.getHandle(workflowId);
      const { runId: firstRun } = await handle.describe();
      await handle.terminate('ended from outside');
      const again = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '+25h', '--as', 'lara']);
      assert.equal(again.code, 1, again.stdout);
      assert.match(again.stderr, new RegExp(`a cutover with id ${workflowId} already ran and ended terminated at `));
      assert.match(again.stderr, /Pass --new-run to start a new run under the same id, or --id for another/);
      assert.equal((await handle.describe()).runId, firstRun, 'the refused start left the terminated run as the latest');
      const newRun = await cutover(['start', world.planFile, '--id', workflowId, '--go-live', '+25h', '--new-run', '--as', 'lara']);
      assert.equal(newRun.code, 0, newRun.stderr);
      const latest = await handle.describe();
      assert.notEqual(latest.runId, firstRun);
      assert.match((await latest.staticDetails()) ?? '', /New run:\*\* started with --new-run/);
      await handle.terminate('test over');
    });
  });

  describe('a cutover driven through updates', () => {
    const workflowId = freshId('cli-updates');
    let authorizationId = '';

    it('starts a cutover and prints its id and Web UI link', async () => {
      const result = await startFastCutover(workflowId);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`started cutover ${workflowId}`));
      assert.ok(result.stdout.includes(`${world.stack.temporal.uiUrl}/namespaces/default/workflows/${workflowId}`), result.stdout);
    });

    it('refuses a second start with the same id and points at status', async () => {
      const result = await startFastCutover(workflowId);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`a cutover with id ${workflowId} is already running; use \`cutover status ${workflowId}\``));
    });

    it('refuses an approval from someone go-live does not await, naming who may approve', async () => {
      await waitFor(workflowId, 'go-live holding', holdingAt('go-live'));
      const result = await cutover(['approve', workflowId, 'go-live', '--as', 'olivia']);
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, /olivia \(Ops\) cannot approve go-live/);
      assert.match(result.stderr, /Programme lead \(lara\)/);
      assert.match(result.stderr, /Engineering \(erin, eli\)/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });

    it('refuses an approval for a stage that is not awaiting one', async () => {
      const result = await cutover(['approve', workflowId, 'funding-check', '--as', 'tomas']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /stage funding-check is not awaiting approval \(it is passed\)/);
    });

    it('refuses go/no-go while required readiness items are open, naming an open item and its owner', async () => {
      const result = await cutover(['approve', workflowId, 'go-live', '--as', 'lara', '--authorization-id', 'auth_cli_1']);
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stderr, /go\/no-go is refused while \d+ required readiness items are open/);
      assert.match(result.stderr, /CX: [^;)]*tier1-error-codes/);
      assert.match(result.stderr, /Compliance: [^;)]*legal-sign-off/);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      const status = await readStatus(world.stack.client, workflowId);
      assert.equal(stage(status, 'go-live').status, 'holding');
      assert.deepEqual(stage(status, 'go-live').approvals, []);
    });

    it('re-runs an automated check on retry-item', async () => {
      await waitFor(workflowId, 'bin-catalogue checked', (s) => item(s, 'bin-catalogue').status === 'done');
      const result = await cutover(['retry-item', workflowId, 'bin-catalogue', '--as', 'olivia']);
      assert.equal(result.code, 0, result.stderr);
      const again = await waitFor(
        workflowId,
        'bin-catalogue checked again',
        (s) => item(s, 'bin-catalogue').attempts === 2 && checked(item(s, 'bin-catalogue')),
      );
      assert.equal(item(again, 'bin-catalogue').status, 'done', JSON.stringify(item(again, 'bin-catalogue').problems));
    });

    it('closes the checklist: owners complete their items, the lead waives the check the local stack cannot pass', async () => {
      const closed = await closeChecklist(workflowId);
      assert.equal(item(closed, 'tier1-error-codes').status, 'done');
      assert.equal(item(closed, 'tier1-error-codes').completedBy, 'carlos');
      assert.equal(item(closed, 'webhook-endpoint-tls').status, 'waived');
      assert.equal(item(closed, 'webhook-endpoint-tls').waivedBy, 'lara');
      for (const id of ['cicd-env-vars', 'bin-catalogue', 'seed-card-records']) assert.equal(item(closed, id).status, 'done', id);
      assert.equal(item(closed, 'mutual-tls').status, 'done', 'mutual TLS is proven not required by the plan');
      assert.equal(item(closed, 'pci-segmentation').status, 'open', 'optional items may stay open');
    });

    it('passes go-live once the lead (with an authorization id) and Engineering approve', async () => {
      const unknown = await cutover(['approve', workflowId, 'go-live', '--as', 'lara', '--authorization-id', 'auth_never_made']);
      assert.equal(unknown.code, 1, unknown.stdout);
      assert.match(unknown.stderr, /authorization auth_never_made is not known to PayCA production/);
      authorizationId = (await runLowRiskAuthorization(world.stack.production.url)).id;
      const lead = await cutover(['approve', workflowId, 'go-live', '--as', 'lara', '--authorization-id', authorizationId]);
      assert.equal(lead.code, 0, lead.stderr);
      assert.match(lead.stdout, /approve accepted .*go-live still awaits Engineering/);
      const engineering = await cutover(['approve', workflowId, 'go-live', '--as', 'erin', '--note', 'smoke tests green']);
      assert.equal(engineering.code, 0, engineering.stderr);
      assert.match(engineering.stdout, /go-live is approved/);
      await waitFor(workflowId, 'go-live passed', (s) => stage(s, 'go-live').status === 'passed');
    });

    it('completes when the lead decides roll-forward at the debrief', async () => {
      await waitFor(workflowId, 'debrief holding', holdingAt('debrief'));
      const result = await cutover(['decide', workflowId, 'roll-forward', '--as', 'lara', '--reason', 'all green']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /rolling forward/);
      await waitFor(workflowId, 'the post-launch watch', (s) => s.phase === 'watching');
      await completePostLaunchItems(workflowId);
      await waitFor(workflowId, 'completed', (s) => s.phase === 'completed');
    });

    it('shows every stage passed in status --json', async () => {
      const result = await cutover(['status', workflowId, '--json']);
      assert.equal(result.code, 0, result.stderr);
      const status = JSON.parse(result.stdout) as CutoverStatus;
      assert.equal(status.workflowId, workflowId);
      assert.equal(status.phase, 'completed');
      assert.deepEqual(
        status.stages.map((s) => [s.id, s.status]),
        ['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test', 'go-live', 'debrief', 'fee-reconciliation'].map(
          (id) => [id, 'passed'],
        ),
      );
      const goLive = stage(status, 'go-live');
      assert.deepEqual(
        goLive.approvals.map((a) => [a.by, a.decision]),
        [
          ['lara', 'approved'],
          ['erin', 'approved'],
        ],
      );
      assert.equal(goLive.approvals[0]?.authorizationId, authorizationId);
    });

    it('prints a stage table for people', async () => {
      const result = await cutover(['status', workflowId]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /phase completed/);
      assert.match(result.stdout, /go-live\s+T\s+passed/);
      assert.match(result.stdout, /roll-forward decided by lara/);
    });

    it('lists it, also when filtered by phase', async () => {
      const all = await cutover(['list', '--json']);
      assert.equal(all.code, 0, all.stderr);
      const listed = (JSON.parse(all.stdout) as { workflowId: string; phase?: string }[]).find((l) => l.workflowId === workflowId);
      assert.ok(listed, all.stdout);
      assert.equal(listed.phase, 'completed');
      const completed = await cutover(['list', '--phase', 'completed']);
      assert.equal(completed.code, 0, completed.stderr);
      assert.ok(completed.stdout.includes(workflowId), completed.stdout);
      const holding = await cutover(['list', '--phase', 'holding', '--json']);
      assert.ok(!(JSON.parse(holding.stdout) as { workflowId: string }[]).some((l) => l.workflowId === workflowId));
    });

    it('issued and closed exactly the cards the seeding and one smoke test account for, and topped up once', async () => {
      const seeding = item(await readStatus(world.stack.client, workflowId), 'seed-card-records');
      assert.equal(seeding.status, 'done', JSON.stringify(seeding.problems));
      const evidence = seeding.evidence as { seeded: number; dryRun: unknown[] };
      // plans/data/seed-cards.csv holds 6 records; the plan dry-runs 2 of them first (issued, then closed).
      assert.deepEqual({ seeded: evidence.seeded, dryRun: evidence.dryRun.length }, { seeded: 6, dryRun: 2 });
      const res = await fetch(`${world.stack.production.url}/_sim/counters`);
      const counters = (await res.json()) as { cardsIssued: number; cardsClosed: number; topUps: number };
      assert.deepEqual(
        { issued: counters.cardsIssued, closed: counters.cardsClosed, topUps: counters.topUps },
        {
          issued: 6 + 2 + 1,
          closed: 2 + 1,
          topUps: 1,
        },
      );
    });

    it('says the cutover has finished when it gets another message', async () => {
      const result = await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'too late']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`cutover ${workflowId} has (finished|already ended)`));
    });
  });

  describe('a cutover driven through signals', () => {
    const workflowId = freshId('cli-signals');

    it('keeps a refused signal in the status and acts on valid ones', async () => {
      assert.equal((await startFastCutover(workflowId)).code, 0);
      await waitFor(workflowId, 'go-live holding', holdingAt('go-live'));

      const refused = await cutover(['approve', workflowId, 'go-live', '--as', 'olivia', '--signal']);
      assert.equal(refused.code, 0, refused.stderr);
      assert.match(refused.stdout, /as a signal.*refusal shows under Refusals/s);
      const withRefusal = await waitFor(workflowId, 'refusal recorded', (s) => s.refusals.length > 0);
      assert.equal(withRefusal.refusals[0]?.by, 'olivia');
      assert.equal(withRefusal.refusals[0]?.via, 'signal');

      await closeChecklist(workflowId, ['--signal']);
      for (const args of [
        ['--as', 'lara', '--authorization-id', (await runLowRiskAuthorization(world.stack.production.url)).id],
        ['--as', 'eli'],
      ]) {
        const sent = await cutover(['approve', workflowId, 'go-live', ...args, '--signal']);
        assert.equal(sent.code, 0, sent.stderr);
      }
      await waitFor(workflowId, 'go-live passed', (s) => stage(s, 'go-live').status === 'passed');

      const human = await cutover(['status', workflowId]);
      assert.match(human.stdout, /Refusals:\n.*approve go-live by olivia via signal/);

      const aborted = await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'rehearsal over', '--signal']);
      assert.equal(aborted.code, 0, aborted.stderr);
      await waitFor(workflowId, 'aborted', (s) => s.phase === 'aborted');
    });
  });

  /**
   * Earlier cutovers on this stack rolled forward, leaving the sandbox jobs paused and the production
   * subscription in place, as a live programme would. A roll-back test starts from a sandbox still running.
   */
  async function beforeAnyCutover(): Promise<void> {
    const enabled = await fetch(`${world.stack.sandbox.url}/_sim/jobs/sandbox-card-generator/enable`, { method: 'POST' });
    assert.equal(enabled.status, 200);
    const schedule = world.stack.client.schedule.getHandle('sandbox-settlement-replay');
    if ((await schedule.describe()).state.paused) await schedule.unpause('a fresh sandbox for the next test');
    const production = createPaycaClients({ credentials: { production: world.stack.production.credentials } }).get(
      'production',
      world.stack.production.url,
    );
    for (const subscription of (await production.listWebhooks()).body.data) await production.deleteWebhook(subscription.id);
  }

  describe('a cutover terminated at the go-live hold', () => {
    const workflowId = freshId('cli-terminated');
    before(beforeAnyCutover);
    const sandboxJob = async () => {
      const res = await fetch(`${world.stack.sandbox.url}/_sim/jobs/sandbox-card-generator`);
      return ((await res.json()) as { enabled: boolean }).enabled;
    };
    const scheduleIsPaused = async () => (await world.stack.client.schedule.getHandle('sandbox-settlement-replay').describe()).state.paused;
    const productionState = async () => {
      const res = await fetch(`${world.stack.production.url}/_sim/state`);
      return (await res.json()) as { cards: { id: string; status: string; externalRef: string }[]; subscriptions: { id: string }[] };
    };
    let seeded: string[] = [];

    it('refuses to undo a cutover that is still running: it undoes its own changes', async () => {
      // Its own programme, so its seeding keys are new: the earlier cutovers' roll-backs closed the cards
      // their keys issued, and PayCA would replay those instead of issuing cards this cutover could undo.
      const document = parseYaml(await readFile(world.planFile, 'utf8')) as Record<string, unknown>;
      const planFile = join(world.dataDir, 'terminated-plan.yaml');
      await writeFile(planFile, stringifyYaml({ ...document, programme: `${String(document['programme'])} terminated` }));
      assert.equal((await startFastCutover(workflowId, planFile)).code, 0);
      const held = await waitFor(workflowId, 'go-live holding', holdingAt('go-live'));
      assert.equal((item(held, 'seed-card-records').evidence as { seeded: number }).seeded, 6);
      // The workflow keeps no card ids: the seeded cards are the open ones PayCA holds for the CSV's references.
      seeded = (await productionState()).cards.filter((c) => /^ACME-\d{4}$/.test(c.externalRef) && c.status === 'active').map((c) => c.id);
      assert.equal(seeded.length, 6);
      const result = await cutover(['undo', workflowId, '--as', 'erin']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`cutover ${workflowId} is still running; it undoes its own changes: abort it`));
    });

    it('shows what it still owes once terminated, and `cutover undo` undoes it all, newest first', async () => {
      assert.equal(await sandboxJob(), false, 'T-2h paused the HTTP job');
      assert.equal(await scheduleIsPaused(), true, 'T-2h paused the schedule');
      await world.stack.client.workflow.getHandle(workflowId).terminate('operator ended it by hand');

      const status = await cutover(['status', workflowId]);
      assert.equal(status.code, 0, status.stderr);
      const owedFrom = status.stdout.slice(status.stdout.indexOf('Owed, not undone:'));
      // The section ends at the blank line before the next (the watch from T, still running, follows it).
      const owed = owedFrom.slice(0, (owedFrom.indexOf('\n\n') + 1 || owedFrom.length + 1) - 1) + '\n';
      assert.match(owed, /^Owed, not undone:\n/);
      assert.match(owed, /\n  restore-sandbox-jobs: sandbox-settlement-replay, sandbox-card-generator\n/);
      assert.match(owed, /\n  close-seeded-cards: 6 card\(s\)\n/);
      assert.match(owed, /\n  remove-webhook-subscription: \S+\n/);
      assert.match(status.stdout, new RegExp(`run \`cutover undo ${workflowId} --as NAME\``));

      const undo = await cutover(['undo', workflowId, '--as', 'erin']);
      assert.equal(undo.code, 0, undo.stderr);
      assert.match(undo.stdout, new RegExp(`undoing ${workflowId} as ${workflowId}.undo, owed by run \\S+ \\(TERMINATED\\)`));
      // The watch from T outlives the cutover's runs: undoing a terminated cutover ends it.
      assert.match(undo.stdout, new RegExp(`ended the post-launch watch ${workflowId}.watch`));
      assert.equal((await world.stack.client.workflow.getHandle(`${workflowId}.watch`).describe()).status.name, 'CANCELLED');
      assert.match(undo.stdout, /restore-sandbox-jobs: undone: restored sandbox-settlement-replay, sandbox-card-generator/);
      assert.match(undo.stdout, /close-seeded-cards: undone: closed 6 seeded cards/);
      assert.match(undo.stdout, /remove-webhook-subscription: undone/);
      assert.equal(await sandboxJob(), true);
      assert.equal(await scheduleIsPaused(), false);
      const state = await productionState();
      assert.deepEqual(
        seeded.map((id) => state.cards.find((c) => c.id === id)?.status),
        seeded.map(() => 'closed'),
      );
      const lines = [...undo.stdout.matchAll(/ ([a-z-]+): (?:undone|kept|done by hand|failed)/g)].map((m) => m[1]);
      const owedOrder = [...owed.matchAll(/\n  ([a-z-]+): /g)].map((m) => m[1]);
      assert.deepEqual(lines, owedOrder, 'undone in the order status lists them owed: newest first');
    });

    it('undoes only once: a second `cutover undo` shows the first one and changes nothing', async () => {
      const before = await fetch(`${world.stack.production.url}/_sim/counters`).then((r) => r.json());
      const again = await cutover(['undo', workflowId, '--as', 'eli']);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`already undoing ${workflowId} as ${workflowId}.undo`));
      assert.deepEqual(await fetch(`${world.stack.production.url}/_sim/counters`).then((r) => r.json()), before);
    });
  });

  describe('a cutover whose run was reset', () => {
    const workflowId = freshId('cli-reset');
    before(beforeAnyCutover);

    it('undoes, once its new run is aborted, what the earlier run changed and the new one did not know', async () => {
      assert.equal((await startFastCutover(workflowId)).code, 0);
      await waitFor(workflowId, 'go-live holding', holdingAt('go-live'));
      const first = world.stack.client.workflow.getHandle(workflowId);
      const firstRunId = (await first.describe()).runId;
      const events = (await first.fetchHistory()).events ?? [];
      const firstTask = events.find((e) => e.workflowTaskCompletedEventAttributes)?.eventId;
      await world.stack.client.workflowService.resetWorkflowExecution({
        namespace: world.stack.temporal.namespace,
        workflowExecution: { workflowId, runId: firstRunId },
        workflowTaskFinishEventId: firstTask,
        reason: 'replay the cutover from its start',
        requestId: randomUUID(),
      });
      // The new run finds the jobs already paused and the subscription already there: it owes neither.
      await waitFor(workflowId, 'the new run at the go-live hold', holdingAt('go-live'));
      const refused = await cutover(['undo', workflowId, '--as', 'erin']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /was reset and its new run is still running; that run undoes only what it changed itself/);

      assert.equal((await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'start again next week'])).code, 0);
      const aborted = await waitFor(workflowId, 'aborted', (s) => s.phase === 'aborted');
      assert.equal(aborted.compensations.find((c) => c.step === 'restore-sandbox-jobs')?.detail, 'restored none (all were paused before)');
      // The first run's watch from T held the watch's id; the new run cancelled it, watched with its own and ended that.
      assert.equal(aborted.watch?.status, 'ended-early');
      const watchRuns = world.stack.client.workflow.list({ query: `WorkflowId = '${workflowId}.watch'` });
      const closedAs: string[] = [];
      for await (const run of watchRuns) closedAs.push(run.status.name);
      assert.deepEqual(closedAs.sort(), ['CANCELLED', 'COMPLETED']);
      assert.equal(
        await fetch(`${world.stack.sandbox.url}/_sim/jobs/sandbox-card-generator`).then(
          async (r) => ((await r.json()) as { enabled: boolean }).enabled,
        ),
        false,
      );

      const undo = await cutover(['undo', workflowId, '--as', 'erin']);
      assert.equal(undo.code, 0, undo.stderr);
      assert.match(undo.stdout, new RegExp(`owed by run ${firstRunId} \\(TERMINATED\\)`));
      assert.match(undo.stdout, /restore-sandbox-jobs: undone: restored sandbox-settlement-replay, sandbox-card-generator/);
      assert.match(undo.stdout, /remove-webhook-subscription: undone/);
      assert.equal(
        await fetch(`${world.stack.sandbox.url}/_sim/jobs/sandbox-card-generator`).then(
          async (r) => ((await r.json()) as { enabled: boolean }).enabled,
        ),
        true,
      );
      assert.equal((await world.stack.client.schedule.getHandle('sandbox-settlement-replay').describe()).state.paused, false);
      const production = createPaycaClients({ credentials: { production: world.stack.production.credentials } }).get(
        'production',
        world.stack.production.url,
      );
      assert.deepEqual((await production.listWebhooks()).body.data, []);
    });
  });

  describe('a roll-back step that fails past its budget', () => {
    const workflowId = freshId('cli-held');
    before(beforeAnyCutover);

    it('holds for Engineering, shows it in status, and takes `cutover compensation done` with evidence', async () => {
      const planFile = await writeHeldRestorePlan(world);
      const started = await cutover(['start', planFile, '--id', workflowId, '--go-live', '+1h', '--time-scale', '720', '--as', 'lara']);
      assert.equal(started.code, 0, started.stderr);
      await waitFor(workflowId, 'T-2h passed', (s) => stage(s, 'disable-sandbox-jobs').status === 'passed');
      const aborted = await cutover(['abort', workflowId, '--as', 'lara', '--reason', 'rehearsal over']);
      assert.equal(aborted.code, 0, aborted.stderr);
      await waitFor(workflowId, 'the restore to hold', (s) => s.compensations.some((c) => c.status === 'held'));

      const status = await cutover(['status', workflowId]);
      assert.match(status.stdout, /phase holding/);
      assert.match(
        status.stdout,
        new RegExp(
          `Holding:\\n(.*\\n)*  roll-back step restore-sandbox-jobs: SandboxJobUnreachable: could not enable sandbox job sandbox-card-generator .*awaiting engineering \\(erin\\|eli\\): \`cutover compensation retry\\|done ${workflowId} restore-sandbox-jobs\``,
        ),
      );
      const stranger = await cutover(['compensation', 'retry', workflowId, 'restore-sandbox-jobs', '--as', 'olivia']);
      assert.equal(stranger.code, 1);
      assert.match(stranger.stderr, /olivia cannot answer the held compensation restore-sandbox-jobs/);
      const unknownStep = await cutover(['compensation', 'done', workflowId, 'restore-jobs', '--evidence', 'x', '--as', 'erin']);
      assert.equal(unknownStep.code, 2);
      assert.match(unknownStep.stderr, /unknown compensation step "restore-jobs"/);

      const done = await cutover([
        'compensation',
        'done',
        workflowId,
        'restore-sandbox-jobs',
        '--evidence',
        'enabled from the sandbox console, OPS-981',
        '--as',
        'erin',
      ]);
      assert.equal(done.code, 0, done.stderr);
      assert.match(done.stdout, /restore-sandbox-jobs is recorded as done by hand by erin/);
      await waitFor(workflowId, 'aborted', (s) => s.phase === 'aborted');
      const report = await cutover(['report', workflowId, '--format', 'md']);
      assert.equal(report.code, 0, report.stderr);
      assert.match(
        report.stdout,
        /\| `restore-sandbox-jobs` \| done-by-hand \| done by hand by erin, evidence: enabled from the sandbox console, OPS-981 after holding once/,
      );
    });
  });

  describe('bad input', () => {
    const cases: { args: string[]; says: RegExp }[] = [
      {
        args: ['approve', 'some-id', 'launch', '--as', 'lara'],
        says: /stage "launch" is not valid: must be one of config-diff, .*debrief/,
      },
      { args: ['decide', 'some-id', 'maybe', '--as', 'lara', '--reason', 'x'], says: /must be one of roll-forward, roll-back/ },
      { args: ['approve', 'some-id', 'go-live'], says: /required option '--as <who>'/ },
      { args: ['reject', 'some-id', 'go-live', '--as', 'lara'], says: /required option '--reason <text>'/ },
      { args: ['start', EXAMPLE, '--go-live', 'tomorrow'], says: /--go-live "tomorrow" is not valid/ },
      { args: ['start', EXAMPLE, '--time-scale', 'fast'], says: /--time-scale "fast" is not valid/ },
      { args: ['list', '--phase', 'sleeping'], says: /--phase "sleeping" is not valid/ },
      { args: ['launch'], says: /unknown command 'launch'/ },
      {
        args: ['incident', 'some-id', '--severity', 'sev9', '--summary', 'x', '--as', 'lara'],
        says: /--severity "sev9" is not valid: must be one of sev1, sev2, sev3/,
      },
      { args: ['incident', 'some-id', '--severity', 'sev2', '--as', 'lara'], says: /required option '--summary <text>'/ },
      { args: ['status'], says: /missing required argument 'id'/ },
    ];
    itRefusesUsage(cases, (args) => cutover(args));

    it('exits 1 naming an unknown cutover id', async () => {
      for (const args of [
        ['status', 'no-such-cutover'],
        ['approve', 'no-such-cutover', 'go-live', '--as', 'lara'],
      ]) {
        const result = await cutover(args);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /no cutover with id no-such-cutover; `cutover list` shows them/);
      }
    });

    it('exits 1 when Temporal is unreachable, saying how to start one', async () => {
      const port = await freePort();
      const result = await cutover(['status', 'anything'], { ...world.cliEnv, TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
      assert.equal(result.code, 1);
      assert.match(result.stderr, new RegExp(`cannot reach Temporal at 127.0.0.1:${port}.*cutover dev`));
    });
  });

  describe('the local stack as a process', () => {
    async function randomPortFlags(): Promise<string[]> {
      const flags = ['--temporal-port', '--ui-port', '--sim-port', '--sandbox-sim-port', '--receiver-port', '--room-port'];
      const ports: string[] = [];
      for (const flag of flags) ports.push(flag, String(await freePort()));
      return ports;
    }

    it('`cutover dev` serves until Ctrl-C, then stops the Temporal server with it', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cutover-dev-'));
      const flags = await randomPortFlags();
      const temporalPort = Number(flags[1]);
      const child = spawn(process.execPath, [CLI, 'dev', '--no-worker', '--data-dir', dir, ...flags], { cwd: ROOT, env: world.cliEnv });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      try {
        const deadline = Date.now() + 90_000;
        while (!output.includes('ready:') && Date.now() < deadline && child.exitCode === null) await delay(200);
        assert.match(output, /ready:/, output);
        assert.match(output, new RegExp(`export TEMPORAL_ADDRESS=127.0.0.1:${temporalPort}`));
        assert.match(output, /x-client-id sim-production-client/);
        // The room beside the UI, signing in the example plan's people through the development provider.
        const roomUrl = /Room\s+(http:\/\/localhost:\d+)\s+the cutover room: sign in as lara, olivia, tomas, erin, eli/.exec(output)?.[1];
        assert.ok(roomUrl, output);
        assert.match(
          output,
          /through the development identity provider at http:\/\/127\.0\.0\.1:\d+ \(for this machine only: no password\)/,
        );
        const signIn = await fetch(roomUrl);
        assert.equal(signIn.status, 200);
        assert.match(await signIn.text(), /Sign in with your organisation's account/);
        const provider = await fetch(new URL('/login', roomUrl), { redirect: 'manual' });
        assert.equal(provider.status, 303, 'the room sends the browser to the development provider');

        const listed = await cutover(['list', '--json'], { ...world.cliEnv, TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}` });
        assert.equal(listed.code, 0, listed.stderr);
        assert.deepEqual(JSON.parse(listed.stdout), []);

        child.kill('SIGINT');
        assert.equal(await exited, 0, output);
        assert.match(output, /local stack stopped/);
        assert.ok(await isPortFree('127.0.0.1', temporalPort), 'the Temporal dev server is gone with it');
      } finally {
        // On a failed assertion, still stop it the clean way so its Temporal server does not outlive the test.
        if (child.exitCode === null) {
          child.kill('SIGINT');
          await Promise.race([exited, delay(20_000)]);
        }
        if (child.exitCode === null) child.kill('SIGKILL');
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('`cutover demo --exit` runs the example cutover to completion and exits 0', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cutover-demo-'));
      try {
        const flags = await randomPortFlags();
        const result = await new Promise<CliResult>((done) => {
          execFile(
            process.execPath,
            [CLI, 'demo', '--exit', '--time-scale', '5000', '--data-dir', dir, '--report-dir', dir, ...flags],
            { cwd: ROOT, env: world.cliEnv, timeout: 150_000 },
            (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
          );
        });
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.match(result.stdout, /config-diff passed \(\d+ differences?, all allowed\)/);
        assert.match(
          result.stdout,
          /Room\s+http:\/\/localhost:\d+\s+the cutover room: sign in as lara/,
          'the demo prints the room beside the UI',
        );
        assert.match(result.stdout, /→ lara \(lead\) approves go-live/);
        assert.match(result.stdout, /→ erin \(engineering\) approves go-live/);
        assert.match(result.stdout, /→ lara \(lead\) decides roll-forward/);
        assert.match(
          result.stdout,
          /readiness: cicd-env-vars FAILED: FEATURE_CARD_ISSUING is in the sandbox file but not in the production file/,
        );
        assert.match(
          result.stdout,
          /→ dana \(DevOps\) adds FEATURE_CARD_ISSUING=on to \S+production\.env\n→ dana \(DevOps\) re-runs cicd-env-vars/,
        );
        assert.match(result.stdout, /readiness: cicd-env-vars done/);
        assert.match(result.stdout, /→ carlos \(CX\) completes tier1-error-codes: \S/);
        assert.match(result.stdout, /→ lara \(Programme lead\) waives webhook-endpoint-tls: local stack: the receiver has no TLS/);
        const closed = result.stdout.indexOf('readiness: every required item is done or waived');
        assert.ok(
          closed !== -1 && closed < result.stdout.indexOf('→ lara (lead) approves go-live'),
          'the checklist closes before go/no-go',
        );
        assert.doesNotMatch(result.stdout, /refused/);
        assert.match(result.stdout, /checklist: 31 of 31 done or waived/);
        assert.match(result.stdout, /→ injecting a webhook failure burst/);
        assert.equal(result.stdout.match(/watch: ALERT sev2 webhook-failure-rate opened/g)?.length, 1, 'the alert opens once');
        assert.equal(result.stdout.match(/watch: webhook-failure-rate recovered/g)?.length, 1, 'and recovers once');
        assert.match(result.stdout, /fee-reconciliation passed/);
        assert.match(result.stdout, /ends the post-launch watch early: rehearsal/);
        const report = /launch report: (\S+\.launch-report\.md)/.exec(result.stdout)?.[1];
        assert.ok(report, 'the demo names its launch report');
        assert.ok(resolve(ROOT, report).startsWith(dir), `the report is written where --report-dir says: ${report}`);
        const markdown = await readFile(resolve(ROOT, report), 'utf8');
        assert.match(markdown, /^## Alerts$/m);
        assert.match(markdown, /webhook-failure-rate/);
        // The example plan takes signed answers only: the demo's people answer through the room's development key.
        assert.match(
          markdown,
          /\| `go-live` \| 1 \| approved \| lara \| Programme lead \|.*\| room: lara at urn\\?:cutover\\?:demo\\?:scripted-people \|/,
        );
        assert.doesNotMatch(markdown, /\| name only \|/);
        // Beside it, the HTML report with the watch's charts and the simulator's dashboard as the worker saw it.
        const html = await readFile(resolve(ROOT, report.replace(/\.md$/, '.html')), 'utf8');
        assert.equal(html.match(/<figure class="chart"><svg /g)?.length, 4, 'four charts of the watch');
        assert.match(html, /<polyline class="series" data-series="failed deliveries"/);
        assert.match(html, /<img alt="PayCA simulator \(local stack\) at debrief" src="data:image\/png;base64,/);
        assert.match(html, /PayCA launch overview, at the debrief, [^<]*: no screenshot: net::ERR_NAME_NOT_RESOLVED/);
        // 6 seeded cards, 2 dry-run cards (closed again) and the go-live smoke-test card (closed).
        assert.match(result.stdout, /production simulator: 9 card\(s\) issued, 3 closed, 1 top-up\(s\)/);
        assert.match(
          result.stdout,
          new RegExp(`Temporal UI: http://localhost:${flags[3]}/namespaces/default/workflows/cutover-acme-prepaid-uk-demo-`),
        );
        assert.match(result.stdout, /the cutover completed/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

// Usage errors answer before anything talks to Temporal, so these need no server.
describe('cutover watch end|extend: usage errors (exit 2)', function () {
  this.timeout(30_000);
  itRefusesUsage([
    {
      args: ['watch', 'extend', 'some-id', '--by', 'twelve hours', '--reason', 'late alert', '--as', 'lara'],
      says: /--by "twelve hours" is not valid: write a duration such as 12h, 90m or 1d12h/,
    },
    {
      args: ['watch', 'extend', 'some-id', '--by', '12', '--reason', 'late alert', '--as', 'lara'],
      says: /--by "12" is not valid: write a duration such as 12h/,
    },
    {
      args: ['watch', 'extend', 'some-id', '--by', '-12h', '--reason', 'late alert', '--as', 'lara'],
      says: /--by "-12h" is not valid: extend by a positive duration such as 12h/,
    },
    {
      args: ['watch', 'extend', 'some-id', '--by', '0h', '--reason', 'late alert', '--as', 'lara'],
      says: /--by "0h" is not valid: extend by a positive duration/,
    },
    { args: ['watch', 'extend', 'some-id', '--reason', 'late alert', '--as', 'lara'], says: /required option '--by <duration>'/ },
    { args: ['watch', 'extend', 'some-id', '--by', '12h', '--as', 'lara'], says: /required option '--reason <text>'/ },
    { args: ['watch', 'end', 'some-id', '--as', 'lara'], says: /required option '--reason <text>'/ },
    { args: ['watch', 'end', 'some-id', '--reason', '   ', '--as', 'lara'], says: /--reason "   " is not valid: must not be empty/ },
    { args: ['watch', 'end', 'some-id', '--reason', 'clean 24h'], says: /required option '--as <who>'/ },
    {
      args: ['watch', 'end', 'some-id', '--reason', 'clean 24h', '--as', 'Lara Smith'],
      says: /--as "Lara Smith" is not valid: must be a person id/,
    },
    { args: ['watch', 'end', '--reason', 'clean 24h', '--as', 'lara'], says: /missing required argument 'id'/ },
    { args: ['watch', 'pause', 'some-id'], says: /unknown command 'pause'/ },
  ]);

  it('documents `cutover undo` and both `cutover compensation` answers with examples in --help', async () => {
    for (const command of [['undo'], ['compensation'], ['compensation', 'retry'], ['compensation', 'done']]) {
      const result = await runCli([...command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`Examples:\\n {2}\\$ cutover ${command.join(' ')} `));
    }
  });

  it('lists every stage of the runbook, fee-reconciliation included, in the help of approve, reject and retry', async () => {
    for (const command of ['approve', 'reject', 'retry']) {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      const help = result.stdout.replace(/\s+/g, ' ');
      for (const stage of STAGE_IDS) assert.match(help, new RegExp(`stage id: .*\\b${stage}\\b`), `${command} --help names ${stage}`);
    }
  });

  it('documents both subcommands with examples in --help', async () => {
    const end = await runCli(['watch', 'end', '--help']);
    assert.equal(end.code, 0, end.stderr);
    assert.match(end.stdout, /\$ cutover watch end \S+ --reason ".*" --as lara/);
    const extend = await runCli(['watch', 'extend', '--help']);
    assert.equal(extend.code, 0, extend.stderr);
    assert.match(extend.stdout, /--by <duration>/);
    assert.match(extend.stdout, /\$ cutover watch extend \S+ --by 12h --reason ".*" --as lara/);
  });
});
