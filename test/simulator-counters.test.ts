/**
 * `GET /_sim/counters` has one shape, defined in src/simulator/counters.ts: the simulator answers with
 * exactly its fields (no field the schema does not name), and the demo's reader takes that answer.
 */
import assert from 'node:assert/strict';
import { readSimulatorCounters } from '../src/dev/simulator-counters.js';
import { SimulatorCounters } from '../src/simulator/counters.js';
import { startSimulator, type RunningSimulator } from '../src/simulator/server.js';

describe('simulator counters', () => {
  let sim: RunningSimulator;

  before(async () => {
    sim = await startSimulator({ mode: 'production', port: 0 });
  });

  after(async () => {
    await sim?.close();
  });

  it('answers /_sim/counters with exactly the fields of the one counters schema', async () => {
    const accounts = await fetch(new URL('/v2/accounts', sim.url), {
      headers: { 'x-client-id': sim.credentials.clientId, 'x-client-secret': sim.credentials.clientSecret },
    });
    assert.equal(accounts.status, 200);
    await accounts.arrayBuffer();
    const answer = await fetch(new URL('/_sim/counters', sim.url));
    assert.equal(answer.status, 200);
    const counters = SimulatorCounters.strict().parse(await answer.json());
    assert.equal(counters.answersByCode['200'], 1, 'the accounts call is counted');
    assert.equal(counters.callRate.calls, 1);
  });

  it("reads the same counters through the demo's reader", async () => {
    const counters = await readSimulatorCounters(sim.url);
    assert.deepEqual(Object.keys(counters).sort(), Object.keys(SimulatorCounters.shape).sort());
  });
});
