/**
 * Reading Markdown source the way CommonMark does, for the characters the escaping writes: backslash escapes
 * of punctuation, the few entities it uses, and `<br>` as a line break. What is left after them is what a
 * renderer could still act on.
 */
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', '#32': ' ', '#9': '\t' };
const ESCAPED = /\\([!-/:-@[-`{-~])|&(amp|lt|gt|#32|#9);|<br>/g;

export function unescapeMarkdown(source: string): string {
  return source.replace(
    ESCAPED,
    (_whole, punctuation: string | undefined, entity: string | undefined) => punctuation ?? (entity ? (ENTITIES[entity] ?? '') : '\n'),
  );
}

/** Every construct still active in the source once its escapes are set aside, named; empty when inert. */
export function unescapedActive(source: string): string[] {
  const bare = source.replace(ESCAPED, '\u0000');
  const found: string[] = [];
  for (const char of bare.match(/[<>`*[\]|~#\\@&]/g) ?? []) found.push(`raw ${char}`);
  if (bare.includes('://')) found.push('a bare URL');
  if (/www\./i.test(bare)) found.push('a www. host');
  if (/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/u.test(bare)) found.push('_ at a word edge');
  for (const line of bare.split(/\r\n|\r|\n/)) {
    if (/^[ \t]*([-+]|\d{1,9}[.)])([ \t]|$)/.test(line)) found.push(`a list item: ${JSON.stringify(line)}`);
    if (/^[ \t]*[-=]+[ \t]*$/.test(line)) found.push(`an underline or break: ${JSON.stringify(line)}`);
    if (/^( {4}|\t)/.test(line)) found.push(`indented code: ${JSON.stringify(line)}`);
  }
  return found;
}

/** The table cells of a Markdown row, split on the pipes that are not escaped. */
export function tableCells(row: string): string[] {
  const cells: string[] = [];
  let current = '';
  for (let i = 0; i < row.length; i += 1) {
    const char = row[i];
    if (char === '\\' && i + 1 < row.length) {
      current += char + row[i + 1];
      i += 1;
    } else if (char === '|') {
      cells.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  cells.push(current);
  return cells.slice(1, -1).map((cell) => cell.trim());
}
