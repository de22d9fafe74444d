/** The results as a plain-text table for the terminal and a Markdown one for the README. */
import type { BenchResult } from './types.js';

function headline(figures: Record<string, number>): string {
  const first = Object.entries(figures)[0];
  return first ? `${first[0]} ${first[1]}` : '-';
}

function rows(results: readonly BenchResult[]): string[][] {
  return results.map((r) => [r.name, headline(r.metrics), headline(r.baseline), String(r.ratio), r.goal, r.goalMet ? 'yes' : 'NO']);
}

const HEADER = ['benchmark', 'figure', 'baseline', 'ratio', 'goal', 'met?'];

export function textTable(results: readonly BenchResult[]): string {
  const all = [HEADER, ...rows(results)];
  const widths = HEADER.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function markdownTable(results: readonly BenchResult[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(HEADER), line(HEADER.map(() => '---')), ...rows(results).map(line)].join('\n');
}
