/** `cutover report --format pdf`: the HTML report printed by headless Chromium, so both always match. */
import { CutoverError } from '../../../errors.js';
import { findChromium, launchChromium } from '../../../net/headless-chromium.js';

export async function printHtmlToPdf(html: string): Promise<Buffer> {
  const found = findChromium();
  if ('reason' in found) throw new CutoverError('REPORT_PDF_UNAVAILABLE', `cannot print the report to PDF: ${found.reason}`);
  const browser = await launchChromium(found.path);
  try {
    const page = await browser.context.newPage();
    // The report makes no request of its own; refusing any keeps a printed copy from reaching out.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' } });
  } finally {
    await browser.close();
  }
}
