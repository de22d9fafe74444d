/** Reads a plan file from disk, parses YAML and validates it, naming every problem with its path. */
import { readFile } from 'node:fs/promises';
import { isPair, isScalar, isSeq, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { z } from 'zod';
import { CutoverError, PlanInvalidError, type PlanProblem } from '../errors.js';
import { planIssueMessage, planProblemCode } from './problem-messages.js';
import { CutoverPlanFile, normalisePlan, type CutoverPlan } from './schema.js';

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** The plan path of the mapping key at `offset`, such as `stages.go-live` for a stage written twice. */
function keyPathAt(doc: Document, offset: number): string | undefined {
  let found: string | undefined;
  visit(doc, {
    Pair(_, pair, ancestors) {
      const key = pair.key;
      if (!isScalar(key) || !key.range || offset < key.range[0] || offset >= key.range[1]) return undefined;
      const path: PropertyKey[] = [];
      ancestors.forEach((node, i) => {
        if (isPair(node) && isScalar(node.key)) path.push(String(node.key.value));
        if (isSeq(node)) path.push(node.items.indexOf(ancestors[i + 1]));
      });
      found = formatPath([...path, String(key.value)]);
      return visit.BREAK;
    },
  });
  return found;
}

function yamlProblem(doc: Document, error: YAMLError): PlanProblem {
  const at = error.linePos?.[0] ? `line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
  const key = error.code === 'DUPLICATE_KEY' ? keyPathAt(doc, error.pos[0]) : undefined;
  const advice = error.code === 'DUPLICATE_KEY' ? 'write each key once' : 'correct the YAML there';
  return {
    code: error.code === 'DUPLICATE_KEY' ? 'PLAN_YAML_DUPLICATE_KEY' : 'PLAN_YAML_SYNTAX',
    path: [key, at].filter(Boolean).join(', '),
    message: `YAML: ${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}; ${advice}`,
  };
}

/** Validates already-read text; `file` only names the source in messages. */
export function parsePlanText(text: string, file: string): CutoverPlan {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new PlanInvalidError(
      file,
      doc.errors.map((e) => yamlProblem(doc, e)),
    );
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (err) {
    // Aliases are resolved only here: one that names no anchor, or expands without bound, throws.
    const why = err instanceof Error ? err.message : String(err);
    throw new PlanInvalidError(file, [
      { code: 'PLAN_YAML_ALIAS', path: '', message: `YAML: ${why}; write the values out instead of using aliases (*name)` },
    ]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PlanInvalidError(file, [
      { code: 'PLAN_NOT_A_MAPPING', path: '', message: 'the plan must be a YAML mapping (key: value lines)' },
    ]);
  }
  const result = CutoverPlanFile.safeParse(raw, { error: planIssueMessage, reportInput: true });
  if (!result.success) throw new PlanInvalidError(file, planProblems(result.error));
  return normalisePlan(result.data);
}

export function planProblems(error: z.ZodError): PlanProblem[] {
  return error.issues.map((issue) => ({ code: planProblemCode(issue), path: formatPath(issue.path), message: issue.message }));
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
