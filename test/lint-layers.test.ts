/**
 * The layer rules in eslint.config.mjs, run by ESLint itself on probe files placed in the tree: an import
 * that runs upward (or sideways into a layer not listed) fails lint, type-only imports pass where the
 * layers allow them, and workflow code may not reach Node built-ins or I/O packages.
 */
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { ROOT } from './helpers/cli.js';

/**
 * The probes exist only in memory, so the type-aware rules (which need the file in the TypeScript project)
 * are off for them; the layer and sandbox rules read syntax alone and run as configured.
 */
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: { ...tseslint.configs.disableTypeChecked, files: ['src/**/layer-probe.ts'] },
});

interface Finding {
  rule: string | null;
  message: string;
}

async function lintProbe(folder: string, code: string): Promise<Finding[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/src/${folder}/layer-probe.ts` });
  assert.ok(result, 'ESLint returned no result for the probe');
  return result.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
}

function assertLayerError(findings: Finding[], says: RegExp): void {
  const layer = findings.filter((f) => f.rule === 'cutover/layers');
  assert.equal(layer.length, 1, `expected one layer error, got ${JSON.stringify(findings)}`);
  assert.match(layer[0]?.message ?? '', says);
}

describe('layer rules (ESLint)', () => {
  it('fails an upward import: the ground layer importing the plan', async () => {
    const findings = await lintProbe(
      'runbook',
      "import { CutoverPlanFile } from '../plan/schema.js';\nexport const probe = CutoverPlanFile;\n",
    );
    assertLayerError(findings, /^ground may not import plan \(\.\.\/plan\/schema\.js\): imports point down the layers/);
  });

  it('fails the plan importing activities or workflows, even as types', async () => {
    assertLayerError(
      await lintProbe(
        'plan',
        "import { createBinCatalogueActivities } from '../activities/readiness/bin-catalogue.js';\nexport const probe = createBinCatalogueActivities;\n",
      ),
      /^plan may not import activities/,
    );
    assertLayerError(
      await lintProbe('plan', "import type { CutoverStatus } from '../workflows/cutover-state.js';\nexport type Probe = CutoverStatus;\n"),
      /^plan may not import workflows/,
    );
  });

  it('fails the dev stack importing the CLI, statically or dynamically', async () => {
    assertLayerError(
      await lintProbe('dev', "import { buildProgram } from '../client/program.js';\nexport const probe = buildProgram;\n"),
      /^dev may not import client/,
    );
    assertLayerError(await lintProbe('dev', "export const probe = () => import('../client/program.js');\n"), /^dev may not import client/);
  });

  it('fails a workflow importing activity code at run time, and passes it as a type', async () => {
    assertLayerError(
      await lintProbe(
        'workflows',
        "import { createNotifyActivities } from '../activities/notify.js';\nexport const probe = createNotifyActivities;\n",
      ),
      /^workflows may import activities as types only/,
    );
    assert.deepEqual(
      await lintProbe(
        'workflows',
        "import type { NotificationChannel } from '../activities/notify.js';\nexport type Probe = NotificationChannel;\n",
      ),
      [],
    );
  });

  it('fails a workflow importing a Node built-in, with or without the node: scheme, or an I/O package', async () => {
    for (const specifier of ['fs/promises', 'node:crypto', 'worker_threads', 'undici', '@temporalio/client']) {
      const findings = await lintProbe('workflows', `import * as probe from '${specifier}';\nexport { probe };\n`);
      assert.equal(findings.length, 1, `${specifier}: ${JSON.stringify(findings)}`);
      assert.equal(findings[0]?.rule, 'no-restricted-imports', specifier);
      assert.match(findings[0]?.message ?? '', /deterministic sandbox/, specifier);
    }
  });

  it('fails a file in a folder that no layer names', async () => {
    const findings = await lintProbe('somewhere-new', 'export const probe = 1;\n');
    assertLayerError(findings, /is in no layer: add its folder to a layer in eslint\/layers\.mjs/);
  });

  it("passes legal imports: downward, within a layer, and Temporal's workflow SDK in workflow code", async () => {
    assert.deepEqual(
      await lintProbe(
        'client',
        "import { STAGE_IDS } from '../runbook/stages.js';\nimport { sendMessage } from '../operations/send-message.js';\nimport { startDevStack } from '../dev/stack.js';\nexport const probe = [STAGE_IDS, sendMessage, startDevStack];\n",
      ),
      [],
    );
    assert.deepEqual(
      await lintProbe(
        'workflows',
        "import { sleep } from '@temporalio/workflow';\nimport { ROLE_TITLES } from '../runbook/stages.js';\nimport { parseDuration } from '../plan/duration.js';\nimport { createStageChecks } from './stage-checks.js';\nexport const probe = [sleep, ROLE_TITLES, parseDuration, createStageChecks];\n",
      ),
      [],
    );
    assert.deepEqual(
      await lintProbe(
        'plan',
        "import { RUNBOOK_ITEMS } from '../runbook/readiness-items.js';\nimport { Currency } from '../runbook/bins.js';\nexport const probe = [RUNBOOK_ITEMS, Currency];\n",
      ),
      [],
    );
  });
});
