/**
 * Debian's Chromium, headless, through playwright-core: the report prints to PDF with it and the worker takes
 * dashboard screenshots with it. playwright-core never downloads a browser; the program is `CHROMIUM_PATH`
 * or the first `chromium` on PATH (`scripts/setup.mjs --test-tools` installs Debian's package).
 */
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

/**
 * Without the background-networking flags Chromium keeps calling Google's services, which a closed network
 * refuses many times a second; --no-sandbox because containers run it as root.
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

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium program, or why there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): { path: string } | { reason: string } {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) return executable(explicit) ? { path: explicit } : { reason: `CHROMIUM_PATH=${explicit} is not an executable file` };
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      if (dir && executable(join(dir, name))) return { path: join(dir, name) };
    }
  }
  return { reason: "no Chromium: install Debian's chromium package or set CHROMIUM_PATH" };
}

export interface HeadlessChromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time, so nothing one run saw leaks into the next. */
export async function launchChromium(
  executablePath: string,
  options: { timeoutMs?: number; viewport?: { width: number; height: number } } = {},
): Promise<HeadlessChromium> {
  const { chromium } = await import('playwright-core');
  const userDataDir = await mkdtemp(join(tmpdir(), 'cutover-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1440, height: 900 },
      timeout: options.timeoutMs ?? 30_000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
