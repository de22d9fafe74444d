/**
 * Makes sure the dev server knows the cutover's search attributes with the right types.
 * `--search-attribute` on a reused SQLite file is silently ignored when the name already exists,
 * even with another type, so the registrations are checked (and missing ones added) after start.
 */
import type { Connection } from '@temporalio/client';
import { CutoverError } from '../errors.js';

/** temporal.api.enums.v1.IndexedValueType, by the names `--search-attribute` uses. */
const INDEXED_VALUE_TYPES: Record<string, number> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

function typeName(code: number): string {
  return Object.entries(INDEXED_VALUE_TYPES).find(([, value]) => value === code)?.[0] ?? `type ${code}`;
}

function parseRegistration(registration: string): { name: string; type: string; code: number } {
  const [name = '', type = ''] = registration.split('=');
  const code = INDEXED_VALUE_TYPES[type];
  if (!name || code === undefined) throw new Error(`bad search attribute registration "${registration}"`);
  return { name, type, code };
}

export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  registrations: string[],
  dataDir: string,
): Promise<void> {
  const wanted = registrations.map(parseRegistration);
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = existing.customAttributes ?? {};
  const missing: Record<string, number> = {};
  for (const { name, type, code } of wanted) {
    const current = custom[name];
    if (current === undefined || current === null) {
      missing[name] = code;
    } else if (Number(current) !== code) {
      throw new CutoverError(
        'CONFIG_INVALID',
        `the Temporal data in ${dataDir} registers search attribute ${name} as ${typeName(Number(current))}, but cutovers need ${type}; start with another --data-dir or delete ${dataDir}/temporal.sqlite`,
        { name, dataDir },
      );
    }
  }
  if (Object.keys(missing).length > 0) {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  }
}
