import assert from 'node:assert/strict';

/** One `## Title` section of a Markdown document, up to the next, failing with the document when it is absent. */
export function sectionOf(document: string, title: string): string {
  const start = document.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section ${title} in\n${document}`);
  const next = document.indexOf('\n## ', start + 1);
  return document.slice(start, next < 0 ? undefined : next);
}
