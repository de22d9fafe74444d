/**
 * Mocha root hooks. The console shows test names and failures; everything else a suite's worker, Node or the
 * suite itself says goes to the suite's log (`test/helpers/suite-logs.ts`), and a failure's message names
 * that log and ends with what it got while the failing test ran. The SDK's log level is WARN, so the fault
 * tests' activity failures are on record; `CUTOVER_TEST_LOG_LEVEL=debug` records everything.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { enter, failureNote, suiteLog, type LogMark } from './helpers/suite-logs.js';

const level = process.env.CUTOVER_TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'WARN';

function toSuiteLog(entry: LogEntry): void {
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta && Object.keys(entry.meta).length ? ` ${inspect(entry.meta, { breakLength: Infinity, depth: 6 })}` : '';
  suiteLog('worker', `[${entry.level}] ${at} ${entry.message}${meta}`);
}

Runtime.install({
  logger: new DefaultLogger(level, toSuiteLog),
  telemetryOptions: { logging: { forward: {}, filter: level } },
});

// Node prints warnings to stderr through a listener of its own; the suite's log gets them instead.
process.removeAllListeners('warning');
process.on('warning', (warning) => suiteLog('node', `${warning.name}: ${warning.message}`));

/** The SDK buffers log lines to put them in time order; a failure's note should show the latest. */
async function flushWorkerLogs(): Promise<void> {
  await delay(50);
  Runtime.instance().flushLogs();
}

type Runnable = Mocha.Runnable & { err?: Error };
interface SuiteHooks {
  _beforeAll: Mocha.Hook[];
  _beforeEach: Mocha.Hook[];
  _afterEach: Mocha.Hook[];
  _afterAll: Mocha.Hook[];
}

/** Every suite's hooks begin by routing lines to its file's log, so what `before` starts logs there too. */
function routeSuiteHooks(suite: Mocha.Suite): void {
  for (const child of suite.suites) {
    const hooks = (child as unknown as SuiteHooks)._beforeAll;
    const count = hooks.length;
    child.beforeAll('route logs to this suite', () => {
      enter(child.file, child.fullTitle());
    });
    // A skipped suite takes no hooks, and needs none: it runs nothing.
    if (hooks.length > count) hooks.unshift(hooks.pop() as Mocha.Hook);
    routeSuiteHooks(child);
  }
}

/** Appends the note after the stack, where the reporter prints it below the message, the diff and the trace. */
function pointToLogs(runnable: Runnable, mark?: LogMark): void {
  const err = runnable.err;
  const note = failureNote(runnable.file, mark);
  if (!err || !note) return;
  if (typeof err.stack === 'string' && err.stack.includes(err.message)) {
    if (!err.stack.endsWith(note)) err.stack += note;
  } else if (typeof err.message === 'string' && !err.message.endsWith(note)) {
    err.message += note;
  }
}

function* failedHooks(suite: Mocha.Suite): Generator<Runnable> {
  const hooks = suite as unknown as SuiteHooks;
  for (const hook of [...hooks._beforeAll, ...hooks._beforeEach, ...hooks._afterEach, ...hooks._afterAll]) {
    if (hook.state === 'failed') yield hook;
  }
  for (const child of suite.suites) yield* failedHooks(child);
}

const marks = new WeakMap<Mocha.Runnable, LogMark>();

export const mochaHooks: Mocha.RootHookObject = {
  beforeAll(this: Mocha.Context) {
    const root = this.test?.parent;
    if (root) routeSuiteHooks(root);
  },
  beforeEach(this: Mocha.Context) {
    const test = this.currentTest;
    if (test) marks.set(test, enter(test.file, test.fullTitle(), true));
  },
  async afterEach(this: Mocha.Context) {
    const test = this.currentTest as Runnable | undefined;
    if (test?.state !== 'failed') return;
    await flushWorkerLogs();
    pointToLogs(test, marks.get(test));
  },
  async afterAll(this: Mocha.Context) {
    const root = this.test?.parent;
    const failed = root ? [...failedHooks(root)] : [];
    if (failed.length) await flushWorkerLogs();
    for (const hook of failed) pointToLogs(hook);
  },
};
