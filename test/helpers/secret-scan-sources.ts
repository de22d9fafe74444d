/**
 * The places a cutover writes to, read back as bytes for the secret scan: every workflow history in the
 * namespace (every run, continue-as-new included) as the server stores it, as JSON, with its payloads
 * decoded, and as the `temporal` CLI shows it with and without the codec server; and every file under a
 * directory (the dev server's database and log, reports written to disk).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { ScanSource } from './secret-scan.js';

export interface Execution {
  workflowId: string;
  runId: string;
  type: string;
}

/** Every execution the namespace lists, each run of a continued-as-new workflow on its own. */
export async function listExecutions(client: Client): Promise<Execution[]> {
  const executions: Execution[] = [];
  for await (const wf of client.workflow.list()) executions.push({ workflowId: wf.workflowId, runId: wf.runId, type: wf.type });
  return executions;
}

function isPayload(value: object): value is Payload {
  const { metadata, data } = value as { metadata?: unknown; data?: unknown };
  return (
    !!metadata &&
    typeof metadata === 'object' &&
    'encoding' in metadata &&
    (data === undefined || data === null || data instanceof Uint8Array)
  );
}

/**
 * The history as text with every payload run back through the codecs, as the worker reads it: what a
 * person with the payload keys (or the codec server) sees. Also counts the payloads that changed in
 * decoding, so a scan can tell that it read clear text and not ciphertext.
 */
export async function decodedHistoryText(history: unknown, codecs: PayloadCodec[]): Promise<{ text: string; decoded: number }> {
  const parts: string[] = [];
  let decoded = 0;
  const utf8 = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : '');
  const walk = async (value: unknown): Promise<void> => {
    if (value instanceof Uint8Array) {
      parts.push(utf8(value));
    } else if (Array.isArray(value)) {
      for (const inner of value) await walk(inner);
    } else if (value && typeof value === 'object') {
      if (isPayload(value)) {
        let [payload] = [value];
        for (const codec of [...codecs].reverse()) [payload] = (await codec.decode([payload])) as [Payload];
        if (payload !== value) decoded += 1;
        for (const [key, inner] of Object.entries(payload.metadata ?? {})) parts.push(`${key}=${utf8(inner)}`);
        parts.push(utf8(payload.data));
        return;
      }
      for (const [key, inner] of Object.entries(value)) {
        parts.push(key);
        await walk(inner);
      }
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
      parts.push(String(value));
    }
  };
  await walk(history);
  return { text: parts.join('\n'), decoded };
}

export interface HistorySources {
  sources: ScanSource[];
  executions: Execution[];
  /** Payloads that decoding changed, over all histories. */
  decodedPayloads: number;
}

/** Three readings of each execution's history: protobuf bytes as stored, JSON, decoded text. */
export async function historySources(client: Client, codecs: PayloadCodec[]): Promise<HistorySources> {
  const executions = await listExecutions(client);
  const sources: ScanSource[] = [];
  let decodedPayloads = 0;
  for (const { workflowId, runId } of executions) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const where = `history of ${workflowId} (run ${runId})`;
    sources.push({ name: `${where}, protobuf`, bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()) });
    // protobufjs's own JSON mapping (bytes as base64, as in exported history files).
    const json = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(history), {
      bytes: String,
      longs: String,
      enums: String,
    });
    sources.push({ name: `${where}, JSON`, bytes: Buffer.from(JSON.stringify(json)) });
    const decoded = await decodedHistoryText(history, codecs);
    decodedPayloads += decoded.decoded;
    sources.push({ name: `${where}, payloads decoded`, bytes: Buffer.from(decoded.text) });
  }
  return { sources, executions, decodedPayloads };
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(file, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

export interface ShowOptions {
  cliPath: string;
  address: string;
  namespace: string;
  /** Also show each history through this codec server, decoded. */
  codecEndpoint?: string;
}

/** `temporal workflow show --output json` for each execution, as an engineer would export it. */
export async function temporalShowSources(executions: Execution[], options: ShowOptions): Promise<ScanSource[]> {
  const sources: ScanSource[] = [];
  const variants: [string, string[]][] = [['', []]];
  if (options.codecEndpoint) variants.push([' through the codec server', ['--codec-endpoint', options.codecEndpoint]]);
  for (const { workflowId, runId } of executions) {
    for (const [how, extra] of variants) {
      const args = [
        'workflow',
        'show',
        '-w',
        workflowId,
        '-r',
        runId,
        '--output',
        'json',
        '--address',
        options.address,
        '--namespace',
        options.namespace,
        ...extra,
      ];
      const shown = await run(options.cliPath, args);
      if (shown.code !== 0) throw new Error(`temporal ${args.join(' ')} exited ${shown.code}: ${shown.stderr}`);
      sources.push({ name: `temporal workflow show ${workflowId} (run ${runId})${how}`, bytes: Buffer.from(shown.stdout + shown.stderr) });
    }
  }
  return sources;
}

/** Every file under `dir`, each a source named by its path relative to `dir`. */
export async function fileSources(dir: string, label: string): Promise<ScanSource[]> {
  const sources: ScanSource[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    sources.push({ name: `${label}/${relative(dir, path)}`, bytes: await readFile(path) });
  }
  return sources;
}
