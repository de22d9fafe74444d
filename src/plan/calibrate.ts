/**
 * Writes measured stage and task durations back into a plan file as estimates (`stages.<id>.estimate`,
 * `tasks[i].estimate` for the task with that id), editing
 * the YAML document in place so the author's comments, key order and other values stay as they wrote them.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { CutoverError } from '../errors.js';
import type { StageId } from '../runbook/stages.js';
import { formatDuration } from './duration.js';
import { parsePlanText } from './load.js';

export interface MeasuredEstimate {
  stage: StageId;
  durationMs: number;
}

export interface MeasuredTaskEstimate {
  task: string;
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
export function calibratePlanText(
  text: string,
  file: string,
  measured: MeasuredEstimate[],
  measuredTasks: MeasuredTaskEstimate[] = [],
): string {
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
  const tasks = doc.get('tasks');
  if (isSeq(tasks)) {
    // A task the plan no longer has keeps no estimate: the measure belongs to a task that is gone.
    for (const { task, durationMs } of measuredTasks) {
      const index = tasks.items.findIndex((item) => isMap(item) && item.get('id') === task);
      if (index >= 0) doc.setIn(['tasks', index, 'estimate'], estimateText(durationMs));
    }
  }
  const calibrated = doc.toString();
  parsePlanText(calibrated, file);
  return calibrated;
}
