/**
 * Words for the plan problems zod describes in its own terms ("Invalid input: expected string, received
 * undefined"): each says what is wrong and what to write instead, for the person editing the YAML.
 * The schema's own messages win over these; this only fills in where the schema gives none. Each problem
 * also gets a stable code, from the kind of issue zod found.
 */
import { z } from 'zod';
import type { PlanProblemCode } from '../errors.js';

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

/** The keys a mapping allows, from the schema that refused an unknown one: an object's fields, or a record's enumerated keys. */
function allowedKeys(inst: unknown): string[] {
  if (inst instanceof z.ZodObject) return Object.keys(inst.shape);
  if (inst instanceof z.ZodRecord && inst.keyType instanceof z.ZodEnum) return inst.keyType.options.map(String);
  return [];
}

function bound(issue: { origin?: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean }, small: boolean): string {
  const limit = String(small ? issue.minimum : issue.maximum);
  if (issue.origin === 'string')
    return small && limit === '1' ? 'must not be empty' : `must be ${small ? 'at least' : 'at most'} ${limit} characters`;
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

/** The stable code of one zod issue found in a plan (parsed with `reportInput`, so a missing value is told from a wrong one). */
export function planProblemCode(issue: z.core.$ZodIssue): PlanProblemCode {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'PLAN_VALUE_MISSING' : 'PLAN_WRONG_TYPE';
    case 'unrecognized_keys':
      return 'PLAN_UNKNOWN_KEY';
    case 'invalid_key':
      return 'PLAN_INVALID_KEY';
    case 'invalid_union':
    case 'invalid_value':
    case 'invalid_element':
    case 'not_multiple_of':
      return 'PLAN_VALUE_NOT_ALLOWED';
    case 'too_small':
      return 'PLAN_TOO_SMALL';
    case 'too_big':
      return 'PLAN_TOO_BIG';
    case 'invalid_format':
      return 'PLAN_INVALID_FORMAT';
    case 'custom':
      return 'PLAN_RULE_BROKEN';
  }
}
