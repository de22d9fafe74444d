/**
 * The plan reference and the plan's JSON Schema, both generated from `CutoverPlanFile` and its `.describe()`
 * texts, so the documentation of a plan file cannot say something the validator does not (`npm run docs:plan`
 * writes them; a unit test fails when the committed files differ from what this returns).
 */
import { z } from 'zod';
import { formatDuration } from './duration.js';
import { CutoverPlanFile } from './schema.js';

type JsonSchema = {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  [key: string]: unknown;
};

/** Where the published schema lives, relative to the repository. */
export const PLAN_SCHEMA_FILE = 'docs/plan.schema.json';
export const PLAN_REFERENCE_FILE = 'docs/plan-reference.md';

/** Larger than any safe integer means "no bound" to a reader; zod writes it for `.int()`. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * The schema of what people write. Durations are written as text (`48h`) but default to milliseconds, which
 * zod cannot show on the text side; their defaults are filled in from the parsed side, written as durations.
 * A section's default is `{}`: each of its fields then takes its own default, which is what the section's
 * parsed default holds (the plan suite checks it), and which, unlike the parsed form, an editor can insert.
 */
export function planJsonSchema(): JsonSchema {
  const input = z.toJSONSchema(CutoverPlanFile, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const output = z.toJSONSchema(CutoverPlanFile, { io: 'output', unrepresentable: 'any' }) as JsonSchema;
  fillDefaults(input, output);
  return {
    $schema: input.$schema,
    $id: 'https://payca-cutover.example/plan.schema.json',
    title: 'PayCA cutover plan',
    description:
      'One YAML file per programme: who approves, where PayCA and the webhook are, funding, smoke test, readiness, stages and the post-launch watch. Validated by `cutover plan validate`.',
    ...withoutKeys(input, ['$schema']),
  };
}

function withoutKeys(schema: JsonSchema, keys: string[]): JsonSchema {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !keys.includes(key)));
}

function fillDefaults(input: JsonSchema, output: JsonSchema | undefined): void {
  if (!output) return;
  if (input.type === 'object' && input.properties !== undefined && isPlainObject(input.default ?? output.default)) {
    input.default = {};
  } else if (input.default === undefined && output.default !== undefined) {
    input.default = input.type === 'string' && typeof output.default === 'number' ? formatDuration(output.default) : output.default;
  }
  for (const [key, child] of Object.entries(input.properties ?? {})) fillDefaults(child, output.properties?.[key]);
  if (typeof input.additionalProperties === 'object' && typeof output.additionalProperties === 'object') {
    fillDefaults(input.additionalProperties, output.additionalProperties);
  }
  if (input.items && output.items) fillDefaults(input.items, output.items);
  (input.oneOf ?? []).forEach((variant, i) => fillDefaults(variant, output.oneOf?.[i]));
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Row {
  path: string;
  type: string;
  required: boolean;
  default: string;
  meaning: string;
}

function typeOf(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return `one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  if (schema.oneOf ?? schema.anyOf) return (schema.oneOf ?? schema.anyOf ?? []).map(variantOf).join(' or ');
  if (schema.title === 'duration') return 'duration';
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  if (type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'any'}${bounds(schema)}`;
  if (type === 'object' && typeof schema.additionalProperties === 'object') {
    const keys = schema.propertyNames ? typeOf(schema.propertyNames) : 'string';
    return `map from ${keys} to ${typeOf(schema.additionalProperties)}`;
  }
  return `${type}${shape(schema)}${bounds(schema)}`;
}

function variantOf(schema: JsonSchema): string {
  const kind = schema.properties?.kind?.const;
  return kind === undefined ? typeOf(schema) : `object with kind \`${typeof kind === 'string' ? kind : JSON.stringify(kind)}\``;
}

function shape(schema: JsonSchema): string {
  if (schema.format === 'uri') return ' (URL)';
  if (schema.format === 'date-time') return ' (ISO 8601 time with zone)';
  if (schema.pattern) return ` matching \`${schema.pattern}\``;
  return '';
}

function bounds(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.minimum !== undefined && schema.minimum > -NO_BOUND) parts.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined && schema.maximum < NO_BOUND) parts.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) parts.push(`< ${schema.exclusiveMaximum}`);
  if (schema.minLength !== undefined && schema.minLength > 1) parts.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
  if (schema.minItems !== undefined) parts.push(`at least ${schema.minItems}`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}

function rowsOf(schema: JsonSchema, path: string, required: boolean, rows: Row[], ownRow = true): void {
  if (path !== '' && ownRow) {
    rows.push({
      path,
      type: typeOf(schema),
      required,
      default: schema.default === undefined ? '' : `\`${JSON.stringify(schema.default)}\``,
      meaning: schema.description ?? '',
    });
  }
  const prefix = path === '' ? '' : `${path}.`;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    rowsOf(child, `${prefix}${key}`, schema.required?.includes(key) ?? false, rows);
  }
  if (typeof schema.additionalProperties === 'object' && isStructured(schema.additionalProperties)) {
    rowsOf(schema.additionalProperties, `${prefix}<key>`, false, rows);
  }
  // A list entry's own row would only repeat the list's type; its fields get rows.
  if (schema.items && isStructured(schema.items)) rowsOf(schema.items, `${path}[]`, true, rows, false);
  for (const variant of schema.oneOf ?? []) {
    const kind = variant.properties?.kind?.const;
    const label = kind === undefined ? path : `${path}(kind: ${typeof kind === 'string' ? kind : JSON.stringify(kind)})`;
    for (const [key, child] of Object.entries(variant.properties ?? {})) {
      if (key !== 'kind') rowsOf(child, `${label}.${key}`, variant.required?.includes(key) ?? false, rows);
    }
  }
}

/** Only objects and unions get rows of their own inside a list or map; a list of strings is one row. */
function isStructured(schema: JsonSchema): boolean {
  return schema.properties !== undefined || schema.oneOf !== undefined;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Every field of a plan file, in the order the schema declares them, as a Markdown page. */
export function planReference(schema: JsonSchema = planJsonSchema()): string {
  const rows: Row[] = [];
  rowsOf(schema, '', true, rows);
  const lines = [
    '# Plan reference',
    '',
    '<!-- Generated by `npm run docs:plan` from the plan schema (src/plan/schema.ts and the parts it takes from plan-fields.ts and people.ts); edit the `.describe()` texts there, not this file. -->',
    '',
    `Every field of a cutover plan file (\`plans/example.yaml\` is a complete one). The same schema is published as`,
    `JSON Schema in [plan.schema.json](plan.schema.json): a plan file whose first line is`,
    '`# yaml-language-server: $schema=../docs/plan.schema.json` gets completion and checking in editors that use',
    "the YAML language server. `cutover plan validate` checks what a schema cannot: the plan's own rules (gates",
    'that can be staffed, a watch segment that is a whole number of summaries, https for production targets…).',
    '',
    'Durations are written as `24h`, `-12h`, `90m`, `1h30m`, `45s` or `2d`. `<key>` stands for a map key; `[]` for',
    'each entry of a list. A field is required when its parent is given, unless it has a default or says optional.',
    '',
    '| Path | Type | Required | Default | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.path}\` | ${cell(row.type)} | ${row.required && row.default === '' ? 'yes' : 'no'} | ${cell(row.default)} | ${cell(row.meaning)} |`,
    ),
    '',
  ];
  return lines.join('\n');
}

/** The published JSON Schema as the file holds it. */
export function planSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}
