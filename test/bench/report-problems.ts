/** What is wrong with a results file, if anything: its shape, and figures that cannot be measurements. */
import type { BenchReport } from './main.js';

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export function reportProblems(report: BenchReport): string[] {
  const problems: string[] = [];
  const machine = report.machine;
  if (!(machine.cpus > 0) || !machine.cpuModel || !(machine.memoryGiB > 0) || !machine.node.startsWith('v') || !machine.temporalCli) {
    problems.push(`machine info incomplete: ${JSON.stringify(machine)}`);
  }
  if (Number.isNaN(Date.parse(machine.date))) problems.push(`machine date ${machine.date} is not a date`);
  for (const result of report.results) {
    const at = `result "${result.name}"`;
    if (!result.name || !result.goal || typeof result.notes !== 'string') problems.push(`${at} lacks a name, goal or notes`);
    if (typeof result.goalMet !== 'boolean') problems.push(`${at}: goalMet is not a boolean`);
    if (!isFiniteNumber(result.ratio) || result.ratio <= 0) problems.push(`${at}: ratio ${result.ratio} is not a positive number`);
    for (const [part, figures] of [
      ['metrics', result.metrics],
      ['baseline', result.baseline],
    ] as const) {
      const entries = Object.entries(figures ?? {});
      if (entries.length === 0) problems.push(`${at}: no ${part}`);
      for (const [key, value] of entries) {
        if (!isFiniteNumber(value)) problems.push(`${at}: ${part}.${key} is ${String(value)}, not a number`);
      }
      const [headline, value] = entries[0] ?? [];
      if (headline !== undefined && !(isFiniteNumber(value) && value > 0))
        problems.push(`${at}: headline ${part}.${headline} is ${String(value)}, not positive`);
    }
  }
  return problems;
}
