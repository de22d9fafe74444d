/**
 * Readiness, runbook section 1 (DevOps): the CI/CD environment files of sandbox and production hold the
 * same keys, and their values differ only where the plan allows it. Secrets are shown by state alone
 * (missing, empty or set) and compared by keyed fingerprint: the likeliest mistake is a production pipeline
 * still holding the sandbox secret, or a secret that is not the production credential the worker holds.
 * Secret values never leave this module, not in problems, evidence, errors or fingerprints.
 * Files are read on the worker's machine; what is wrong with them comes back as problems, never a throw.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { PaycaCredentials, PaycaEnvironment } from '../../payca/credentials.js';

export interface CicdEnvInput {
  sandboxFile: string;
  productionFile: string;
  /** Keys whose values, or presence, may differ between the two files. */
  allowedDifferences: string[];
  /** Keys to treat as secrets on top of those whose names look like one (see SECRET_NAME). */
  secretKeys?: string[];
  /** The production file's key holding the PayCA client secret; PAYCA_CLIENT_SECRET when absent. */
  paycaClientSecretKey?: string;
}

export const DEFAULT_PAYCA_CLIENT_SECRET_KEY = 'PAYCA_CLIENT_SECRET';

/** The worker's PayCA credentials for an environment, or undefined when it holds none. */
export type WorkerCredentials = (environment: PaycaEnvironment) => PaycaCredentials | undefined;

/** What a secret shows instead of its value. */
export type SecretState = 'set' | 'missing' | 'empty';

export interface CicdEnvKey {
  key: string;
  /** The value, 'missing' when the file lacks the key; for a secret only its SecretState. */
  sandbox: string;
  production: string;
  secret: boolean;
  allowed: boolean;
  /** Disambiguates a value that happens to read "missing" or "set". For a secret, by keyed fingerprint of the value. */
  status: 'same' | 'differs' | 'only-in-sandbox' | 'only-in-production';
  /**
   * The PayCA client secret key only: whether the production value is the production client secret the
   * worker holds, or why that could not be told.
   */
  workerCredentials?: 'matches' | 'differs' | 'is-sandbox-secret' | 'not-held' | 'reference' | 'not-set';
}

export interface CicdEnvEvidence {
  sandboxFile: string;
  productionFile: string;
  /** Every key of either file, sorted; empty when a file could not be read. */
  keys: CicdEnvKey[];
}

export interface CicdEnvResult {
  passed: boolean;
  problems: string[];
  evidence: CicdEnvEvidence;
}

/**
 * Names that hold secrets by convention. Broader than strictly needed on purpose: hiding a harmless
 * value costs a less detailed diff, showing a secret cannot be undone.
 */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|_KEY$/i;

/** `scheme://user:password@host`: a connection string carries a secret whatever its key is called. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i;

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface EnvFile {
  values: Map<string, string>;
  problems: string[];
}

/** `where` names the file in problems, e.g. `production file ci/production.env`. */
export function parseEnvFile(text: string, where: string): EnvFile {
  const values = new Map<string, string>();
  const firstLine = new Map<string, number>();
  const problems: string[] = [];
  // Problems never quote the line: a malformed line is often a secret pasted in the wrong place.
  const problem = (line: number, what: string) => problems.push(`${where} line ${line}: ${what}`);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);

  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const trimmed = (lines[i] ?? '').trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;

    const match = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) {
      problem(lineNo, trimmed.includes('=') ? 'expected KEY=value' : "expected KEY=value but the line has no '='");
      continue;
    }
    const key = match[1] ?? '';
    let rest = match[2] ?? '';
    if (!KEY.test(key)) {
      problem(lineNo, 'the key is not a variable name (letters, digits and _, not starting with a digit)');
      continue;
    }

    let value: string;
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // A quoted value may run over several lines (PEM keys, JSON); keep reading until its quote closes.
      let close = closingQuote(rest, quote);
      while (close === -1 && i + 1 < lines.length) {
        i++;
        rest += `\n${lines[i] ?? ''}`;
        close = closingQuote(rest, quote);
      }
      if (close === -1) {
        problem(lineNo, `the ${quote === '"' ? 'double' : 'single'} quote opened here is never closed`);
        continue;
      }
      const after = rest.slice(close + 1).trim();
      if (after !== '' && !after.startsWith('#')) {
        problem(lineNo, 'unexpected text after the closing quote (put a comment after a #)');
        continue;
      }
      const inner = rest.slice(1, close);
      value = quote === '"' ? unescapeDoubleQuoted(inner) : inner;
    } else {
      // As in dotenv, " #" starts a comment in an unquoted value; quote the value to keep a literal #.
      const comment = rest.search(/\s#/);
      value = (comment === -1 ? rest : rest.slice(0, comment)).trim();
    }

    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      problem(lineNo, `${key} is set again (first on line ${earlier}); keep one so the file has a single value`);
    } else {
      firstLine.set(key, lineNo);
    }
    values.set(key, value);
  }
  return { values, problems };
}

/** Index of the quote that closes the value opened by `text[0]`, or -1. */
function closingQuote(text: string, quote: string): number {
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quote === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === quote) return i;
  }
  return -1;
}

function unescapeDoubleQuoted(text: string): string {
  const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
  return text.replace(/\\(.)/gs, (whole, c: string) => escapes[c] ?? whole);
}

const READ_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
};

async function readEnvFile(path: string, label: string): Promise<{ text: string } | { problem: string }> {
  try {
    return { text: await readFile(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === undefined ? String(err) : `${code}: ${READ_REASONS[code] ?? (err as Error).message}`;
    return { problem: `cannot read the ${label} env file ${path} (${reason}): check the path in the plan and that the worker may read it` };
  }
}

/**
 * `${NAME}`, `$NAME` or `${{ secrets.NAME }}`: a value the pipeline fills in from its secret store. Two such
 * references are compared as text, but the worker cannot tell which secret one will resolve to.
 */
const SECRET_REFERENCE = /^\$(\{\{\s*[A-Za-z_][\w.-]*\s*\}\}|\{[A-Za-z_]\w*\}|[A-Za-z_]\w*)$/;

/**
 * Fingerprints under a random key made for one check and then dropped: equal values can be told apart from
 * different ones within the check, and nothing kept afterwards lets anyone test guesses of a short secret.
 */
function fingerprinter(): (value: string) => Buffer {
  const key = randomBytes(32);
  return (value) => createHmac('sha256', key).update(value, 'utf8').digest();
}

function sameFingerprint(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function secretState(value: string | undefined): SecretState {
  if (value === undefined) return 'missing';
  return value === '' ? 'empty' : 'set';
}

export function createCicdEnvActivities(deps: { workerCredentials?: WorkerCredentials } = {}) {
  return {
    async compareCicdEnvFiles(input: CicdEnvInput): Promise<CicdEnvResult> {
      const fingerprint = fingerprinter();
      const evidence: CicdEnvEvidence = { sandboxFile: input.sandboxFile, productionFile: input.productionFile, keys: [] };
      const [sandboxText, productionText] = await Promise.all([
        readEnvFile(input.sandboxFile, 'sandbox'),
        readEnvFile(input.productionFile, 'production'),
      ]);
      const problems: string[] = [];
      if ('problem' in sandboxText) problems.push(sandboxText.problem);
      if ('problem' in productionText) problems.push(productionText.problem);
      if (!('text' in sandboxText) || !('text' in productionText)) {
        return { passed: false, problems, evidence };
      }

      const sandbox = parseEnvFile(sandboxText.text, `sandbox file ${input.sandboxFile}`);
      const production = parseEnvFile(productionText.text, `production file ${input.productionFile}`);
      problems.push(...sandbox.problems, ...production.problems);

      const allowed = new Set(input.allowedDifferences);
      const clientSecretKey = input.paycaClientSecretKey ?? DEFAULT_PAYCA_CLIENT_SECRET_KEY;
      const secretKeys = new Set([...(input.secretKeys ?? []), clientSecretKey]);
      const keys = [...new Set([...sandbox.values.keys(), ...production.values.keys()])].sort();
      for (const key of keys) {
        const s = sandbox.values.get(key);
        const p = production.values.get(key);
        const secret = secretKeys.has(key) || SECRET_NAME.test(key) || URL_WITH_PASSWORD.test(s ?? '') || URL_WITH_PASSWORD.test(p ?? '');
        const isAllowed = allowed.has(key);
        const status: CicdEnvKey['status'] =
          p === undefined
            ? 'only-in-sandbox'
            : s === undefined
              ? 'only-in-production'
              : (secret ? sameFingerprint(fingerprint(s), fingerprint(p)) : s === p)
                ? 'same'
                : 'differs';
        const show = (value: string | undefined) => (secret ? secretState(value) : (value ?? 'missing'));
        const entry: CicdEnvKey = { key, sandbox: show(s), production: show(p), secret, allowed: isAllowed, status };
        evidence.keys.push(entry);

        if (key === clientSecretKey) {
          entry.workerCredentials = againstWorker(p, fingerprint, deps.workerCredentials);
          const fix = `set it to the production client secret (the one in PAYCA_PRODUCTION_CLIENT_SECRET) in the production pipeline's secret store`;
          if (entry.workerCredentials === 'is-sandbox-secret') {
            problems.push(
              `${key} (secret, value not shown) in the production file is the PayCA sandbox client secret this worker holds: ${fix}`,
            );
          } else if (entry.workerCredentials === 'differs') {
            problems.push(
              `${key} (secret, value not shown) in the production file is not the PayCA production client secret this worker holds: ${fix}`,
            );
          }
        }

        // One reference in both files (`${{ secrets.X }}` scoped per environment) may well resolve to two secrets.
        if (secret && status === 'same' && secretState(p) === 'set' && !SECRET_REFERENCE.test((p ?? '').trim())) {
          problems.push(
            `${key} (secret, value not shown) has the same value in the production file as in the sandbox file: production needs its own secret; ` +
              `set the production value in ${input.productionFile} or the pipeline's secret store`,
          );
          continue;
        }
        if (isAllowed || status === 'same') continue;
        // Two set secrets that differ is what production should look like; only their states must agree.
        if (secret && status === 'differs' && secretState(s) === secretState(p)) continue;
        const fix = `or add ${key} to allowedDifferences if that is intended`;
        if (status === 'only-in-sandbox') {
          problems.push(`${key} is in the sandbox file but not in the production file ${input.productionFile}: add it there, ${fix}`);
        } else if (status === 'only-in-production') {
          problems.push(`${key} is in the production file but not in the sandbox file ${input.sandboxFile}: add it there, ${fix}`);
        } else if (secret) {
          problems.push(
            `${key} (secret, value not shown) is ${secretState(s)} in the sandbox file but ${secretState(p)} in the production file: give it a value, ${fix}`,
          );
        } else {
          problems.push(
            `${key} differs: the sandbox file has ${JSON.stringify(s)}, the production file has ${JSON.stringify(p)}; make them equal, ${fix}`,
          );
        }
      }

      return { passed: problems.length === 0, problems, evidence };
    },
  };
}

function againstWorker(
  production: string | undefined,
  fingerprint: (value: string) => Buffer,
  workerCredentials: WorkerCredentials | undefined,
): NonNullable<CicdEnvKey['workerCredentials']> {
  if (production === undefined || production === '') return 'not-set';
  if (SECRET_REFERENCE.test(production.trim())) return 'reference';
  const held = workerCredentials?.('production');
  if (!held) return 'not-held';
  const value = fingerprint(production);
  if (sameFingerprint(value, fingerprint(held.clientSecret))) return 'matches';
  const sandbox = workerCredentials?.('sandbox');
  return sandbox && sameFingerprint(value, fingerprint(sandbox.clientSecret)) ? 'is-sandbox-secret' : 'differs';
}
