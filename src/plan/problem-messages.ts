/**
 * Words for the plan problems zod describes in its own terms ("Invalid input: expected string, received
 * undefined"): each says what is wrong and what to write instead, for the person editing the YAML.
 * The schema's own messages win over these; this only fills in where the schema gives none.
 */
import type { z } from 'zod';

const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  record: 'a mapping (key: value lines)',
};

const noun = (expected: string) => NOUNS[expected] ?? expected;

function describeValue(value: unknown): string {
  if (value === null) return 'empty (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/** The keys a mapping allows, from the schema that refused an unknown one. */
function allowedKeys(inst: unknown): string[] {
  const def = (inst as { _zod?: { def?: { shape?: object; keyType?: { options?: unknown[] } } } } | undefined)?._zod?.def;
  if (def?.shape) return Object.keys(def.shape);
  return (def?.keyType?.options ?? []).map(String);
}

function bound(issue: { origin?: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean }, small: boolean): string {
  const limit = String(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'string') return small && limit === '1' ? 'must not be empty' : `must be ${small ? 'at least' : 'at most'} ${limit} characters`;
  if (issue.origin === 'array' || issue.origin === 'set') return `${small ? 'list at least' : 'list at most'} ${limit}`;
  if (issue.inclusive === false) return `must be ${small ? 'more' : 'less'} than ${limit}`;
  return `must be ${small ? 'at least' : 'at most'} ${limit}`;
}

/** A zod error map for plan files: returns undefined to keep zod's words where these have nothing better. */
export const planIssueMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `is missing: add ${noun(issue.expected)} here`
        : `must be ${noun(issue.expected)}, not ${describeValue(issue.input)}`;
    case 'unrecognized_keys': {
      const allowed = allowedKeys(issue.inst);
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return `unknown key${issue.keys.length === 1 ? '' : 's'} ${keys}: remove ${issue.keys.length === 1 ? 'it' : 'them'}${allowed.length ? `, or use one of ${allowed.join(', ')}` : ''}`;
    }
    case 'invalid_key': {
      const inner = issue.issues.map((i) => i.message).join('; ');
      return `key "${String(issue.path?.at(-1) ?? '')}" is not valid: ${inner}`;
    }
    case 'invalid_union':
      return issue.discriminator
        ? `must be one of ${(issue.options as unknown[] | undefined)?.map(String).join(', ') ?? 'the allowed kinds'}`
        : undefined;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
      return bound(issue, true);
    case 'too_big':
      return bound(issue, false);
    default:
      return undefined;
  }
};
