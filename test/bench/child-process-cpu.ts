/**
 * CPU time used so far by this process's direct children (the Temporal server binaries the SDK starts, a
 * worker process), by pid, read from /proc; undefined where /proc is not there.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

export function childrenCpuMs(): Map<number, number> | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const byPid = new Map<number, number>();
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      byPid.set(Number(pid), ((Number(fields[11]) + Number(fields[12])) * 1_000) / TICKS_PER_SECOND);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return byPid;
}

/** CPU milliseconds between two readings, for the pids `which` selects. */
export function cpuBetween(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
  which: (pid: number) => boolean,
): number | undefined {
  if (!before || !after) return undefined;
  let total = 0;
  for (const [pid, ms] of after) if (which(pid)) total += ms - (before.get(pid) ?? 0);
  return total;
}
