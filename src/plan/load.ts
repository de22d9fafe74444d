/** Reads a plan file from disk, parses YAML and validates it, naming every problem with its path. */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { CutoverError, PlanInvalidError } from '../errors.js';
import { CutoverPlanFile, normalisePlan, type CutoverPlan } from './schema.js';

export interface PlanProblem {
  path: string;
  message: string;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** Validates already-read text; `file` only names the source in messages. */
export function parsePlanText(text: string, file: string): CutoverPlan {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PlanInvalidError(
      file,
      doc.errors.map((e) => ({
        path: e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '',
        message: `YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PlanInvalidError(file, [{ path: '', message: 'the plan must be a YAML mapping (key: value lines)' }]);
  }
  const result = CutoverPlanFile.safeParse(raw);
  if (!result.success) throw new PlanInvalidError(file, planProblems(result.error));
  return normalisePlan(result.data);
}

export function planProblems(error: z.ZodError): PlanProblem[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

export async function loadPlanFile(file: string): Promise<CutoverPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CutoverError(
      'PLAN_NOT_FOUND',
      code === 'ENOENT'
        ? `plan file ${file} does not exist; pass the path of a YAML plan such as plans/example.yaml`
        : `plan file ${file} could not be read (${code ?? String(err)})`,
      { file },
    );
  }
  return parsePlanText(text, file);
}
