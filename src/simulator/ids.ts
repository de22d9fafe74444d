import { randomBytes } from 'node:crypto';

/** Opaque ids shaped like PayCA's: a type prefix and random hex, e.g. `card_3f9a…`. */
export function newId(prefix: string, bytes = 8): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`;
}
