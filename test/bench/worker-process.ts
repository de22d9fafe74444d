/**
 * The real worker entry (`dist/src/worker/main.js`, what `cutover worker` runs) as a child process, so its
 * memory is its own: peak RSS is the kernel's high-water mark (VmHWM in /proc/<pid>/status), and RSS is
 * also sampled while it runs to show the curve.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PaycaStack } from '../helpers/payca-stack.js';

const WORKER_ENTRY = join(resolve(__dirname, '..', '..'), 'src', 'worker', 'main.js');
const SAMPLE_EVERY_MS = 250;
const READY_TIMEOUT_MS = 60_000;

export interface WorkerProcess {
  pid: number;
  /** Largest RSS sampled, and the kernel's high-water mark, in MiB. */
  memory(): Promise<{ sampledPeakMiB: number; highWaterMiB: number | undefined; samples: number }>;
  /** RSS now, in MiB. */
  rss(): Promise<number | undefined>;
  /** The lines the worker logged about its share of the PayCA rate (payca-rate-share.ts), oldest first. */
  rateLines(): string[];
  /** Restarts the peak sampled figure (the kernel's high-water mark cannot be reset). */
  resetSampledPeak(): void;
  /** SIGKILL at once, as a crashed host would end it: no shutdown, no heartbeat, no goodbye to Temporal. */
  kill(): void;
  stop(): Promise<void>;
}

async function statusField(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function startWorkerProcess(options: {
  address: string;
  namespace: string;
  stack: PaycaStack;
  paycaRate: number;
}): Promise<WorkerProcess> {
  const { production, sandbox } = options.stack.credentials;
  const child: ChildProcess = spawn(process.execPath, [WORKER_ENTRY], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: options.address,
      TEMPORAL_NAMESPACE: options.namespace,
      PAYCA_PRODUCTION_CLIENT_ID: production.clientId,
      PAYCA_PRODUCTION_CLIENT_SECRET: production.clientSecret,
      PAYCA_SANDBOX_CLIENT_ID: sandbox.clientId,
      PAYCA_SANDBOX_CLIENT_SECRET: sandbox.clientSecret,
      CUTOVER_PAYCA_RATE: String(options.paycaRate),
      CUTOVER_NOTIFY_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the worker process did not start');
  let stderr = '';
  let partial = '';
  const rateLines: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    rateLines.push(...lines.filter((line) => line.includes('PayCA rate:')));
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`the worker did not start polling within ${READY_TIMEOUT_MS} ms: ${stderr}`)),
      READY_TIMEOUT_MS,
    );
    // Notifications go to stdout too; they are read and dropped so the pipe never fills.
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('cutover worker polling')) {
        clearTimeout(timer);
        ready();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`the worker exited with ${code} before polling: ${stderr}`));
    });
  });

  let sampledPeakMiB = 0;
  let samples = 0;
  const sampler = setInterval(() => {
    void statusField(pid, 'VmRSS').then((rss) => {
      if (rss === undefined) return;
      samples += 1;
      sampledPeakMiB = Math.max(sampledPeakMiB, rss);
    });
  }, SAMPLE_EVERY_MS);

  return {
    pid,
    async memory() {
      return { sampledPeakMiB, highWaterMiB: await statusField(pid, 'VmHWM'), samples };
    },
    rss: () => statusField(pid, 'VmRSS'),
    rateLines: () => [...rateLines],
    resetSampledPeak() {
      sampledPeakMiB = 0;
    },
    kill() {
      clearInterval(sampler);
      child.kill('SIGKILL');
    },
    async stop() {
      clearInterval(sampler);
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 30_000))]);
      if (code === 'timeout') child.kill('SIGKILL');
    },
  };
}
