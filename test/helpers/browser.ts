/**
 * Debian's Chromium, driven headless through playwright-core. The tests never download a browser:
 * `npm test` finds or installs Debian's `chromium` package (see `test-tools.ts`).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../src/net/headless-chromium.js';
import { ROOT } from './cli.js';
import { testToolPath } from './test-tools.js';

/** Screenshots for people to look at after a run; `.artifacts/` is git-ignored. */
export const SCREENSHOT_DIR = join(ROOT, '.artifacts', 'screenshots');

export interface HeadlessBrowser {
  page: Page;
  /** Saves a full-page screenshot under SCREENSHOT_DIR and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** A fresh profile each time, so no cookie, cache or stored UI preference leaks from an earlier run. */
export async function launchBrowser(): Promise<HeadlessBrowser> {
  const { context, close } = await launchChromium(testToolPath('chromium'), { viewport: { width: 1600, height: 1200 }, timeoutMs: 30_000 });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    async screenshot(name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close,
  };
}
