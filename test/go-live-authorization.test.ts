/**
 * The go-live gate reads the real low-risk authorization at PayCA before the approval naming it counts:
 * it must exist on production, be approved, on a card of the programme, within the plan's amount and age
 * and made after the change window opened. Refusals carry the reason to the approver.
 */
import assert from 'node:assert/strict';
import { abortUpdate, approveSignal, approveUpdate, statusQuery } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { renderLaunchReportJson } from '../src/client/format/launch-report.js';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { useCutoverHarness } from './helpers/cutover-harness.js';
import { planFor } from './helpers/plans.js';
import { advanceUntil, holdingAt, stageOf } from './helpers/temporal.js';
import { waitForStatus } from './helpers/wait-for-status.js';
import { refusalOf } from './helpers/refused-update.js';

interface Verified {
  authorizationId: string;
  cardId: string;
  accountId: string;
  amount: number;
  currency: string;
  ageSeconds: number;
  requestIds: Record<string, string>;
}

describe('go-live gate: the low-risk real authorization', function () {
  this.timeout(180_000);
  const harness = useCutoverHarness('time-skipping', 'authorization');

  beforeEach(() => harness.stack.reset());

  async function atGoLiveGate(plan = planFor(harness.stack)) {
    const handle = await harness.start({ plan });
    await advanceUntil(harness.env, handle, holdingAt('go-live'), 'the go-live gate');
    return handle;
  }

  it('refuses an id PayCA does not know, a declined one, one above the limit, one too old or made before the window, and counts none of them', async () => {
    const { stack } = harness;
    const url = stack.production.url;
    const handle = await atGoLiveGate(
      planFor(stack, {
        smokeTest: { accountId: 'acc_gbp_main', currency: 'GBP', topUpAmount: 100, authorization: { maxAmount: 500, maxAge: '30m' } },
      }),
    );
    const approve = (authorizationId: string) =>
      refusalOf(handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId }] }));

    assert.match(await approve('auth_made_up'), /^authorization auth_made_up is not known to PayCA production/);
    const declined = await runLowRiskAuthorization(url, { status: 'declined' });
    assert.match(
      await approve(declined.id),
      new RegExp(`^authorization ${declined.id} was declined \\(do_not_honour\\), not approved \\(request req_\\w+\\)`),
    );
    const large = await runLowRiskAuthorization(url, { amount: 501 });
    assert.match(
      await approve(large.id),
      /is for 501 GBP \(minor units\), above the plan's low-risk limit of 500 \(smokeTest.authorization.maxAmount\)/,
    );
    const old = await runLowRiskAuthorization(url, { at: new Date(Date.now() - 31 * 60_000).toISOString() });
    assert.match(await approve(old.id), /min ago by PayCA's clock, older than the plan allows \(smokeTest.authorization.maxAge, 30 min\)/);
    const early = await runLowRiskAuthorization(url, { at: new Date(Date.now() - 10 * 60_000).toISOString() });
    assert.match(await approve(early.id), /before the change window opened/);

    const status: CutoverStatus = await handle.query(statusQuery);
    const goLive = stageOf(status, 'go-live');
    assert.deepEqual(goLive.approvals, [], 'no refused approval counts');
    assert.deepEqual(goLive.hold?.awaiting.sort(), ['engineering', 'lead'], 'the gate still awaits the lead');
    assert.equal(goLive.evidence.manualAuthorization, undefined);
    assert.equal(status.refusals.filter((r) => r.kind === 'approve' && r.via === 'update').length, 5, 'each refusal is on the record');
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it('takes an approval whose authorization PayCA shows approved, and keeps its details with the smoke-test evidence', async () => {
    const { stack } = harness;
    const handle = await atGoLiveGate();
    const auth = await runLowRiskAuthorization(stack.production.url, { amount: 250 });
    const receipt = await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: 'lara', authorizationId: auth.id }] });
    assert.match(receipt.outcome, new RegExp(`^authorization ${auth.id} checked at PayCA; go-live still awaits`));

    const status: CutoverStatus = await handle.query(statusQuery);
    const goLive = stageOf(status, 'go-live');
    assert.deepEqual(goLive.hold?.awaiting, ['engineering']);
    const manual = goLive.evidence.manualAuthorization as { authorizationId: string; confirmedBy: string; verified: Verified };
    assert.equal(manual.authorizationId, auth.id);
    assert.equal(manual.confirmedBy, 'lara');
    assert.deepEqual(
      {
        id: manual.verified.authorizationId,
        card: manual.verified.cardId,
        account: manual.verified.accountId,
        amount: manual.verified.amount,
        currency: manual.verified.currency,
      },
      { id: auth.id, card: auth.cardId, account: 'acc_gbp_main', amount: 250, currency: 'GBP' },
    );
    assert.ok(manual.verified.ageSeconds < 120, `made moments ago: ${manual.verified.ageSeconds}s`);
    for (const read of ['authorization', 'card', 'accounts', 'clock'])
      assert.match(manual.verified.requestIds[read] ?? '', /^req_\w+$/, `${read} read kept its request id`);
    const report = JSON.parse(renderLaunchReportJson(status, new Date())) as {
      smokeTests: { step: string; requestId: string | null; detail: string }[];
    };
    const line = report.smokeTests.find((t) => t.step === 'manualAuthorization');
    assert.equal(line?.requestId, manual.verified.requestIds.authorization, 'the report names the read of the authorization');
    assert.match(
      line?.detail ?? '',
      new RegExp(`PayCA shows it approved: 250 GBP minor units on card ${auth.cardId} \\(…\\d{4}\\) of acc_gbp_main`),
    );
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });

  it("keeps a refused signalled approval in the state, with PayCA's reason, and does not count it", async () => {
    const handle = await atGoLiveGate();
    await handle.signal(approveSignal, { stage: 'go-live', by: 'lara', authorizationId: 'auth_nowhere' });
    const status = await waitForStatus(harness.env.client, handle.workflowId, 'the refused signal on the record', (s) =>
      s.refusals.some((r) => r.via === 'signal' && r.reason.includes('auth_nowhere')),
    );
    const refused = status.refusals.find((r) => r.via === 'signal');
    assert.match(refused?.reason ?? '', /^authorization auth_nowhere is not known to PayCA production/);
    assert.deepEqual(stageOf(status, 'go-live').approvals, []);
    await handle.executeUpdate(abortUpdate, { args: [{ by: 'lara', reason: 'end of test' }] });
    await handle.result();
  });
});
