/**
 * The dashboard screenshots a report embeds, read from the artifacts directory the worker wrote them to.
 * The record holds each image's path and SHA-256; an image that is missing or was changed since is left
 * out and named, never embedded unchecked.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import type { LaunchReport } from './model.js';
import type { ScreenshotImages } from './html.js';

export async function screenshotImages(report: LaunchReport, artifactsDir: string | undefined): Promise<ScreenshotImages> {
  const images: ScreenshotImages = {};
  if (!artifactsDir) return images;
  for (const shot of report.dashboardShots) {
    const path = shot.path;
    if (!path || isAbsolute(path) || normalize(path).split(sep).includes('..')) continue;
    const bytes = await readFile(join(artifactsDir, path)).catch(() => undefined);
    if (!bytes || createHash('sha256').update(bytes).digest('hex') !== shot.sha256) continue;
    images[path] = `data:image/png;base64,${bytes.toString('base64')}`;
  }
  return images;
}
