/**
 * The example plan (`plans/example.yaml`) pointed at a running stack, for suites that drive the real CLI
 * with it: its simulators and receiver, its data files by absolute path (the worker may run elsewhere), no
 * go-live (each test gives one), a three-hour watch and the fee reconciliation at T+2h30m so a
 * rolled-forward run ends soon. Returned as the parsed document, for a suite's own edits before writing it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EXAMPLE_PLAN, ROOT } from './cli.js';
import type { PlanTargets } from './plans.js';

/** Files the example plan names relative to the checkout. */
const PLAN_FILES = ['plans/ci/sandbox.env', 'plans/ci/production.env', 'plans/data/seed-cards.csv'];

export type PlanDocument = Record<string, Record<string, unknown> | undefined>;

/**
 * Replaces an address only where its port ends: a free port picked for another server (say 40101) must not
 * be taken for the example's 4010 followed by a digit.
 */
function replaceAddress(text: string, address: string, replacement: string): string {
  return text.replace(new RegExp(`${address.replaceAll('.', '\\.')}(?!\\d)`, 'g'), () => replacement);
}

/** `editText` changes the example's text before the stack's addresses replace the example's own. */
export async function shortExamplePlan(targets: PlanTargets, editText: (text: string) => string = (text) => text): Promise<PlanDocument> {
  let example = await readFile(EXAMPLE_PLAN, 'utf8');
  for (const file of PLAN_FILES) {
    if (!example.includes(file)) throw new Error(`the example plan no longer names ${file}`);
    example = example.replaceAll(file, JSON.stringify(join(ROOT, file)));
  }
  let text = editText(example);
  for (const [address, replacement] of [
    ['http://127.0.0.1:4010', targets.production.url],
    ['http://127.0.0.1:4011', targets.sandbox.url],
    ['http://127.0.0.1:4020', targets.receiver.url],
  ] as const) {
    text = replaceAddress(text, address, replacement);
  }
  const plan = parseYaml(text) as PlanDocument;
  delete plan['goLive'];
  // These suites answer by name; the suites about who answered pin their own room key (identity-room.test.ts).
  delete plan['identity'];
  plan['stages'] = { ...plan['stages'], 'fee-reconciliation': { offset: '2h30m' } };
  plan['postLaunch'] = { ...plan['postLaunch'], watch: { window: '3h' } };
  return plan;
}
