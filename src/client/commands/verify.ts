/**
 * `cutover verify REPORT.json [--plan FILE]`: checks every signed answer in a launch report, at the gates
 * and on the checklist, offline with nothing but the report (and, to pin the keys, the plan): each
 * signature must verify over the statement rebuilt from the report's own fields.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CutoverError } from '../../errors.js';
import { loadPlanFile } from '../../plan/load.js';
import { approvalStatement, itemStatement, shortHex, signatureVerifies } from '../../signing/approval-statement.js';
import { parseText } from '../arguments.js';
import { examples } from '../help.js';
import { say } from '../output.js';

const Signature = z.object({ signedAt: z.string(), evidenceDigest: z.string(), value: z.string(), publicKey: z.string() });

const ReportApprovals = z.object({
  workflowId: z.string().min(1),
  approvals: z.array(
    z.object({
      stage: z.string(),
      attempt: z.number().int(),
      by: z.string(),
      decision: z.enum(['approved', 'rejected', 'roll-forward', 'roll-back']),
      note: z.string().nullable(),
      authorizationId: z.string().nullable(),
      signature: Signature.nullable().optional(),
    }),
  ),
  /** Reports written before checklist answers could be signed have none. */
  itemAnswers: z
    .array(
      z.object({
        item: z.string(),
        attempt: z.number().int(),
        by: z.string(),
        decision: z.enum(['complete-item', 'waive-item', 'retry-item']),
        note: z.string().nullable(),
        signature: Signature,
      }),
    )
    .default([]),
});
type ReportApprovals = z.infer<typeof ReportApprovals>;

function readReport(file: string): ReportApprovals {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CutoverError('REPORT_INVALID', `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CutoverError(
      'REPORT_INVALID',
      `${file} is not JSON: verify reads the JSON launch report (\`cutover report ID --format json --out FILE\`)`,
    );
  }
  const parsed = ReportApprovals.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new CutoverError(
      'REPORT_INVALID',
      `${file} is not a launch report: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unexpected shape'}`,
    );
  }
  return parsed.data;
}

export function verifyCommand(): Command {
  return new Command('verify')
    .description(
      "check every signed approval, rejection, decision and checklist answer in a JSON launch report against the signer's public key",
    )
    .argument('<report>', 'the JSON launch report (`cutover report ID --format json --out FILE`)')
    .option('--plan <file>', "also require each key to be the plan's key for that person")
    .addHelpText('after', examples('cutover verify launch-report.json', 'cutover verify launch-report.json --plan plans/example.yaml'))
    .action(async (file: string, options: { plan?: string }) => {
      const report = readReport(parseText(file, 'report'));
      const planKeys = options.plan ? ((await loadPlanFile(options.plan)).signing?.publicKeys ?? {}) : undefined;
      const signed = [
        ...report.approvals.flatMap((approval) =>
          approval.signature
            ? [
                {
                  what: `${approval.stage} attempt ${approval.attempt}: ${approval.decision} by ${approval.by}`,
                  by: approval.by,
                  signature: approval.signature,
                  statement: approvalStatement({ ...approval, workflowId: report.workflowId, ...approval.signature }),
                },
              ]
            : [],
        ),
        ...report.itemAnswers.map((answer) => ({
          what: `checklist ${answer.item} (${answer.attempt} check run${answer.attempt === 1 ? '' : 's'}): ${answer.decision} by ${answer.by}`,
          by: answer.by,
          signature: answer.signature,
          statement: itemStatement({ ...answer, workflowId: report.workflowId, ...answer.signature }),
        })),
      ];
      const failures: string[] = [];
      for (const { what, by, signature, statement } of signed) {
        let problem: string | undefined;
        if (!signatureVerifies(statement, signature.value, signature.publicKey)) problem = 'signature does not verify';
        else if (planKeys && planKeys[by] !== signature.publicKey) {
          problem = `key ${shortHex(signature.publicKey)} is not the plan's key for ${by}`;
        }
        if (problem) failures.push(`${what}: ${problem}`);
        say(
          `${problem ? 'FAILED' : 'ok    '} ${what} (signed ${signature.signedAt}, key ${shortHex(signature.publicKey)})${problem ? `: ${problem}` : ''}`,
        );
      }
      const unsigned = report.approvals.filter((a) => !a.signature).length;
      say(
        `${signed.length - failures.length} of ${signed.length} signatures verified; ${unsigned} answer${unsigned === 1 ? '' : 's'} unsigned`,
      );
      if (failures.length) {
        throw new CutoverError(
          'SIGNATURE_INVALID',
          `${failures.length} signature${failures.length === 1 ? '' : 's'} in ${file} failed:\n  - ${failures.join('\n  - ')}`,
        );
      }
    });
}
