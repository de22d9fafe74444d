/**
 * docs/plan-reference.md and docs/plan.schema.json are generated from the plan schema (`npm run docs:plan`);
 * these tests fail when a committed file has drifted from what the schema generates, when a field has no
 * description, and when the published schema would refuse or misstate the example plan.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { planJsonSchema, planReference, planSchemaText, PLAN_REFERENCE_FILE, PLAN_SCHEMA_FILE } from '../src/plan/reference.js';
import { CutoverPlanFile } from '../src/plan/schema.js';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLE_PLAN = join(ROOT, 'plans', 'example.yaml');

interface Node {
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  items?: Node;
  oneOf?: Node[];
  default?: unknown;
  type?: string;
}

function examplePlan(): Record<string, unknown> {
  return parse(readFileSync(EXAMPLE_PLAN, 'utf8')) as Record<string, unknown>;
}

/** Every key of `value` that the schema at `node` has no place for, as a dotted path. */
function keysWithoutPlace(value: unknown, node: Node, path: string): string[] {
  if (Array.isArray(value))
    return node.items ? value.flatMap((entry, i) => keysWithoutPlace(entry, node.items ?? {}, `${path}[${i}]`)) : [];
  if (typeof value !== 'object' || value === null) return [];
  if (node.oneOf) {
    const fits = node.oneOf.filter((variant) => keysWithoutPlace(value, variant, path).length === 0);
    return fits.length > 0 ? [] : [`${path} (no variant fits)`];
  }
  return Object.entries(value).flatMap(([key, child]) => {
    const place = node.properties?.[key] ?? (typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined);
    return place ? keysWithoutPlace(child, place, path ? `${path}.${key}` : key) : [path ? `${path}.${key}` : key];
  });
}

/** Dotted paths of the sections whose published default is `{}`. */
function sectionsDefaultingToEmpty(node: Node, path: string[] = []): string[][] {
  const found: string[][] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const at = [...path, key];
    if (child.type === 'object' && child.properties && JSON.stringify(child.default) === '{}') found.push(at);
    found.push(...sectionsDefaultingToEmpty(child, at));
  }
  return found;
}

function withSection(plan: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(plan);
  let parent: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    parent[key] = typeof next === 'object' && next !== null ? next : {};
    parent = parent[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] ?? '';
  if (value === undefined) delete parent[last];
  else parent[last] = value;
  return copy;
}

describe('plan reference and JSON Schema', () => {
  it('are committed exactly as the plan schema generates them (`npm run docs:plan`)', () => {
    assert.equal(
      readFileSync(join(ROOT, PLAN_REFERENCE_FILE), 'utf8'),
      planReference(),
      `${PLAN_REFERENCE_FILE} is stale: run npm run docs:plan`,
    );
    assert.equal(
      readFileSync(join(ROOT, PLAN_SCHEMA_FILE), 'utf8'),
      planSchemaText(),
      `${PLAN_SCHEMA_FILE} is stale: run npm run docs:plan`,
    );
  });

  it('gives every field of the plan a meaning, a type and a row', () => {
    const rows = planReference()
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    assert.ok(rows.length > 100, `expected a row per field, got ${rows.length}`);
    const undescribed = rows.filter((row) => row.endsWith('|  |')).map((row) => row.split(' | ')[0]);
    assert.deepEqual(undescribed, [], 'describe these fields in src/plan/schema.ts with .describe()');
    for (const path of ['`programme`', '`stages.<key>.gate`', '`postLaunch.watch.segment`', '`readiness.expectedBins[].bin`']) {
      assert.ok(
        rows.some((row) => row.startsWith(`| ${path} |`)),
        `no row for ${path}`,
      );
    }
    const segment = rows.find((row) => row.startsWith('| `postLaunch.watch.segment` |'));
    assert.match(segment ?? '', /\| duration \| no \| `"6h"` \|/);
  });

  it('names the published schema on the first line of the example plan, which has a place for each of its keys', () => {
    const [first] = readFileSync(EXAMPLE_PLAN, 'utf8').split('\n');
    assert.equal(first, `# yaml-language-server: $schema=../${PLAN_SCHEMA_FILE}`);
    assert.deepEqual(keysWithoutPlace(examplePlan(), planJsonSchema() as Node, ''), []);
  });

  it('finds a key the published schema has no place for', () => {
    const plan = { ...examplePlan(), stagez: {} };
    assert.deepEqual(keysWithoutPlace(plan, planJsonSchema() as Node, ''), ['stagez']);
  });

  it("publishes `{}` as a section's default only where it parses to the section's own default", () => {
    const sections = sectionsDefaultingToEmpty(planJsonSchema() as Node);
    assert.ok(sections.length >= 10, `expected the plan's defaulted sections, got ${sections.map((s) => s.join('.')).join(', ')}`);
    const plan = examplePlan();
    for (const path of sections) {
      const leftOut = CutoverPlanFile.parse(withSection(plan, path, undefined));
      const empty = CutoverPlanFile.parse(withSection(plan, path, {}));
      assert.deepEqual(empty, leftOut, `${path.join('.')}: {} and leaving it out differ`);
    }
  });
});
