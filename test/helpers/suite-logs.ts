/**
 * Where what a suite's workers, servers and child processes say goes, so that a passing `npm test` prints
 * test names only: one log per suite file under `test-results/logs/` (`cutover-timeline.log` for
 * `cutover-timeline.test.js`), plus a file per server process it starts. Suites log the fault tests'
 * expected stack traces and their own measurements here; a failure's message names these files and ends
 * with what the test's log got while it ran (`test/hooks.ts`), so the clue is there when it is needed.
 *
 * Mocha runs every suite in one process, so "the current suite" is whichever one Mocha is running: lines
 * that arrive late, after a suite's last hook, land in that suite's log until the next suite starts.
 */
import { closeSync, copyFileSync, existsSync, fstatSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

// Not `ROOT` from ./cli.js: that module starts child processes, and unit suites log here too.
export const LOG_DIR = resolve(__dirname, '..', '..', '..', 'test-results', 'logs');

interface SuiteFiles {
  name: string;
  fd: number;
  mainLog: string;
  /** Files of server processes, in the order they were asked for. */
  others: string[];
  /** Notes made in the suite's hooks (a seed, what was generated), which every failure of the suite shows. */
  hookNotes: string[];
}

/** Where the current test's lines start in its suite's log, to show them if it fails. */
export interface LogMark {
  suite: string;
  offset: number;
}

const suites = new Map<string, SuiteFiles>();
let current = { suite: 'outside-suites', label: 'loading', inTest: false };

function suiteName(file: string | undefined): string {
  return file ? basename(file).replace(/\.test\.[cm]?js$|\.[cm]?js$/, '') : 'outside-suites';
}

function filesOf(suite: string): SuiteFiles {
  let files = suites.get(suite);
  if (!files) {
    mkdirSync(LOG_DIR, { recursive: true });
    const mainLog = join(LOG_DIR, `${suite}.log`);
    // A fresh file each run: the log of a failure is never mixed with an older run's.
    files = { name: suite, fd: openSync(mainLog, 'w'), mainLog, others: [], hookNotes: [] };
    suites.set(suite, files);
  }
  return files;
}

/** Mocha entered a suite's hooks or a test: from now on, lines go to that suite file's log. */
export function enter(file: string | undefined, label: string, inTest = false): LogMark {
  current = { suite: suiteName(file), label, inTest };
  const files = filesOf(current.suite);
  writeRaw(files, `\n== ${label}\n`);
  return { suite: current.suite, offset: fstatSync(files.fd).size };
}

function writeRaw(files: SuiteFiles, text: string): void {
  writeSync(files.fd, text);
}

/** One entry in the current suite's log: `source` says who said it (worker, test, node). */
export function suiteLog(source: string, text: string): void {
  writeRaw(filesOf(current.suite), `${new Date().toISOString()} ${source} ${text.trimEnd()}\n`);
}

/** A suite's own measurements and notes, which a passing run keeps out of the test list. */
export function note(text: string): void {
  suiteLog('note', text);
  if (!current.inTest) filesOf(current.suite).hookNotes.push(text.trim());
}

/**
 * A path for a server process's own output, kept with the current suite's logs and named on its failures:
 * `test-results/logs/SUITE.WHAT.log`, numbered when the suite starts more than one.
 */
export function suiteLogFile(what: string): string {
  const files = filesOf(current.suite);
  const taken = files.others.filter((path) => basename(path).startsWith(`${files.name}.${what}`)).length;
  const path = join(LOG_DIR, `${files.name}.${what}${taken ? `-${taken + 1}` : ''}.log`);
  files.others.push(path);
  return path;
}

/** Keeps a copy of a log a suite is about to delete with its temporary directory. */
export function keepLog(path: string | undefined, as: string): void {
  if (!path || !existsSync(path)) return;
  copyFileSync(path, as);
}

function readFrom(path: string, offset: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.max(0, size - offset);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

const TAIL_LINES = 20;

/** What a failure adds to its message: the suite's log files and the last lines logged since `mark`. */
export function failureNote(file: string | undefined, mark?: LogMark): string {
  const files = suites.get(mark?.suite ?? suiteName(file));
  if (!files) return '';
  const shown = (path: string) => relative(process.cwd(), path) || path;
  const paths = [files.mainLog, ...files.others.filter((path) => existsSync(path))].map(shown);
  const lines = readFrom(files.mainLog, mark?.offset ?? 0)
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('== '));
  const tail = lines.slice(-TAIL_LINES);
  const omitted = lines.length - tail.length;
  const notes = files.hookNotes.slice(-TAIL_LINES);
  return [
    '',
    `logs: ${paths.join(', ')}`,
    ...(notes.length ? ['noted by the suite:', ...notes.map((line) => `  | ${line}`)] : []),
    ...(tail.length
      ? [
          `${mark ? 'logged while it ran' : 'last logged'}${omitted ? ` (last ${TAIL_LINES} of ${lines.length} lines)` : ''}:`,
          ...tail.map((line) => `  | ${line}`),
        ]
      : []),
  ].join('\n');
}
