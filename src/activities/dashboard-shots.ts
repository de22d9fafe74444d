/**
 * Screenshots of the plan's dashboards, taken by headless Chromium at the debrief and at the watch's end and
 * written to the worker's artifacts directory. Best effort by design: a dashboard that does not load within
 * a short timeout is named with the reason and the others are still taken; this never throws, so the
 * cutover never waits on a dashboard or fails for one. The record gets paths and digests, never image bytes.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findChromium, launchChromium } from '../net/headless-chromium.js';
import type { DashboardShot } from '../workflows/dashboard-shot-types.js';

export interface DashboardShotDeps {
  /** Where screenshots are written; without one, each dashboard is named as not taken. Default: CUTOVER_ARTIFACTS_DIR. */
  artifactsDir?: string;
  /** How long one dashboard may take to load; default 15 s. */
  loadTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface DashboardShotsInput {
  cutoverId: string;
  moment: DashboardShot['moment'];
  dashboards: { title: string; url: string }[];
}

export const DEFAULT_DASHBOARD_LOAD_TIMEOUT_MS = 15_000;
const REASON_LENGTH = 300;

/** Chromium's error text ends with a call log many lines long; the first line says what happened. */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line =
    message
      .split('\n')[0]
      ?.replace(/^page\.\w+: /, '')
      .trim() || 'failed to load';
  return line.length <= REASON_LENGTH ? line : `${line.slice(0, REASON_LENGTH - 1)}…`;
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120);
}

export function createDashboardShotActivities(deps: DashboardShotDeps = {}) {
  const env = deps.env ?? process.env;
  const artifactsDir = deps.artifactsDir ?? (env.CUTOVER_ARTIFACTS_DIR || undefined);
  const loadTimeoutMs = deps.loadTimeoutMs ?? DEFAULT_DASHBOARD_LOAD_TIMEOUT_MS;
  return {
    async takeDashboardShots(input: DashboardShotsInput): Promise<DashboardShot[]> {
      const at = new Date().toISOString();
      const failAll = (failed: string) => input.dashboards.map((d) => ({ ...d, moment: input.moment, at, failed }));
      if (input.dashboards.length === 0) return [];
      if (!artifactsDir) return failAll('the worker has no artifacts directory (CUTOVER_ARTIFACTS_DIR)');
      const chromium = findChromium(env);
      if ('reason' in chromium) return failAll(chromium.reason);
      let browser: Awaited<ReturnType<typeof launchChromium>>;
      try {
        browser = await launchChromium(chromium.path, { timeoutMs: 30_000 });
      } catch (err) {
        return failAll(`Chromium did not start: ${reasonOf(err)}`);
      }
      const folder = safeName(input.cutoverId);
      await mkdir(join(artifactsDir, folder), { recursive: true });
      const shots: DashboardShot[] = [];
      try {
        for (const [index, dashboard] of input.dashboards.entries()) {
          const base = { ...dashboard, moment: input.moment, at: new Date().toISOString() };
          const page = await browser.context.newPage();
          try {
            const response = await page.goto(dashboard.url, { timeout: loadTimeoutMs, waitUntil: 'load' });
            if (response && !response.ok()) {
              shots.push({ ...base, failed: `HTTP ${response.status()} ${response.statusText()}`.trim() });
              continue;
            }
            const image = await page.screenshot({ fullPage: false, timeout: loadTimeoutMs });
            // Named by moment, time and position: a debrief re-run keeps the earlier shot it recorded.
            const path = `${folder}/${input.moment}-${Date.now()}-${index + 1}.png`;
            await writeFile(join(artifactsDir, path), image);
            shots.push({ ...base, path, sha256: createHash('sha256').update(image).digest('hex') });
          } catch (err) {
            shots.push({ ...base, failed: reasonOf(err) });
          } finally {
            await page.close().catch(() => undefined);
          }
        }
      } finally {
        await browser.close();
      }
      return shots;
    },
  };
}
