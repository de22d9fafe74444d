/**
 * Registers the cutover's search attributes on a namespace through the operator service. The dev server
 * takes them as `--search-attribute` flags instead; this is for the time-skipping server and for a
 * cluster an operator sets up once. Registering an attribute that exists is not an error.
 */
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

export const CUTOVER_SEARCH_ATTRIBUTES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  CutoverPhase: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  CutoverStage: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  CutoverGoLive: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
};

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: CUTOVER_SEARCH_ATTRIBUTES });
  } catch (err) {
    const code = (err as { code?: number }).code;
    // 6 = ALREADY_EXISTS: a second registration is the state we want.
    if (code !== 6) throw err;
  }
}
