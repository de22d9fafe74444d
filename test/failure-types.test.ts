/**
 * The failure types the activities and the workflow raise live in one registry (`FAILURE_TYPES` and PayCA's
 * codes in src/errors.ts). A source scan keeps it that way: a string literal where a failure type is written
 * (an ApplicationFailure's `type`, whether built by a factory or `new`, a retry policy's `nonRetryableErrorTypes`, a comparison with the `type` of
 * a value just checked to be an ApplicationFailure) fails the suite. The recorded spellings are pinned, since
 * histories, hold reasons and the workflow's own branches carry them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import {
  FAILURE_TYPES,
  NON_RETRYABLE_PAYCA_CODES,
  PAYCA_CODE,
  PAYCA_ERROR_CODES,
  PAYCA_TRANSPORT_CODES,
  failureTypeOf,
} from '../src/errors.js';

const ROOT = resolve(__dirname, '..', '..');
const SRC = join(ROOT, 'src');

const FAILURE_FACTORIES = new Set(['create', 'fromError', 'nonRetryable', 'retryable']);

interface Finding {
  file: string;
  line: number;
  text: string;
}

function isStringLiteral(node: ts.Node | undefined): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression {
  return node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node));
}

function isApplicationFailureCall(node: ts.CallExpression): string | undefined {
  const callee = node.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  if (!ts.isIdentifier(callee.expression) || callee.expression.text !== 'ApplicationFailure') return undefined;
  return FAILURE_FACTORIES.has(callee.name.text) ? callee.name.text : undefined;
}

function typeProperty(options: ts.Expression | undefined): ts.Expression | undefined {
  if (!options || !ts.isObjectLiteralExpression(options)) return undefined;
  for (const property of options.properties) {
    if (ts.isPropertyAssignment(property) && property.name.getText() === 'type') return property.initializer;
  }
  return undefined;
}

/** The names checked with `NAME instanceof ApplicationFailure` in the `&&` chain that holds `node`. */
function narrowedToFailure(node: ts.Node): Set<string> {
  const names = new Set<string>();
  let top: ts.Node = node;
  while (ts.isBinaryExpression(top.parent) || ts.isParenthesizedExpression(top.parent) || ts.isPrefixUnaryExpression(top.parent)) {
    top = top.parent;
  }
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword &&
      ts.isIdentifier(n.right) &&
      n.right.text === 'ApplicationFailure'
    ) {
      names.add(n.left.getText());
    }
    ts.forEachChild(n, visit);
  };
  visit(top);
  return names;
}

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** Every place in `code` where a failure type is written as a string literal. */
function failureTypeLiterals(file: string, code: string): Finding[] {
  const source = ts.createSourceFile(file, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Finding[] = [];
  const report = (node: ts.Node): void => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push({ file, line: line + 1, text: node.getText(source) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const factory = isApplicationFailureCall(node);
      if (factory === 'create' || factory === 'fromError') {
        const type = typeProperty(node.arguments[factory === 'create' ? 0 : 1]);
        if (isStringLiteral(type)) report(type);
      } else if (factory !== undefined && isStringLiteral(node.arguments[1])) {
        report(node.arguments[1]);
      }
    }
    if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'ApplicationFailure' &&
      isStringLiteral(node.arguments?.[1])
    ) {
      report(node.arguments[1]);
    }
    if (
      ts.isPropertyAssignment(node) &&
      node.name.getText() === 'nonRetryableErrorTypes' &&
      ts.isArrayLiteralExpression(node.initializer)
    ) {
      for (const element of node.initializer.elements) if (isStringLiteral(element)) report(element);
    }
    if (ts.isBinaryExpression(node) && EQUALITY.has(node.operatorToken.kind)) {
      for (const [side, other] of [
        [node.left, node.right],
        [node.right, node.left],
      ] as const) {
        if (ts.isPropertyAccessExpression(side) && side.name.text === 'type' && isStringLiteral(other)) {
          if (narrowedToFailure(node).has(side.expression.getText())) report(other);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

describe('failure types', () => {
  it('names no failure type in src/ with a string literal: each comes from the errors module', () => {
    const files = sourceFiles(SRC);
    assert.ok(files.length > 100, `expected the whole source tree, found ${files.length} files`);
    const findings = files.flatMap((file) => failureTypeLiterals(relative(ROOT, file), readFileSync(file, 'utf8')));
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.text}`),
      [],
      'register the type in FAILURE_TYPES (src/errors.ts) and use the constant',
    );
  });

  it('finds a literal failure type in every place one is written', () => {
    const probe = [
      "throw ApplicationFailure.create({ type: 'SomethingNew', message: 'm', nonRetryable: true });",
      "throw ApplicationFailure.nonRetryable(`go-live ${x} is not a time`, 'InvalidInput');",
      "throw ApplicationFailure.retryable('try again', `Later`);",
      "throw ApplicationFailure.fromError(err, { type: 'Wrapped' });",
      "const policy = { nonRetryableErrorTypes: [...codes, 'CONFIG_INVALID'] };",
      "if (err instanceof ApplicationFailure && err.type === 'MessageRefused') return;",
      "if (!(err instanceof ApplicationFailure && 'ErrNotFound' !== err.type)) throw err;",
      "throw new ApplicationFailure('m', 'Constructed', true);",
    ].join('\n');
    assert.deepEqual(
      failureTypeLiterals('probe.ts', probe).map((f) => `${f.line} ${f.text}`),
      [
        "1 'SomethingNew'",
        "2 'InvalidInput'",
        '3 `Later`',
        "4 'Wrapped'",
        "5 'CONFIG_INVALID'",
        "6 'MessageRefused'",
        "7 'ErrNotFound'",
        "8 'Constructed'",
      ],
    );
  });

  it('passes constants and comparisons that are not about failures', () => {
    const probe = [
      'throw ApplicationFailure.create({ type: FAILURE_TYPES.MESSAGE_REFUSED, message: reason, nonRetryable: true });',
      'throw ApplicationFailure.nonRetryable(`bad ${x}`, FAILURE_TYPES.INVALID_INPUT);',
      'if (err instanceof ApplicationFailure && err.type === PAYCA_CODE.ErrIdempotencyConflict) return;',
      "const sum = entries.filter((e) => e.type === 'topup');",
    ].join('\n');
    assert.deepEqual(failureTypeLiterals('probe.ts', probe), []);
  });

  it('keeps the spelling every failure type was first recorded with', () => {
    assert.deepEqual(FAILURE_TYPES, {
      PAYCA_TARGET_NOT_ALLOWED: 'PAYCA_TARGET_NOT_ALLOWED',
      WEBHOOK_TARGET_NOT_ALLOWED: 'WEBHOOK_TARGET_NOT_ALLOWED',
      CREDENTIALS_MISSING: 'CREDENTIALS_MISSING',
      CONFIG_INVALID: 'CONFIG_INVALID',
      ACTIVITY_TIMED_OUT: 'ACTIVITY_TIMED_OUT',
      WEBHOOK_URL_INVALID: 'WebhookUrlInvalid',
      WEBHOOK_ENDPOINT_UNREACHABLE: 'WebhookEndpointUnreachable',
      WEBHOOK_DELIVERY_FAILED: 'WebhookDeliveryFailed',
      WEBHOOK_DELIVERY_TIMED_OUT: 'WebhookDeliveryTimedOut',
      SEED_CSV_CHANGED: 'SeedCsvChanged',
      SEED_RECORD_CHANGED: 'SeedRecordChanged',
      WRONG_ENVIRONMENT: 'WrongEnvironment',
      ACCOUNT_NOT_VISIBLE: 'AccountNotVisible',
      LEDGER_MISMATCH: 'LedgerMismatch',
      SANDBOX_JOB_UNREACHABLE: 'SandboxJobUnreachable',
      SANDBOX_JOB_BAD_STATUS: 'SandboxJobBadStatus',
      MESSAGE_REFUSED: 'MessageRefused',
      INVALID_INPUT: 'InvalidInput',
    });
  });

  it('names every constant in one convention, with no value shared by two types or with a PayCA code', () => {
    const names = Object.keys(FAILURE_TYPES);
    for (const name of names) assert.match(name, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, `${name} is not SCREAMING_SNAKE`);
    const values: string[] = Object.values(FAILURE_TYPES);
    assert.equal(new Set(values).size, values.length, 'two failure types share a value');
    const payca = new Set<string>([...PAYCA_ERROR_CODES, ...PAYCA_TRANSPORT_CODES]);
    assert.deepEqual(
      values.filter((v) => payca.has(v)),
      [],
    );
  });

  it("keeps PayCA's codes as PayCA names them, each under its own name", () => {
    for (const code of [...PAYCA_ERROR_CODES, ...PAYCA_TRANSPORT_CODES]) assert.equal(PAYCA_CODE[code], code);
    assert.equal(Object.keys(PAYCA_CODE).length, PAYCA_ERROR_CODES.length + PAYCA_TRANSPORT_CODES.length);
    for (const code of NON_RETRYABLE_PAYCA_CODES) assert.ok(code in PAYCA_CODE, `${code} is not a PayCA code`);
  });

  it('turns only registered cutover codes into failure types', () => {
    assert.equal(failureTypeOf('CREDENTIALS_MISSING'), FAILURE_TYPES.CREDENTIALS_MISSING);
    assert.equal(failureTypeOf('CONFIG_INVALID'), FAILURE_TYPES.CONFIG_INVALID);
    assert.equal(failureTypeOf('PLAN_INVALID'), undefined);
  });
});
