/**
 * Results go to stdout, warnings and reasons to stderr, so `--json` output stays parseable. Everything
 * printed passes through `terminalSafe`: much of it was written by people and plans.
 */
import { terminalSafe } from './terminal-text.js';

export function say(text = ''): void {
  process.stdout.write(`${terminalSafe(text)}\n`);
}

export function warn(text: string): void {
  process.stderr.write(`${terminalSafe(text)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${terminalSafe(JSON.stringify(value, null, 2))}\n`);
}
