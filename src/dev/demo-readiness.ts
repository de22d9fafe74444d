/**
 * The demo's readiness files. The plan names its CI/CD env files and seed CSV relative to the worker's
 * working directory; the demo's worker runs in this process, which may have been started anywhere, so a
 * relative path is looked up there first and then in the checkout the example plan comes from.
 *
 * The env files are copied into the data directory with one key left out of the production copy, so
 * `cicd-env-vars` fails when the cutover starts and the audience sees DevOps fix the file and re-run the
 * check. The checkout's own files are never changed.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { parseEnvFile } from '../activities/readiness/cicd-env.js';
import type { CutoverPlan } from '../plan/schema.js';
import { PROJECT_ROOT } from '../temporal/binaries.js';
import { pointReadinessFilesAt } from './plan-for-stack.js';

/** Something the demo changes on disk before it asks for a check to run again. */
export interface DemoFix {
  /** Completes "dana (DevOps) …": "adds FEATURE_CARD_ISSUING=on to …/production.env". */
  what: string;
  apply(): Promise<void>;
  /**
   * True once applied, for a problem this fix removes. A stage that read the file before the fix (the
   * T-24h config diff compares the same env files) holds with such a problem and only needs a re-run.
   */
  cured(problem: string): boolean;
}

export interface DemoReadiness {
  plan: CutoverPlan;
  /** By checklist item id: what makes its failed check pass on a retry. */
  fixes: ReadonlyMap<string, DemoFix>;
}

/** The key the production copy leaves out when both files have it: a feature flag, harmless to show. */
const PREFERRED_MISSING_KEY = 'FEATURE_CARD_ISSUING';

function locate(path: string): string {
  if (isAbsolute(path)) return path;
  for (const base of [process.cwd(), PROJECT_ROOT]) {
    const candidate = resolve(base, path);
    if (existsSync(candidate)) return candidate;
  }
  // Left for the check itself to report, with the path it tried.
  return resolve(path);
}

/** A key production shares with sandbox that may not differ, so leaving it out is a finding. */
function keyToLeaveOut(sandboxText: string, productionText: string, allowedDifferences: string[]): string | undefined {
  const sandbox = parseEnvFile(sandboxText, 'sandbox').values;
  const candidates = [...parseEnvFile(productionText, 'production').values.keys()].filter(
    (key) => sandbox.has(key) && !allowedDifferences.includes(key),
  );
  return candidates.includes(PREFERRED_MISSING_KEY) ? PREFERRED_MISSING_KEY : candidates[0];
}

export async function prepareDemoReadiness(plan: CutoverPlan, workDir: string): Promise<DemoReadiness> {
  const located = pointReadinessFilesAt(plan, locate);
  const cicdEnv = located.readiness.cicdEnv;
  if (!cicdEnv) return { plan: located, fixes: new Map() };

  let sandboxText: string;
  let productionText: string;
  try {
    [sandboxText, productionText] = await Promise.all([readFile(cicdEnv.sandboxFile, 'utf8'), readFile(cicdEnv.productionFile, 'utf8')]);
  } catch {
    // Unreadable files are the check's finding to report; there is nothing to copy.
    return { plan: located, fixes: new Map() };
  }
  const dir = resolve(join(workDir, 'demo-ci'));
  await mkdir(dir, { recursive: true });
  const sandboxFile = join(dir, 'sandbox.env');
  const productionFile = join(dir, 'production.env');
  await writeFile(sandboxFile, sandboxText);

  const fixes = new Map<string, DemoFix>();
  const key = keyToLeaveOut(sandboxText, productionText, cicdEnv.allowedDifferences);
  const setsKey = (line: string) => key !== undefined && new RegExp(`^\\s*(?:export\\s+)?${key}\\s*=`).test(line);
  const lines = productionText.split('\n');
  const removed = lines.filter(setsKey);
  await writeFile(productionFile, lines.filter((line) => !setsKey(line)).join('\n'));
  const cicdItem = plan.readiness.items.find((item) => item.check === 'cicd-env');
  if (cicdItem && key !== undefined && removed.length > 0) {
    let applied = false;
    fixes.set(cicdItem.id, {
      what: `adds ${removed.map((line) => line.trim()).join(', ')} to ${productionFile}`,
      async apply() {
        await writeFile(productionFile, productionText);
        applied = true;
      },
      cured: (problem) => applied && problem.includes(key) && problem.includes(productionFile),
    });
  }
  return {
    plan: { ...located, readiness: { ...located.readiness, cicdEnv: { ...cicdEnv, sandboxFile, productionFile } } },
    fixes,
  };
}
