/**
 * A plan's http-check task: one GET or HEAD to the URL the plan names, passing on the expected status and,
 * when asked, a field of the JSON body. The worker decides where it may ask, as it does for webhook
 * targets: loopback hosts, or the endpoints its CUTOVER_WEBHOOK_URLS lists. One attempt per call; the
 * workflow retries per the plan, so each attempt is on record. The answer never carries the body whole.
 */
import { request } from 'undici';
import { webhookTargetsFrom, type WebhookTargets } from '../payca/allowed-targets.js';

export interface HttpCheckInput {
  url: string;
  method: 'GET' | 'HEAD';
  expectStatus: number;
  json?: { field: string; equals: string | number | boolean };
}

export interface HttpCheckResult {
  passed: boolean;
  status?: number;
  /** What was wrong, for the task's problems. */
  problem?: string;
  /** True when asking again cannot help: the worker does not allow the URL. */
  final?: boolean;
  /** The value the JSON predicate read, when there is one. */
  observed?: string;
  elapsedMs: number;
}

const ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 1_000_000;
const SHOWN_CHARS = 120;

function fieldAt(body: unknown, path: string): unknown {
  let value = body;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const shown = (value: unknown) => JSON.stringify(value)?.slice(0, SHOWN_CHARS) ?? 'nothing';
/** The URL as status may show it: no query, which may carry a token. */
const named = (url: string) => (URL.canParse(url) ? `${new URL(url).origin}${new URL(url).pathname}` : 'the URL');

/** Why the worker will not ask `url` for a plan's task, or undefined when it will. */
export function checkTargetRefusal(targets: WebhookTargets, task: string, url: string): string | undefined {
  if (!targets.refusal(url)) return undefined;
  return `this worker asks only loopback hosts or the endpoints CUTOVER_WEBHOOK_URLS lists, and task ${task} names ${named(url)}: list it on the worker or correct the plan`;
}

export function createHttpCheckActivities({ targets, env }: { targets?: WebhookTargets; env?: NodeJS.ProcessEnv } = {}) {
  const allowed = targets ?? webhookTargetsFrom(env);
  return {
    async httpCheck(input: HttpCheckInput & { task?: string }): Promise<HttpCheckResult> {
      const started = Date.now();
      const refusal = checkTargetRefusal(allowed, input.task ?? 'the task', input.url);
      if (refusal) return { passed: false, final: true, elapsedMs: 0, problem: refusal };
      try {
        const response = await request(input.url, {
          method: input.method,
          headersTimeout: ATTEMPT_TIMEOUT_MS,
          bodyTimeout: ATTEMPT_TIMEOUT_MS,
        });
        const status = response.statusCode;
        if (status !== input.expectStatus) {
          await response.body.dump();
          return {
            passed: false,
            status,
            elapsedMs: Date.now() - started,
            problem: `${input.method} ${named(input.url)} answered ${status}, expected ${input.expectStatus}`,
          };
        }
        if (!input.json) {
          await response.body.dump();
          return { passed: true, status, elapsedMs: Date.now() - started };
        }
        const text = await response.body.text();
        if (text.length > MAX_BODY_BYTES) {
          return { passed: false, status, elapsedMs: Date.now() - started, problem: `the answer is larger than ${MAX_BODY_BYTES} bytes` };
        }
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return { passed: false, status, elapsedMs: Date.now() - started, problem: `${named(input.url)} did not answer JSON` };
        }
        const value = fieldAt(body, input.json.field);
        const observed = shown(value);
        if (value !== input.json.equals) {
          return {
            passed: false,
            status,
            observed,
            elapsedMs: Date.now() - started,
            problem: `${input.json.field} is ${observed}, expected ${shown(input.json.equals)}`,
          };
        }
        return { passed: true, status, observed, elapsedMs: Date.now() - started };
      } catch (err) {
        return {
          passed: false,
          elapsedMs: Date.now() - started,
          problem: `${input.method} ${named(input.url)} failed: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    },
  };
}
