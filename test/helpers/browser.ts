/**
 * Debian's Chromium, driven headless through playwright-core. The tests never download a browser: CI
 * installs the `chromium` package, and a machine without it fails the suite with what to install.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './cli.js';

/** Where Debian's package puts it; CHROMIUM_PATH points elsewhere on other systems. */
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Without the background-networking flags Chromium keeps calling Google's services, which a closed
 * network refuses many times a second; --no-sandbox because CI runs as root.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots for people to look at after a run; `.artifacts/` is git-ignored. */
export const SCREENSHOT_DIR = join(ROOT, '.artifacts', 'screenshots');

export interface HeadlessBrowser {
  page: Page;
  /** Saves a full-page screenshot under SCREENSHOT_DIR and returns its path. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;
  if (!existsSync(path)) {
    throw new Error(
      `Chromium was not found at ${path}: install Debian's package (apt-get install chromium), as .ci/run does, ` +
        'or set CHROMIUM_PATH to a Chromium binary',
    );
  }
  return path;
}

/** A fresh profile each time, so no cookie, cache or stored UI preference leaks from an earlier run. */
export async function launchBrowser(): Promise<HeadlessBrowser> {
  const executablePath = chromiumPath();
  const userDataDir = await mkdtemp(join(tmpdir(), 'cutover-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      args: CHROMIUM_ARGS,
      viewport: { width: 1600, height: 1200 },
      timeout: 30_000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
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
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
