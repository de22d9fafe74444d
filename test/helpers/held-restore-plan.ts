/**
 * The stack's plan with one HTTP sandbox job that pauses but cannot be restored: its enable URL is a free
 * port nobody listens on, and the compensation budget is 2 s, so a roll-back or abort holds the
 * `restore-sandbox-jobs` step for Engineering at once.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { freePort } from '../../src/dev/ports.js';
import type { CliStack } from './cli-stack.js';

/** Writes that plan beside the stack's own and returns its path. */
export async function writeHeldRestorePlan(world: CliStack): Promise<string> {
  const document = parseYaml(await readFile(world.planFile, 'utf8')) as Record<string, unknown>;
  const planFile = join(world.dataDir, 'held-plan.yaml');
  const jobs = `${world.stack.sandbox.url}/_sim/jobs/sandbox-card-generator`;
  await writeFile(
    planFile,
    stringifyYaml({
      ...document,
      compensationRetryBudget: '2s',
      sandboxJobs: [
        {
          kind: 'http',
          name: 'sandbox-card-generator',
          disableUrl: `${jobs}/disable`,
          enableUrl: `http://127.0.0.1:${await freePort()}/enable`,
          statusUrl: jobs,
        },
      ],
    }),
  );
  return planFile;
}
