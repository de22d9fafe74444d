/**
 * `Idempotency-Key` handling for POSTs.
 *
 * Scope: a key is remembered per client id + method + path. The same key on another card's top-up is a
 * different operation, not a conflict; that keeps the client free to derive keys from a plan step
 * without folding the path in.
 *
 * What is remembered: every answer the handler produced except 5xx, which mean "nothing was decided"
 * and so free the key for a retry. Expiry runs on the simulator's business clock (`now`).
 */
import { SimError, type SimResponse } from './http-io.js';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const RETENTION_MS = 24 * 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

interface Entry {
  fingerprint: string;
  storedAtMs: number;
  response?: SimResponse;
}

export type IdempotencyOutcome =
  { kind: 'replay'; response: SimResponse } | { kind: 'execute'; finish(response: SimResponse): void; abandon(): void };

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private lastSweepMs = 0;

  constructor(private readonly now: () => Date) {}

  clear(): void {
    this.entries.clear();
  }

  /** Throws ErrValidation, ErrIdempotencyConflict or ErrIdempotencyInFlight; otherwise says what to do. */
  begin(scope: string, key: string, fingerprint: string): IdempotencyOutcome {
    if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
      throw new SimError('ErrValidation', `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${key.length}`);
    }
    const nowMs = this.now().getTime();
    this.sweep(nowMs);
    const storeKey = `${scope}\u0000${key}`;
    const existing = this.entries.get(storeKey);
    if (existing && nowMs - existing.storedAtMs < RETENTION_MS) {
      if (existing.fingerprint !== fingerprint) {
        throw new SimError('ErrIdempotencyConflict', 'Idempotency-Key was already used with a different request body');
      }
      if (!existing.response) {
        throw new SimError('ErrIdempotencyInFlight', 'a request with this Idempotency-Key is still being processed; retry shortly');
      }
      return { kind: 'replay', response: existing.response };
    }

    const entry: Entry = { fingerprint, storedAtMs: nowMs };
    this.entries.set(storeKey, entry);
    return {
      kind: 'execute',
      finish: (response) => {
        if (response.status >= 500) this.entries.delete(storeKey);
        else entry.response = response;
      },
      abandon: () => {
        this.entries.delete(storeKey);
      },
    };
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < SWEEP_EVERY_MS) return;
    this.lastSweepMs = nowMs;
    for (const [key, entry] of this.entries) {
      if (entry.response && nowMs - entry.storedAtMs >= RETENTION_MS) this.entries.delete(key);
    }
  }
}
