/**
 * Writes measured stage durations back into a plan file as estimates (`stages.<id>.estimate`), editing
 * the YAML document in place so the author's comments, key order and other values stay as they wrote them.
 */
import { isMap, parseDocument } from 'yaml';
import { CutoverError } from '../errors.js';
import type { StageId } from '../runbook/stages.js';
import { formatDuration } from './duration.js';
import { parsePlanText } from './load.js';

export interface MeasuredEstimate {
  stage: StageId;
  durationMs: number;
}

/** Estimates are written in whole seconds, rounded up, and never below a second (a plan's durations must be above zero). */
export function estimateText(durationMs: number): string {
  return formatDuration(Math.max(1, Math.ceil(durationMs / 1000)) * 1000);
}

/**
 * The plan text with each measured stage's estimate set; validated as a plan before it is returned, so what
 * is written always loads. `file` only names the source in messages.
 */
export function calibratePlanText(text: string, file: string, measured: MeasuredEstimate[]): string {
  parsePlanText(text, file);
  const doc = parseDocument(text);
  const stages = doc.get('stages');
  if (stages !== undefined && stages !== null && !isMap(stages)) {
    throw new CutoverError(
      'PLAN_INVALID',
      `${file}: stages must be a mapping of stage id to changes before estimates can be written into it`,
    );
  }
  for (const { stage, durationMs } of measured) doc.setIn(['stages', stage, 'estimate'], estimateText(durationMs));
  const calibrated = doc.toString();
  parsePlanText(calibrated, file);
  return calibrated;
}
