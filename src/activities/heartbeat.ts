/**
 * Heartbeats that a wait for a PayCA permit can repeat. A heartbeat replaces the details of the one before,
 * and activities keep their progress there (a cursor, "creating"), so a keep-alive must send the same
 * details again rather than none. PayCA activities that heartbeat do it through `heartbeat` here.
 */
import { asyncLocalStorage, type Context } from '@temporalio/activity';
import type { PermitOptions } from '../payca/call-rate.js';

const lastDetails = new WeakMap<Context, { details: unknown }>();

export function heartbeat(ctx: Context, details: unknown): void {
  lastDetails.set(ctx, { details });
  ctx.heartbeat(details);
}

/**
 * A keep-alive for the activity running now, when it has a heartbeat timeout: the details this attempt
 * last sent, or, before it sent any, those of the attempt before it, so a retry's resume point survives.
 * Local activities and activities without a heartbeat timeout get none, since they may not heartbeat.
 */
export function keepActivityAlive(): PermitOptions['whileWaiting'] {
  const ctx = asyncLocalStorage.getStore();
  if (!ctx || ctx.info.isLocal || !ctx.info.heartbeatTimeoutMs) return undefined;
  return () => ctx.heartbeat(lastDetails.has(ctx) ? lastDetails.get(ctx)?.details : ctx.info.heartbeatDetails);
}
