/**
 * The seed CSV of runbook section 3: RFC 4180 text turned into card records, every bad row named by its line
 * with what to change, against PayCA's own field limits and the ISO 4217 currency list.
 */

/** One card to seed, as a row of the seed CSV. */
export interface SeedRecord {
  /** The programme's own id for the card holder's record; PayCA stores it on the card. */
  externalRef: string;
  holderName: string;
  accountId: string;
  currency: string;
}

export interface SeedCsvResult {
  records: SeedRecord[];
  /** One line per bad row or file problem; rows named here are not in `records`. */
  problems: string[];
}

export const SEED_COLUMNS = ['externalRef', 'holderName', 'accountId', 'currency'] as const satisfies readonly (keyof SeedRecord)[];

/** PayCA's own field limits (docs/payca-contract.md); checking them here names the CSV line instead of a 422. */
const MAX_LENGTH = { externalRef: 255, holderName: 200, accountId: 255 } as const;

interface CsvRow {
  /** The physical line the record starts on (quoted fields may span lines). */
  line: number;
  fields: string[];
  error?: string;
}

/**
 * RFC 4180 records: comma-separated, fields optionally in double quotes, `""` for a quote inside quotes,
 * CRLF or LF line ends, and quoted fields may hold commas and line breaks. Blank lines are skipped, since
 * spreadsheets often leave one at the end. A malformed record is kept with its error so the caller can
 * name its line and go on with the next one.
 */
function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    let field = '';
    let endOfRecord = false;
    while (!endOfRecord) {
      const quoted = text[i] === '"';
      if (quoted) {
        i += 1;
        let closed = false;
        while (i < text.length) {
          const c = text[i] as string;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i += 1;
            closed = true;
            break;
          }
          if (c === '\n') line += 1;
          field += c;
          i += 1;
        }
        if (!closed) {
          error ??= 'a quoted field is never closed (a " is missing)';
          i = text.length;
        }
      }
      // Unquoted text, or whatever stray text follows a closing quote, up to the next separator.
      while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        if (quoted) error ??= 'text follows the closing " of a quoted field; put the whole field inside the quotes';
        else if (text[i] === '"') error ??= 'a " appears inside an unquoted field; quote the whole field and double the " inside it';
        field += text[i];
        i += 1;
      }
      fields.push(field);
      field = '';
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      if (text[i] === '\r') i += 1;
      if (text[i] === '\n') i += 1;
      line += 1;
      endOfRecord = true;
    }
    const blank = fields.length === 1 && fields[0]?.trim() === '' && error === undefined;
    if (!blank) rows.push(error === undefined ? { line: start, fields } : { line: start, fields, error });
  }
  return rows;
}

function knownCurrencies(): ReadonlySet<string> | undefined {
  // Node's ICU knows the ISO 4217 list; a runtime built without it falls back to the code's shape alone.
  try {
    return new Set(Intl.supportedValuesOf('currency'));
  } catch {
    return undefined;
  }
}

function currencyProblem(currency: string, known: ReadonlySet<string> | undefined): string | undefined {
  if (!/^[A-Z]{3}$/.test(currency) || (known !== undefined && !known.has(currency))) {
    return `currency "${currency}" is not an ISO 4217 code (three capital letters such as GBP or EUR)`;
  }
  return undefined;
}

/** Turns CSV text into seed records; every problem names its line and what to change. */
export function seedRecordsFromCsv(text: string, source: string): SeedCsvResult {
  const rows = parseCsv(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const [header, ...body] = rows;
  if (header === undefined) {
    return { records: [], problems: [`${source} is empty: it needs a header row ${SEED_COLUMNS.join(',')} and one row per card`] };
  }
  if (header.error !== undefined) {
    return { records: [], problems: [`${source} line ${header.line} (header): ${header.error}`] };
  }

  const names = header.fields.map((name) => name.trim());
  const headerProblems: string[] = [];
  const missing = SEED_COLUMNS.filter((column) => !names.includes(column));
  const unknown = names.filter((name) => !(SEED_COLUMNS as readonly string[]).includes(name));
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (missing.length > 0) headerProblems.push(`lacks column ${missing.join(', ')}`);
  if (unknown.length > 0) headerProblems.push(`has unknown column ${unknown.map((n) => `"${n}"`).join(', ')}`);
  if (repeated.length > 0) headerProblems.push(`repeats column ${[...new Set(repeated)].join(', ')}`);
  if (headerProblems.length > 0) {
    return {
      records: [],
      problems: [
        `${source} line ${header.line} (header) ${headerProblems.join('; ')}: the header must name exactly ${SEED_COLUMNS.join(', ')} (any order, case as shown)`,
      ],
    };
  }

  const columnIndex = Object.fromEntries(SEED_COLUMNS.map((column) => [column, names.indexOf(column)])) as Record<keyof SeedRecord, number>;
  const known = knownCurrencies();
  const records: SeedRecord[] = [];
  const problems: string[] = [];
  const firstLineOf = new Map<string, number>();

  for (const row of body) {
    const at = `${source} line ${row.line}`;
    if (row.error !== undefined) {
      problems.push(`${at}: ${row.error}`);
      continue;
    }
    if (row.fields.length !== names.length) {
      problems.push(`${at}: has ${row.fields.length} fields, the header has ${names.length}`);
      continue;
    }
    // Spreadsheets pad cells with spaces; PayCA would keep them, so an externalRef would no longer match.
    const value = (column: keyof SeedRecord) => (row.fields[columnIndex[column]] ?? '').trim();
    const record: SeedRecord = {
      externalRef: value('externalRef'),
      holderName: value('holderName'),
      accountId: value('accountId'),
      currency: value('currency'),
    };
    const wrong: string[] = [];
    const empty = SEED_COLUMNS.filter((column) => record[column] === '');
    if (empty.length > 0) wrong.push(`missing ${empty.join(', ')}`);
    for (const column of ['externalRef', 'holderName', 'accountId'] as const) {
      if (record[column].length > MAX_LENGTH[column]) {
        wrong.push(`${column} is ${record[column].length} characters, PayCA accepts at most ${MAX_LENGTH[column]}`);
      }
    }
    if (record.currency !== '') {
      const problem = currencyProblem(record.currency, known);
      if (problem !== undefined) wrong.push(problem);
    }
    if (record.externalRef !== '') {
      const first = firstLineOf.get(record.externalRef);
      if (first !== undefined) {
        wrong.push(`duplicate externalRef "${record.externalRef}" (first on line ${first}); each card needs its own`);
      } else {
        firstLineOf.set(record.externalRef, row.line);
      }
    }
    if (wrong.length > 0) {
      problems.push(`${at}: ${wrong.join('; ')}`);
      continue;
    }
    records.push(record);
  }
  if (records.length === 0 && problems.length === 0) {
    problems.push(`${source} has a header but no card rows`);
  }
  return { records, problems };
}
