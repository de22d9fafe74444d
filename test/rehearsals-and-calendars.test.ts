/**
 * Rehearsal against live, calibration and calendars on real runs: a rehearsal and the live cutover that
 * names it each run on the dev stack to the go-live hold and are aborted there, so the stages before it
 * have real durations; the CLI compares them, writes the rehearsal's durations into a plan, and writes the
 * live cutover's calendar, which ical.js parses back.
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { parseDocument, stringify as stringifyYaml } from 'yaml';
import { readStatus } from '../src/operations/read-status.js';
import type { RehearsalComparison } from '../src/operations/rehearsal-comparison.js';
import { loadPlanFile } from '../src/plan/load.js';
import type { CutoverStatus, StageState } from '../src/workflows/cutover-state.js';
import { shortExamplePlan } from './helpers/example-plan.js';
import { useCliStack } from './helpers/cli-stack.js';

const ZONE = 'Asia/Kolkata';
/** Stages that pass before the go-live hold, where both runs are aborted. */
const BEFORE_GO_LIVE = ['config-diff', 'funding-check', 'disable-sandbox-jobs', 'webhook-smoke-test'];

const run = `${process.pid}-${Date.now().toString(36)}`;
const rehearsalId = `rehearsal-${run}`;
const liveId = `live-${run}`;

const stage = (status: CutoverStatus, id: string) => status.stages.find((s) => s.id === id) as StageState;
const toSecond = (iso: string) => new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();
const durationOf = (s: StageState) => Date.parse(s.finishedAt ?? '') - Date.parse(s.startedAt ?? '');

describe('rehearsals against live, calibration and calendars', function () {
  this.timeout(240_000);
  const world = useCliStack('rehearsals');
  let planFile = '';
  let planText = '';
  const statuses: Record<string, CutoverStatus> = {};

  async function waitFor(workflowId: string, what: string, done: (status: CutoverStatus) => boolean): Promise<CutoverStatus> {
    const deadline = Date.now() + 90_000;
    let last: CutoverStatus | undefined;
    while (Date.now() < deadline) {
      last = await readStatus(world.stack.client, workflowId);
      if (done(last)) return last;
      await delay(250);
    }
    assert.fail(`${workflowId} never reached "${what}"; last status: ${JSON.stringify(last?.stages.map((s) => [s.id, s.status]))}`);
  }

  /** Runs the live cutover, naming the rehearsal, to the go-live hold, where the earlier stages have passed, and aborts it there. */
  async function runLiveToGoLiveAndAbort(workflowId: string): Promise<CutoverStatus> {
    const started = await world.cutover([
      'start',
      planFile,
      '--id',
      workflowId,
      '--go-live',
      '+1h',
      '--time-scale',
      '720',
      '--as',
      'lara',
      '--rehearsal-of',
      rehearsalId,
    ]);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, new RegExp(`follows rehearsal ${rehearsalId}: cutover compare ${rehearsalId} ${workflowId}`));
    assert.doesNotMatch(started.stderr, /is known here/);
    await waitFor(workflowId, 'go-live holding', (s) => stage(s, 'go-live').status === 'holding');
    const aborted = await world.cutover(['abort', workflowId, '--as', 'lara', '--reason', 'measured up to go-live']);
    assert.equal(aborted.code, 0, aborted.stderr);
    return waitFor(workflowId, 'aborted', (s) => s.phase === 'aborted' && s.finishedAt !== undefined);
  }

  before(async () => {
    const plan = await shortExamplePlan(world.stack);
    plan['timeZone'] = ZONE as never;
    plan['stages'] = { 'config-diff': { estimate: '2m' }, ...plan['stages'] };
    // A plan as people keep it: comments the calibration must leave where they are.
    planText = `# Acme prepaid UK: estimates come from the last rehearsal\n${stringifyYaml(plan)}`.replace(
      /^ {2}config-diff:$/m,
      '  # the diff is quick once sandbox and production agree\n  config-diff:',
    );
    assert.match(planText, /# the diff is quick/, 'the stage comment is in place');
    planFile = join(world.dataDir, 'plan-with-zone.yaml');
    await writeFile(planFile, planText);
  });

  it('refuses to calibrate a plan that does not exist, or with both --out and --write, before asking Temporal', async () => {
    const missing = await world.cutover(['plan', 'calibrate', join(world.dataDir, 'no-such-plan.yaml'), '--from', 'any-run']);
    assert.equal(missing.code, 1, missing.stdout);
    assert.match(missing.stderr, /no-such-plan\.yaml does not exist/);
    const both = await world.cutover([
      'plan',
      'calibrate',
      planFile,
      '--from',
      'any-run',
      '--out',
      join(world.dataDir, 'x.yaml'),
      '--write',
    ]);
    assert.equal(both.code, 2, both.stdout);
    assert.match(both.stderr, /give --out FILE or --write, not both/);
  });

  it('refuses to calibrate from a cutover that has not finished', async () => {
    const started = await world.cutover([
      'start',
      planFile,
      '--id',
      rehearsalId,
      '--go-live',
      '+1h',
      '--time-scale',
      '720',
      '--as',
      'lara',
    ]);
    assert.equal(started.code, 0, started.stderr);
    await waitFor(rehearsalId, 'config-diff passed', (s) => stage(s, 'config-diff').status === 'passed');
    const refused = await world.cutover(['plan', 'calibrate', planFile, '--from', rehearsalId, '--out', join(world.dataDir, 'never.yaml')]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, new RegExp(`cutover ${rehearsalId} is still (waiting|running|holding): calibrate from a finished run`));
    assert.equal(await readFile(planFile, 'utf8'), planText, 'the plan is untouched');
  });

  it('runs the rehearsal and the live cutover that names it to the go-live hold', async () => {
    await waitFor(rehearsalId, 'go-live holding', (s) => stage(s, 'go-live').status === 'holding');
    const aborted = await world.cutover(['abort', rehearsalId, '--as', 'lara', '--reason', 'rehearsal measured up to go-live']);
    assert.equal(aborted.code, 0, aborted.stderr);
    statuses[rehearsalId] = await waitFor(rehearsalId, 'aborted', (s) => s.phase === 'aborted' && s.finishedAt !== undefined);
    statuses[liveId] = await runLiveToGoLiveAndAbort(liveId);
    assert.equal(statuses[liveId].timeline?.rehearsalOf, rehearsalId, 'the live cutover keeps the rehearsal it follows');
    assert.equal(statuses[rehearsalId].timeline?.rehearsalOf, undefined);
    for (const id of BEFORE_GO_LIVE) {
      assert.equal(stage(statuses[rehearsalId], id).status, 'passed', id);
      assert.equal(stage(statuses[liveId], id).status, 'passed', id);
    }
  });

  it('compares the live cutover with its rehearsal: per stage the estimate, both durations and the variance', async () => {
    const rehearsal = statuses[rehearsalId] as CutoverStatus;
    const live = statuses[liveId] as CutoverStatus;
    const json = await world.cutover(['compare', rehearsalId, liveId, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const comparison = JSON.parse(json.stdout) as RehearsalComparison;
    assert.equal(comparison.liveNamesRehearsal, true);
    assert.deepEqual(
      comparison.rows.map((r) => r.id),
      live.stages.map((s) => s.id),
      'one row per stage, in timeline order',
    );
    for (const id of BEFORE_GO_LIVE) {
      const row = comparison.rows.find((r) => r.id === id);
      const rehearsalMs = durationOf(stage(rehearsal, id));
      const liveMs = durationOf(stage(live, id));
      assert.deepEqual(
        [row?.rehearsalMs, row?.liveMs, row?.varianceMs],
        [rehearsalMs, liveMs, liveMs - rehearsalMs],
        `${id}: the durations are the runs' own, the variance live minus rehearsal`,
      );
    }
    const configDiff = comparison.rows.find((r) => r.id === 'config-diff');
    assert.equal(configDiff?.estimateMs, 120_000);
    assert.equal(configDiff?.overEstimateMs, (configDiff?.liveMs ?? 0) - 120_000);
    const goLive = comparison.rows.find((r) => r.id === 'go-live');
    assert.deepEqual(
      [goLive?.rehearsalMs, goLive?.liveMs, goLive?.varianceMs],
      [null, null, null],
      'a stage that never passed has no duration',
    );
    assert.equal(comparison.total.entries, BEFORE_GO_LIVE.length);

    const table = await world.cutover(['compare', rehearsalId, liveId]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /stage\s+estimate\s+rehearsal\s+live\s+variance\s+live vs estimate/);
    assert.match(table.stdout, /config-diff\s+2m\s+\d+\.\ds\s+\d+\.\ds\s+[+±-]\d+\.\ds( \([+-]?[\d.]+%\))?\s+-\d/);
    assert.match(table.stdout, /go-live\s+-\s+-\s+-\s+-\s+-/);
    assert.doesNotMatch(table.stdout, /does not name/);

    const reversed = await world.cutover(['compare', liveId, rehearsalId]);
    assert.match(reversed.stdout, new RegExp(`Note: ${rehearsalId} does not name ${liveId} as the rehearsal it follows`));
  });

  it("adds the comparison to the live cutover's launch report, in JSON and Markdown, and not to the rehearsal's", async () => {
    const compared = JSON.parse((await world.cutover(['compare', rehearsalId, liveId, '--json'])).stdout) as RehearsalComparison;
    const json = await world.cutover(['report', liveId, '--format', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { rehearsal?: { workflowId: string; comparison: RehearsalComparison | null } };
    assert.equal(report.rehearsal?.workflowId, rehearsalId);
    assert.deepEqual(report.rehearsal?.comparison?.rows, compared.rows);

    const markdown = await world.cutover(['report', liveId]);
    assert.equal(markdown.code, 0, markdown.stderr);
    assert.match(markdown.stdout, new RegExp(`## Against the rehearsal\\n\\nAgainst rehearsal \`${rehearsalId}\` \\(aborted\\)\\.`));
    assert.match(markdown.stdout, /\| config-diff \| 2m \| \d+\.\ds \| \d+\.\ds \| [+±-]\d+\.\ds/);

    const own = JSON.parse((await world.cutover(['report', rehearsalId, '--format', 'json'])).stdout) as { rehearsal?: unknown };
    assert.equal(own.rehearsal, undefined, 'a cutover that names no rehearsal has no such section');
  });

  it('warns at the start when the rehearsal a cutover names is not known, and its report says it could not be read', async () => {
    const orphan = `orphan-${run}`;
    const started = await world.cutover([
      'start',
      planFile,
      '--id',
      orphan,
      '--go-live',
      '+25h',
      '--as',
      'lara',
      '--rehearsal-of',
      `never-run-${run}`,
    ]);
    try {
      assert.equal(started.code, 0, started.stderr);
      assert.match(
        started.stderr,
        new RegExp(`note: no cutover never-run-${run} is known here, so the launch report cannot compare with it`),
      );
      const details = await (await world.stack.client.workflow.getHandle(orphan).describe()).staticDetails();
      assert.match(details ?? '', new RegExp(`\\*\\*Follows rehearsal:\\*\\* never-run-${run}`));
      const report = await world.cutover(['report', orphan]);
      assert.equal(report.code, 0, report.stderr);
      assert.match(
        report.stdout,
        new RegExp(
          `## Against the rehearsal\\n\\nThe rehearsal \`never-run-${run}\` this cutover follows could not be read: .*never-run-${run}`,
        ),
      );
    } finally {
      await world.stack.client.workflow.getHandle(orphan).terminate('the test is over; nothing ran yet');
    }
  });

  it("calibrates the plan from the rehearsal: each passed stage's duration as its estimate, comments and order kept, and the plan loads", async () => {
    const out = join(world.dataDir, 'calibrated.yaml');
    const result = await world.cutover(['plan', 'calibrate', planFile, '--from', rehearsalId, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`wrote estimates from ${rehearsalId} into ${out}: config-diff \\d`));
    assert.match(result.stderr, /not measured .*go-live, debrief, fee-reconciliation/);
    const calibrated = await readFile(out, 'utf8');
    assert.ok(calibrated.startsWith('# Acme prepaid UK: estimates come from the last rehearsal\n'), calibrated.slice(0, 200));
    assert.match(calibrated, /# the diff is quick once sandbox and production agree\n {2}config-diff:\n {4}estimate: \d/);
    const keys = (text: string) => {
      const doc = parseDocument(text).toJS() as Record<string, unknown>;
      return [Object.keys(doc), Object.keys(doc['stages'] as object)];
    };
    const [topBefore] = keys(planText);
    const [topAfter, stagesAfter] = keys(calibrated);
    assert.deepEqual(topAfter, topBefore, 'top-level keys keep their order');
    assert.deepEqual(
      stagesAfter,
      ['config-diff', 'funding-check', 'go-live', 'fee-reconciliation', 'disable-sandbox-jobs', 'webhook-smoke-test'],
      "the plan's own stage entries first, as written; stages it did not change after them",
    );

    const plan = await loadPlanFile(out);
    const rehearsal = statuses[rehearsalId] as CutoverStatus;
    for (const id of BEFORE_GO_LIVE) {
      const expected = Math.max(1, Math.ceil(durationOf(stage(rehearsal, id)) / 1000)) * 1000;
      assert.equal(plan.stages.find((s) => s.id === id)?.estimateMs, expected, `${id}: whole seconds, rounded up`);
    }
    assert.equal(plan.stages.find((s) => s.id === 'go-live')?.estimateMs, undefined, 'a stage that did not pass keeps no estimate');
    assert.equal(plan.timeZone, ZONE);

    const inPlace = join(world.dataDir, 'in-place.yaml');
    await copyFile(planFile, inPlace);
    const written = await world.cutover(['plan', 'calibrate', inPlace, '--from', rehearsalId, '--write']);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(await readFile(inPlace, 'utf8'), calibrated, '--write writes the same plan over the file');
  });

  it("writes the live cutover's calendar: one event per stage and gate at its planned time in the plan's zone, owners and approvers named", async () => {
    const live = statuses[liveId] as CutoverStatus;
    const file = join(world.dataDir, 'live.ics');
    const result = await world.cutover(['calendar', liveId, '--out', file]);
    assert.equal(result.code, 0, result.stderr);
    // ical.js ships as an ECMAScript module only; this suite compiles to CommonJS.
    const { default: ICAL } = await import('ical.js');
    const calendar = new ICAL.Component(ICAL.parse(await readFile(file, 'utf8')));
    const zones = calendar.getAllSubcomponents('vtimezone');
    assert.deepEqual(
      zones.map((z) => z.getFirstPropertyValue('tzid')),
      [ZONE],
      'the zone is described in the file',
    );
    for (const zone of zones) ICAL.TimezoneService.register(zone);
    const events = calendar.getAllSubcomponents('vevent').map((component) => new ICAL.Event(component));
    const gated = live.stages.filter((s) => (live.timeline?.stages.find((p) => p.id === s.id)?.gate.length ?? 0) > 0);
    assert.deepEqual(
      gated.map((s) => s.id),
      ['go-live'],
      "the example plan's gates",
    );
    assert.equal(events.length, live.stages.length + gated.length, 'one event per stage and one per gate');

    const inZone = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(ZONE).toFormat("yyyy-LL-dd'T'HH:mm:ss");
    for (const s of live.stages) {
      const event = events.find((e) => e.uid === `${liveId}.${s.id}.stage@payca-cutover`);
      assert.ok(event, `an event for ${s.id}`);
      assert.equal(event.startDate.zone?.tzid, ZONE, `${s.id} is written in the plan's zone`);
      assert.equal(event.startDate.toString(), inZone(s.plannedAt), `${s.id}: local time in ${ZONE}`);
      assert.equal(
        event.startDate.toJSDate().toISOString(),
        toSecond(s.plannedAt),
        `${s.id}: the planned instant, to the second as iCalendar keeps it`,
      );
      const lengthMs = event.endDate.toJSDate().getTime() - event.startDate.toJSDate().getTime();
      assert.equal(lengthMs, s.id === 'config-diff' ? 120_000 : 15 * 60_000, `${s.id}: its estimate, or a short slot without one`);
      assert.match(event.description, /^Owner: [A-Za-z ]+ \([a-z.]+/m, `${s.id}: its owner, by role and people`);
    }
    const goLive = stage(live, 'go-live');
    const gate = events.find((e) => e.uid === `${liveId}.go-live.gate@payca-cutover`);
    assert.ok(gate, 'an event for the go-live gate');
    assert.equal(
      gate.startDate.toJSDate().toISOString(),
      toSecond(new Date(Date.parse(goLive.plannedAt) + 15 * 60_000).toISOString()),
      'the gate opens once the stage has run',
    );
    assert.equal(
      gate.endDate.toJSDate().getTime() - gate.startDate.toJSDate().getTime(),
      30 * 60_000,
      "the plan's approval window for go-live",
    );
    assert.match(gate.summary, /approve go-live \(Programme lead \+ Engineering\)/);
    assert.match(gate.description, /Approver: Programme lead \(lara\)/);
    assert.match(gate.description, /Approver: Engineering \(erin, eli\)/);
    const configDiff = events.find((e) => e.uid === `${liveId}.config-diff.stage@payca-cutover`);
    assert.match(configDiff?.description ?? '', /Owner: Ops \(olivia\)/);
  });

  it("shows planned times in the plan's zone in status", async () => {
    const live = statuses[liveId] as CutoverStatus;
    const result = await world.cutover(['status', liveId]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`planned \\(${ZONE}\\)`));
    const planned = DateTime.fromISO(stage(live, 'config-diff').plannedAt, { zone: 'utc' }).setZone(ZONE).toFormat('yyyy-LL-dd HH:mm:ss');
    assert.match(result.stdout, new RegExp(`config-diff\\s+T-24h\\s+passed\\s+${planned} \\+05:30`));
  });
});
