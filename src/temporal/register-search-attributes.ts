/**
 * Makes sure a namespace has the cutover's search attributes, with the right types. The dev server is
 * also started with `--search-attribute` flags, but on a reused SQLite file those are silently ignored
 * for names that exist (even with another type), so the registrations are checked after start. The
 * time-skipping test server cannot list search attributes; there they are only added.
 */
import type { Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { CutoverError } from '../errors.js';
import { CUTOVER_SEARCH_ATTRIBUTE_KEYS } from '../workflows/search-attributes.js';

const GRPC_ALREADY_EXISTS = 6;
const GRPC_UNIMPLEMENTED = 12;

function wanted(): Record<string, number> {
  return Object.fromEntries(
    CUTOVER_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, Number(encodeSearchAttributeIndexedValueType(key.type))]),
  );
}

async function registered(connection: Connection, namespace: string): Promise<Record<string, number> | undefined> {
  try {
    const answer = await connection.operatorService.listSearchAttributes({ namespace });
    return Object.fromEntries(Object.entries(answer.customAttributes ?? {}).map(([name, type]) => [name, Number(type)]));
  } catch (err) {
    if ((err as { code?: number }).code === GRPC_UNIMPLEMENTED) return undefined;
    throw err;
  }
}

export interface RegistrationContext {
  /** Names the server's data in the error a wrongly typed registration gets. */
  where: string;
  /** What the person should do about it. */
  remedy: string;
}

export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  context: RegistrationContext = { where: `namespace ${namespace}`, remedy: 'use a fresh namespace, or remove the attribute there' },
): Promise<void> {
  const needed = wanted();
  const existing = await registered(connection, namespace);
  const missing: Record<string, number> = {};
  for (const [name, type] of Object.entries(needed)) {
    const current = existing?.[name];
    if (current === undefined) {
      missing[name] = type;
    } else if (current !== type) {
      throw new CutoverError(
        'CONFIG_INVALID',
        `${context.where} registers search attribute ${name} with another type than cutovers need; ${context.remedy}`,
        { name },
      );
    }
  }
  if (Object.keys(missing).length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (err) {
    // Already there is the state we wanted (a server that could not list them answers this way).
    if ((err as { code?: number }).code !== GRPC_ALREADY_EXISTS) throw err;
  }
}
