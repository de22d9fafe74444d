/**
 * Text a person or a plan wrote (notes, reasons, evidence, names, a programme's title) placed in Markdown:
 * the launch report, the checklist document and the Temporal UI's current details. Markdown passes raw HTML
 * through and turns a few characters into emphasis, links and blocks, so a note could carry a script, an
 * image that runs code, or a link to an outside site into a page the approvers trust. Escaped here, the text
 * renders as the same text and does nothing. Pure string work: the workflow bundle imports it too.
 */

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Always active: code, emphasis, link and image brackets, table pipes, strikethrough, headings, and the
 * backslash itself. A parenthesis or `!` only acts next to a bracket, so with brackets escaped they stay as
 * written and the source stays readable.
 */
const ACTIVE = /[\\`*[\]|~#]/g;

/** `_` emphasises only at a word's edge: `acc_gbp` stays as written. */
const EDGE_UNDERSCORE = /(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu;

/**
 * What starts a block at the beginning of a line once the characters above are inert: a list item (`-`, `+`,
 * `1.`, `1)` followed by a blank), a setext underline or thematic break (a line of `-` or `=`).
 */
const LINE_START = /^([ \t]*)(?:([-+]|\d{1,9}[.)])(?=[ \t]|$)|([-=])(?=[-= \t]*$))/gm;

/** Leading blanks would make indented code; as entities they are still blanks. */
const LEADING_BLANKS = /^[ \t]+/gm;

export function markdownText(text: string): string {
  return (
    text
      .replace(/[&<>]/g, (char) => HTML_ENTITIES[char] ?? char)
      .replace(ACTIVE, '\\$&')
      .replace(EDGE_UNDERSCORE, '\\_')
      // GFM links bare URLs, `www.` hosts and e-mail addresses without any brackets.
      .replace(/:(?=\/\/)/g, '\\:')
      .replace(/(www)\./gi, '$1\\.')
      .replace(/@/g, '\\@')
      .replace(LINE_START, (_match, blanks: string, listMarker: string | undefined, underline: string | undefined) => {
        if (underline) return `${blanks}\\${underline}`;
        const marker = listMarker ?? '';
        return /\d/.test(marker) ? `${blanks}${marker.slice(0, -1)}\\${marker.slice(-1)}` : `${blanks}\\${marker}`;
      })
      .replace(LEADING_BLANKS, (blanks) => blanks.replace(/ /g, '&#32;').replace(/\t/g, '&#9;'))
  );
}

/**
 * For a table cell, a heading or a line the renderer writes around the text: one line (a line break becomes
 * `<br>`), and a pipe cannot end a cell early.
 */
export function markdownInline(text: string): string {
  return markdownText(text).replace(/\r\n?|\n/g, '<br>');
}
