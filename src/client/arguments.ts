/**
 * Command-line values are validated here, at the edge, before anything talks to Temporal.
 * Each parser throws UsageError (exit 2) naming the offending value and the values that would work.
 */
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseDuration } from '../plan/duration.js';
import { RUNBOOK_ITEMS } from '../runbook/readiness-items.js';
import type { CutoverPhase, Decision, Severity } from '../workflows/cutover-state.js';
import { STAGE_IDS, type StageId } from '../runbook/stages.js';

export const DECISIONS = ['roll-forward', 'roll-back'] as const satisfies readonly Decision[];
export const SEVERITIES = ['sev1', 'sev2', 'sev3'] as const satisfies readonly Severity[];

export const PHASES = [
  'waiting',
  'running',
  'holding',
  'compensating',
  'watching',
  'completed',
  'rolled-back',
  'aborted',
] as const satisfies readonly CutoverPhase[];

const StageArg = z.enum(STAGE_IDS, { error: `must be one of ${STAGE_IDS.join(', ')}` });
const DecisionArg = z.enum(DECISIONS, { error: `must be one of ${DECISIONS.join(', ')}` });
const SeverityArg = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` });
const PhaseArg = z.enum(PHASES, { error: `must be one of ${PHASES.join(', ')}` });

/** Same shape as a person in the plan's approvers list, so a typo fails here rather than in the workflow. */
const PersonArg = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be a person id as written in the plan, such as "lara" or "erin.eng"');

/**
 * Same shape as an item id in the plan's readiness section. Only the shape: the plan may add items of its
 * own, so the workflow, which knows them all, refuses an unknown id and lists the known ones.
 */
const ItemArg = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]*$/,
    'must be a checklist item id, lower-case words joined by dashes such as secrets-in-vault (`cutover checklist ID` lists them)',
  );

const TextArg = z.string().trim().min(1, 'must not be empty');

const WorkflowIdArg = z.string().min(1, 'must not be empty').regex(/^\S+$/, 'must not contain spaces');

const PortArg = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535 (0 picks a free port)')
  .max(65535, 'must be between 0 and 65535 (0 picks a free port)');

/** The workflow runs the plan clock at 1× (a real cutover) or faster (rehearsals), never slower. */
const TimeScaleArg = z.coerce.number({ error: 'must be a number' }).min(1, 'must be 1 (real time) or more');

const NonNegativeSecondsArg = z.coerce
  .number({ error: 'must be a number of seconds' })
  .min(0, 'must be 0 or more')
  .max(3600, 'must be at most 3600 (an hour)');

const PositiveNumberArg = z.coerce.number({ error: 'must be a number' }).positive('must be greater than zero');

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const reason = result.error.issues.map((issue) => issue.message).join('; ');
  throw new UsageError(`${what} ${JSON.stringify(value)} is not valid: ${reason}`);
}

export const parseStage = (value: string): StageId => parseWith(StageArg, value, 'stage');
export const parseDecision = (value: string): Decision => parseWith(DecisionArg, value, 'decision');
export const parseSeverity = (value: string): Severity => parseWith(SeverityArg, value, '--severity');
export const parsePhase = (value: string): CutoverPhase => parseWith(PhaseArg, value, '--phase');
export const parsePerson = (value: string, flag = '--as'): string => parseWith(PersonArg, value, flag);
export const parseText = (value: string, flag: string): string => parseWith(TextArg, value, flag);
export const parseWorkflowId = (value: string, what = 'workflow id'): string => parseWith(WorkflowIdArg, value, what);
export const parsePort = (value: string | number, flag: string): number => parseWith(PortArg, value, flag);
export const parseTimeScale = (value: string | number): number => parseWith(TimeScaleArg, value, '--time-scale');
export const parseNonNegativeSeconds = (value: string, flag: string): number => parseWith(NonNegativeSecondsArg, value, flag);
export const parsePositiveNumber = (value: string | number, flag: string): number => parseWith(PositiveNumberArg, value, flag);

/** A checklist item id; a runbook id written loosely ("Secrets_in_vault") is named in the answer. */
export function parseItem(value: string): string {
  const loose = value
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  const meant = RUNBOOK_ITEMS.find((item) => item.id === loose && item.id !== value);
  if (meant) throw new UsageError(`item ${JSON.stringify(value)} is not valid: did you mean ${meant.id}?`);
  return parseWith(ItemArg, value, 'item');
}

/**
 * `--by` of `cutover watch extend`: plan time to add to the watch, as the plan writes durations (`12h`, `1d`,
 * `90m`). Only the shape is checked here; the workflow, which knows the watch, refuses an extension too long.
 */
export function parseExtension(value: string, flag = '--by'): number {
  const ms = parseDuration(value);
  if (ms === undefined) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not valid: write a duration such as 12h, 90m or 1d12h`);
  }
  if (ms <= 0 || !Number.isInteger(ms)) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not valid: extend by a positive duration such as 12h, 90m or 1d12h`);
  }
  return ms;
}

/** `--go-live`: an ISO 8601 time with zone, or `+DURATION` from now (`+25h`, `+90m`). */
export function parseGoLive(value: string, now: Date = new Date()): Date {
  const text = value.trim();
  if (text.startsWith('+')) {
    const ms = parseDuration(text);
    if (ms === undefined) {
      throw new UsageError(`--go-live ${JSON.stringify(value)} is not valid: write a duration from now such as +25h or +1h30m`);
    }
    return new Date(now.getTime() + ms);
  }
  const iso = z.iso.datetime({ offset: true }).safeParse(text);
  if (!iso.success) {
    throw new UsageError(
      `--go-live ${JSON.stringify(value)} is not valid: write an ISO 8601 time with zone (2026-12-01T09:00:00Z) or a duration from now (+25h)`,
    );
  }
  return new Date(text);
}
