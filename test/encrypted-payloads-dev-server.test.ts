import assert from 'node:assert/strict';
import { runLowRiskAuthorization } from '../src/dev/low-risk-authorization.js';
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { setTimeout as delay } from 'node:timers/promises';
import { createEncryptionCodec, ENCRYPTED_ENCODING } from '../src/codec/encryption-codec.js';
import { payloadKeysFromEnv } from '../src/codec/env-keys.js';
import { renderLaunchReportMarkdown } from '../src/client/format/launch-report.js';
import { readCutover } from '../src/operations/read-status.js';
import { connectClient } from '../src/temporal/connection.js';
import { approveUpdate, completeItemUpdate, decideUpdate, statusQuery } from '../src/workflows/messages.js';
import type { CutoverStatus } from '../src/workflows/cutover-state.js';
import { HOUR, useCutoverHarness } from './helpers/cutover-harness.js';
import { historyText } from './helpers/history.js';
import { planFor } from './helpers/plans.js';

const KEYS_ENV = { CUTOVER_PAYLOAD_KEYS: `dev-2026-12:${randomBytes(32).toString('base64')}` };

/** Plan values distinctive enough that finding one in the history can only mean a leak. */
const PROGRAMME = 'Halcyon Borealis Prepaid';
const LEAD = 'lenora-quillfeather';
const ENGINEER = 'eamon-brightwater';
const CX = 'cassius-fenwright';
const APPROVAL_NOTE = 'smoke tests matched the Halcyon runbook line by line';
const EVIDENCE = 'training log LMS-77123 countersigned by the Borealis support desk';
const DECISION_REASON = 'rehearsal ends in a roll-back by design for the vault audit';

async function waitFor(read: () => Promise<CutoverStatus>, done: (status: CutoverStatus) => boolean, what: string): Promise<CutoverStatus> {
  const deadline = Date.now() + 90_000;
  let last: CutoverStatus | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (done(last)) return last;
    await delay(200);
  }
  throw new Error(`timed out waiting for ${what}; last phase ${last?.phase} at ${last?.currentStage}`);
}

/** Every payload in a history, except search attributes, which the server indexes and codecs never touch, and patch markers. */
function payloadsIn(value: unknown, found: Payload[] = []): Payload[] {
  if (Array.isArray(value)) {
    for (const inner of value) payloadsIn(inner, found);
  } else if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const record = value as Record<string, unknown>;
    // Patch markers are written by the SDK's core outside the payload codec and hold only the patch id.
    if (record.markerName === 'core_patch') return found;
    if (record.metadata && typeof record.metadata === 'object' && 'data' in record) found.push(record);
    for (const [key, inner] of Object.entries(record)) {
      if (key !== 'searchAttributes') payloadsIn(inner, found);
    }
  }
  return found;
}

describe('encrypted payloads on the dev server', function () {
  this.timeout(240_000);
  const keys = payloadKeysFromEnv(KEYS_ENV);
  assert.ok(keys);
  const harness = useCutoverHarness('dev', 'encrypted', { payloadCodecs: [createEncryptionCodec(keys)] });

  it('keeps plan values, evidence and approval notes out of the history in clear, while the CLI and the report read everything', async () => {
    const { env, stack } = harness;
    const plan = planFor(stack, {
      programme: PROGRAMME,
      approvers: {
        lead: ['lara', LEAD],
        ops: ['olivia'],
        treasury: ['tomas'],
        engineering: [ENGINEER, 'eli'],
        devops: ['dev'],
        analytics: ['ana'],
        finance: ['fiona'],
        cx: [CX],
        compliance: ['cody'],
      },
    });
    const handle = await harness.start({
      plan,
      goLiveInMs: 25 * HOUR,
      timeScale: 25 * 360,
      startOptions: { memo: { approvers: plan.approvers } },
    });
    const query = () => handle.query(statusQuery);

    await handle.executeUpdate(completeItemUpdate, { args: [{ item: 'tier1-error-codes', by: CX, evidence: EVIDENCE }] });
    await waitFor(query, (s) => s.phase === 'holding' && s.currentStage === 'go-live', 'the go-live gate');
    const auth = await runLowRiskAuthorization(stack.production.url);
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: LEAD, authorizationId: auth.id, note: APPROVAL_NOTE }] });
    await handle.executeUpdate(approveUpdate, { args: [{ stage: 'go-live', by: ENGINEER }] });
    await waitFor(query, (s) => s.phase === 'holding' && s.currentStage === 'debrief', 'the debrief');
    await handle.executeUpdate(decideUpdate, { args: [{ decision: 'roll-back', by: LEAD, reason: DECISION_REASON }] });
    const result = await handle.result();
    assert.equal(result.phase, 'rolled-back');

    // What the server stores, read by a client that has no keys.
    const withoutKeys = new Client({ connection: env.connection, namespace: env.namespace ?? 'default' });
    const history = await withoutKeys.workflow.getHandle(handle.workflowId).fetchHistory();
    const payloads = payloadsIn(history);
    assert.ok(payloads.length > 50, `the history holds many payloads (found ${payloads.length})`);
    const clear = payloads.filter((payload) => Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING);
    assert.deepEqual(clear, [], 'every payload in the history is encrypted');
    const text = historyText(history);
    const planValues = {
      programme: PROGRAMME,
      'production base URL': plan.payca.production.baseUrl,
      'sandbox base URL': plan.payca.sandbox.baseUrl,
      'lead approver': LEAD,
      'engineering approver': ENGINEER,
      'CX owner': CX,
      'approval note': APPROVAL_NOTE,
      'readiness evidence': EVIDENCE,
      'decision reason': DECISION_REASON,
      'authorization id': auth.id,
    };
    for (const [what, value] of Object.entries(planValues)) {
      assert.equal(text.includes(value), false, `the ${what} (${value}) is not in the history in clear`);
    }
    await assert.rejects(
      withoutKeys.workflow.getHandle(handle.workflowId).query(statusQuery),
      'a client without keys cannot read the status',
    );

    // The CLI's own connection, configured by environment only, reads it all back.
    const { client: cli } = await connectClient({ TEMPORAL_ADDRESS: env.connection.options.address, ...KEYS_ENV });
    try {
      const reading = await readCutover(cli, handle.workflowId);
      assert.equal(reading.status.programme, PROGRAMME);
      assert.deepEqual(reading.approvers.lead, ['lara', LEAD]);
      const report = renderLaunchReportMarkdown(reading.status, new Date());
      for (const [what, value] of Object.entries(planValues)) {
        if (what.endsWith('base URL')) continue;
        assert.ok(report.includes(value), `the launch report shows the ${what}`);
      }
      assert.match(report, /rolled-back|rolled back/i);
    } finally {
      await cli.connection.close();
    }
  });
});
