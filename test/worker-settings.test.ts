import assert from 'node:assert/strict';
import { CutoverError } from '../src/errors.js';
import { DEFAULT_WORKFLOW_TASK_SLOTS, paycaRateFromEnv, workflowTaskSlotsFromEnv } from '../src/worker/main.js';

describe("the worker process's settings from its environment", () => {
  it('takes ten workflow tasks at once unless CUTOVER_WORKFLOW_TASK_SLOTS says otherwise', () => {
    assert.equal(workflowTaskSlotsFromEnv({}), DEFAULT_WORKFLOW_TASK_SLOTS);
    assert.equal(DEFAULT_WORKFLOW_TASK_SLOTS, 10);
    assert.equal(workflowTaskSlotsFromEnv({ CUTOVER_WORKFLOW_TASK_SLOTS: '' }), 10);
    assert.equal(workflowTaskSlotsFromEnv({ CUTOVER_WORKFLOW_TASK_SLOTS: '40' }), 40);
  });

  it('refuses workflow task slots that are not a whole number of two or more, naming the variable', () => {
    for (const raw of ['1', '0', '-3', '2.5', 'ten']) {
      assert.throws(
        () => workflowTaskSlotsFromEnv({ CUTOVER_WORKFLOW_TASK_SLOTS: raw }),
        (err: unknown) =>
          err instanceof CutoverError && err.code === 'CONFIG_INVALID' && err.message.includes(`CUTOVER_WORKFLOW_TASK_SLOTS=${raw}`),
      );
    }
  });

  it('refuses a PayCA rate that is not a positive number, naming the variable', () => {
    assert.equal(paycaRateFromEnv({ CUTOVER_PAYCA_RATE: '200' }), 200);
    assert.throws(() => paycaRateFromEnv({ CUTOVER_PAYCA_RATE: '0' }), /CUTOVER_PAYCA_RATE=0 is not a positive number/);
  });
});
