/** What the figures were measured on, stored beside them so they are never read without it. */
import { execFile } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { temporalCliPath } from '../../src/temporal/binaries.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  temporalCli: string;
  platform: string;
  /** One-minute load average when the run ended: other work on shared cores skews every figure. */
  loadAverage1m: number;
  date: string;
}

async function temporalCliVersion(): Promise<string> {
  const path = temporalCliPath();
  if (!path) return 'unknown (the SDK downloads its own)';
  try {
    const { stdout } = await promisify(execFile)(path, ['--version']);
    return stdout.trim();
  } catch (err) {
    return `unknown (${err instanceof Error ? err.message : String(err)})`;
  }
}

export async function machineInfo(): Promise<MachineInfo> {
  const cores = cpus();
  return {
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    temporalCli: await temporalCliVersion(),
    platform: `${process.platform} ${process.arch}`,
    loadAverage1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    date: new Date().toISOString(),
  };
}
