import assert from 'node:assert/strict';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  abortUpdate,
  approveUpdate,
  completeItemSignal,
  completeItemUpdate,
  retryItemUpdate,
  statusQuery,
  waiveItemUpdate,
} from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import type { CutoverPlan } from '../src/plan/schema.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt } from './helpers/temporal.js';
import { refusalOf } from './helpers/refused-update.js';

/** `s1` and `p1` stand for the simulators' sandbox and production client secrets, the ones the worker holds. */
const SANDBOX_ENV = 'PAYCA_BASE_URL=https://sandbox.payca.example\nPAYCA_CLIENT_SECRET=s1\nFEATURE_X=on\n';
const PRODUCTION_ENV = 'PAYCA_BASE_URL=https://api.payca.example\nPAYCA_CLIENT_SECRET=p1\nFEATURE_X=on\n';

describe('readiness checklist in the cutover workflow', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('time-skipping', 'readiness');
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cutover-readiness-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => harness.stack.reset());

  const secrets = () => [harness.stack.credentials.sandbox.clientSecret, harness.stack.credentials.production.clientSecret];
  const withSecrets = (text: string) => {
    const [sandbox = '', production = ''] = secrets();
    return text.replace(/=s1$/m, `=${sandbox}`).replace(/=p1$/m, `=${production}`);
  };
  const assertNoSecret = (value: unknown) => {
    for (const secret of secrets()) assert.ok(!JSON.stringify(value).includes(secret), 'secret values never appear');
  };

  /** Every item required; each automated check has what it needs, pointing at the simulators and files. */
  async function strictPlan(name: string, productionEnv = PRODUCTION_ENV): Promise<CutoverPlan> {
    const sandboxFile = join(dir, `${name}-sandbox.env`);
    const productionFile = join(dir, `${name}-production.env`);
    const csv = join(dir, `${name}-cards.csv`);
    await writeFile(sandboxFile, withSecrets(SANDBOX_ENV));
    await writeFile(productionFile, withSecrets(productionEnv));
    await writeFile(
      csv,
      'externalRef,holderName,accountId,currency\nR-1,Ada,acc_gbp_main,GBP\nR-2,"Hopper, Grace",acc_gbp_main,GBP\nR-3,Alan,acc_eur_main,EUR\n',
    );
    return planFor(harness.stack, {
      readiness: {
        cicdEnv: { sandboxFile, productionFile, allowedDifferences: ['PAYCA_BASE_URL'] },
        expectedBins: [{ bin: '535522', network: 'mastercard', currency: 'GBP', topupBps: 25, countries: ['GB'], mccBlocked: ['7995'] }],
        seedCards: { csv, dryRunSample: 1 },
      },
    });
  }

  const item = (status: CutoverStatus, id: string) => {
    const found = status.checklist.find((i) => i.id === id);
    if (!found) throw new Error(`no checklist item ${id}`);
    return found;
  };
  /** Every readiness check has run; the post-launch items only open after go-live. */
  const checksSettled = (s: CutoverStatus) =>
    s.checklist.every((i) => i.kind === 'attested' || i.postLaunch || (i.status !== 'open' && i.status !== 'checking'));

  it('lists every runbook readiness row with its owner, and runs the automated checks when the cutover starts', async () => {
    const handle = await harness.start({ plan: await strictPlan('rows') });
    const status = await advanceUntil(harness.env, handle, checksSettled, 'the automated checks');
    assert.equal(status.checklist.length, 30);
    assert.deepEqual(
      [...new Set(status.checklist.map((i) => i.section))],
      [
        '1 Credentials & Access',
        '2 Infrastructure',
        '3 Data Readiness',
        '5 Monitoring & Alerting',
        '6 Support Readiness',
        '7 Compliance & Risk',
        'Hand-over',
        '9 Post-Launch',
      ],
    );
    for (const id of ['hourly-metrics-review', 'day1-fee-reconciliation', 'support-ticket-review', 'retro-scheduled']) {
      assert.equal(item(status, id).status, 'open', `${id} waits for go-live`);
    }
    for (const id of [
      'production-credentials',
      'cicd-env-vars',
      'bin-catalogue',
      'prefund-master-accounts',
      'seed-card-records',
      'sync-webhooks',
    ]) {
      assert.equal(item(status, id).status, 'done', `${id}: ${item(status, id).problems.join('; ')}`);
    }
    assert.deepEqual(item(status, 'mutual-tls').evidence, {
      mutualTls: 'not-required',
      by: 'readiness.webhookTls.mutualTlsRequired in the plan',
    });
    const tls = item(status, 'webhook-endpoint-tls');
    assert.equal(tls.status, 'failed');
    assert.match(tls.problems.join(), /is not https/);

    const seeded = item(status, 'seed-card-records').evidence as { seeded: number; issued: number; found: number };
    assert.deepEqual({ seeded: seeded.seeded, issued: seeded.issued, found: seeded.found }, { seeded: 3, issued: 3, found: 0 });
    const state = (await harness.stack.admin('state')) as { cards: { externalRef: string; status: string }[] };
    assert.deepEqual(
      state.cards
        .filter((c) => /^R-\d$/.test(c.externalRef) && c.status === 'active')
        .map((c) => c.externalRef)
        .sort(),
      ['R-1', 'R-2', 'R-3'],
    );
    const counters = await harness.stack.counters();
    assert.equal(counters.cardsIssued, 4, 'three seeded cards and one dry-run card');
    assert.equal(counters.cardsClosed, 1, 'the dry-run card was closed again');
    const credentials = item(status, 'production-credentials').evidence as {
      productionAccepted: boolean;
      sandboxRefusedByProduction: boolean;
    };
    assert.deepEqual([credentials.productionAccepted, credentials.sandboxRefusedByProduction], [true, true]);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('holds the mutual-TLS item when the plan requires mTLS and the endpoint cannot offer it', async () => {
    const plan = await strictPlan('mtls');
    plan.readiness.webhookTls.mutualTlsRequired = true;
    const handle = await harness.start({ plan });
    const status = await advanceUntil(harness.env, handle, checksSettled, 'the automated checks');
    assert.equal(item(status, 'mutual-tls').status, 'failed');
    assert.match(item(status, 'mutual-tls').problems.join(), /mutual TLS needs an https webhook endpoint/);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('refuses go/no-go while a required item is open, naming it and its owner, and takes it once all are closed', async () => {
    const handle = await harness.start({ plan: await strictPlan('gate') });
    const atGate = await advanceUntil(harness.env, handle, (s) => holdingAt('go-live')(s) && checksSettled(s), 'the go-live gate');
    const refused = await refusalOf(
      handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: 'auth_1' }] }),
    );
    assert.match(refused, /go\/no-go is refused while 18 required readiness items are open/);
    assert.match(refused, /Engineering: secrets-in-vault, rotate-sandbox-keys, webhook-endpoint-tls/);
    assert.match(refused, /CX: tier1-error-codes/);

    for (const open of atGate.checklist.filter((i) => i.kind === 'attested' && !i.optional && !i.postLaunch)) {
      const by = { engineering: 'erin', devops: 'dev', analytics: 'ana', treasury: 'tomas', cx: 'cara', compliance: 'cody', lead: 'lara' }[
        open.owner as string
      ];
      assert.ok(by, `someone owns ${open.id}`);
      await handle.executeUpdate(completeItemUpdate, { args: [{ item: open.id, by, evidence: `https://tickets.example/${open.id}` }] });
    }
    const early = await refusalOf(
      handle.executeUpdate(completeItemUpdate, { args: [{ item: 'support-ticket-review', by: 'cara', evidence: 'none yet' }] }),
    );
    assert.match(early, /support-ticket-review is a post-launch task: it opens once the cutover rolls forward/);
    const lastOne = await refusalOf(
      handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: 'auth_1' }] }),
    );
    assert.match(lastOne, /1 required readiness item is open \(Engineering: webhook-endpoint-tls\)/);
    await handle.executeUpdate(waiveItemUpdate, {
      args: [{ item: 'webhook-endpoint-tls', by: 'lara', reason: 'checked on the real endpoint by the bank' }],
    });

    const auth = await runLowRiskAuthorization(harness.stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'erin' }] });
    const after = await advanceUntil(harness.env, handle, holdingAt('debrief'), 'the debrief');
    const vault = item(after, 'secrets-in-vault');
    assert.deepEqual([vault.status, vault.completedBy, vault.evidence], ['done', 'erin', 'https://tickets.example/secrets-in-vault']);
    const waived = item(after, 'webhook-endpoint-tls');
    assert.deepEqual([waived.status, waived.waivedBy, waived.reason], ['waived', 'lara', 'checked on the real endpoint by the bank']);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('refuses checklist messages from outside the owning team, for unknown items, without evidence, and keeps refused signals', async () => {
    const handle = await harness.start({ plan: await strictPlan('refusals') });
    await advanceUntil(harness.env, handle, checksSettled, 'the automated checks');
    const complete = (args: { item: string; by: string; evidence: string }) =>
      refusalOf(handle.executeUpdate(completeItemUpdate, { args: [args] }));
    assert.match(
      await complete({ item: 'tier1-error-codes', by: 'erin', evidence: 'x' }),
      /erin cannot complete tier1-error-codes: it is owned by CX \(cara\)/,
    );
    assert.match(await complete({ item: 'no-such-item', by: 'cara', evidence: 'x' }), /unknown checklist item "no-such-item"/);
    assert.match(await complete({ item: 'tier1-error-codes', by: 'cara', evidence: '  ' }), /needs evidence/);
    assert.match(await complete({ item: 'bin-catalogue', by: 'olivia', evidence: 'x' }), /checked automatically/);
    assert.match(await complete({ item: 'tier1-error-codes', by: 'mallory', evidence: 'x' }), /mallory is not in this cutover's plan/);
    assert.match(
      await refusalOf(handle.executeUpdate(waiveItemUpdate, { args: [{ item: 'dashboards', by: 'ana', reason: 'later' }] })),
      /only the programme lead \(lara\) can waive/,
    );
    assert.match(
      await refusalOf(handle.executeUpdate(retryItemUpdate, { args: [{ item: 'dashboards', by: 'ana' }] })),
      /attested by its owner; there is no check to re-run/,
    );
    await handle.signal(completeItemSignal, { item: 'dashboards', by: 'erin', evidence: 'x' });
    await handle.signal(completeItemSignal, { item: 'dashboards', by: 'ana', evidence: 'grafana.example/d/launch' });
    const status = await advanceUntil(harness.env, handle, (s) => item(s, 'dashboards').status === 'done', 'dashboards done');
    assert.equal(status.refusals.at(-1)?.item, 'dashboards');
    assert.match(status.refusals.at(-1)?.reason ?? '', /erin cannot complete dashboards/);
    assert.match(await complete({ item: 'dashboards', by: 'ana', evidence: 'again' }), /dashboards is already done/);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('feeds the CI/CD env files into the T-24h config diff, holding it for Ops on a difference', async () => {
    const handle = await harness.start({
      plan: await strictPlan('config-diff', 'PAYCA_BASE_URL=https://api.payca.example\nPAYCA_CLIENT_SECRET=p1\nFEATURE_X=off\n'),
    });
    const held = await advanceUntil(harness.env, handle, holdingAt('config-diff'), 'the config-diff hold');
    const stage = held.stages.find((s) => s.id === 'config-diff');
    assert.deepEqual(stage?.hold?.awaiting, ['ops']);
    assert.match(stage?.problems.join(' | ') ?? '', /CI\/CD env: .*FEATURE_X/);
    assertNoSecret(stage);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('holds a failed automated check for its owner until retry-item sees it pass', async () => {
    const plan = await strictPlan('retry', 'PAYCA_BASE_URL=https://api.payca.example\nPAYCA_CLIENT_SECRET=\n');
    const handle = await harness.start({ plan });
    const failed = await advanceUntil(harness.env, handle, checksSettled, 'the automated checks');
    const cicd = item(failed, 'cicd-env-vars');
    assert.equal(cicd.status, 'failed');
    assert.match(cicd.problems.join(' | '), /FEATURE_X/);
    assertNoSecret(cicd);

    await writeFile(plan.readiness.cicdEnv?.productionFile ?? '', withSecrets(PRODUCTION_ENV));
    assert.match(
      await refusalOf(handle.executeUpdate(retryItemUpdate, { args: [{ item: 'cicd-env-vars', by: 'cara' }] })),
      /cara cannot re-run cicd-env-vars: its owner DevOps \(dev\) or the programme lead can/,
    );
    await handle.executeUpdate(retryItemUpdate, { args: [{ item: 'cicd-env-vars', by: 'dev' }] });
    const passed = await advanceUntil(harness.env, handle, (s) => item(s, 'cicd-env-vars').status === 'done', 'the re-run to pass');
    assert.equal(item(passed, 'cicd-env-vars').attempts, 2);
    assert.equal((await handle.query(statusQuery)).checklist.find((i) => i.id === 'seed-card-records')?.attempts, 1);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('fails the CI/CD check when the production file holds the sandbox secret, naming the key, against the secrets the worker holds', async () => {
    const plan = await strictPlan('sandbox-secret', 'PAYCA_BASE_URL=https://api.payca.example\nPAYCA_CLIENT_SECRET=s1\nFEATURE_X=on\n');
    const handle = await harness.start({ plan });
    const failed = await advanceUntil(harness.env, handle, checksSettled, 'the automated checks');
    const cicd = item(failed, 'cicd-env-vars');
    assert.equal(cicd.status, 'failed');
    assert.deepEqual(cicd.problems, [
      "PAYCA_CLIENT_SECRET (secret, value not shown) in the production file is the PayCA sandbox client secret this worker holds: set it to the production client secret (the one in PAYCA_PRODUCTION_CLIENT_SECRET) in the production pipeline's secret store",
      `PAYCA_CLIENT_SECRET (secret, value not shown) has the same value in the production file as in the sandbox file: production needs its own secret; set the production value in ${plan.readiness.cicdEnv?.productionFile} or the pipeline's secret store`,
    ]);
    assertNoSecret(cicd);
    assertNoSecret(await handle.fetchHistory());

    await writeFile(plan.readiness.cicdEnv?.productionFile ?? '', withSecrets(PRODUCTION_ENV));
    await handle.executeUpdate(retryItemUpdate, { args: [{ item: 'cicd-env-vars', by: 'dev' }] });
    await advanceUntil(
      harness.env,
      handle,
      (s) => item(s, 'cicd-env-vars').status === 'done',
      'the re-run with the production secret to pass',
    );
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });
});
