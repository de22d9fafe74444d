/** The launch report as a document people open: self-contained HTML, or that HTML printed to PDF. */
import type { CutoverStatus } from '../../../workflows/cutover-state.js';
import { buildLaunchReport } from '../launch-report.js';
import { launchReportHtml } from './html.js';
import { screenshotImages } from './screenshot-images.js';

export async function renderLaunchReportHtml(status: CutoverStatus, generatedAt: Date, artifactsDir?: string): Promise<string> {
  const report = buildLaunchReport(status, generatedAt);
  return launchReportHtml(report, await screenshotImages(report, artifactsDir));
}

export async function renderLaunchReportDocument(
  format: 'html' | 'pdf',
  status: CutoverStatus,
  generatedAt: Date,
  artifactsDir?: string,
): Promise<string | Buffer> {
  const html = await renderLaunchReportHtml(status, generatedAt, artifactsDir);
  if (format === 'html') return html;
  const { printHtmlToPdf } = await import('./print-pdf.js');
  return printHtmlToPdf(html);
}
