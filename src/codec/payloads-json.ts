/**
 * Payloads as the Temporal UI and `temporal` CLI send them to a codec server: the protobuf JSON shape,
 * `{payloads: [{metadata: {name: base64}, data: base64}]}`, parsed with zod at the HTTP edge.
 */
import type { Payload } from '@temporalio/common';
import { z } from 'zod';

const Base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');

export const PayloadsJson = z.strictObject({
  // Protobuf's JSON leaves an empty list out: `temporal workflow show` sends `{}` for an update without arguments.
  payloads: z
    .array(
      z.object({
        metadata: z.record(z.string(), Base64).nullish(),
        data: Base64.nullish(),
      }),
    )
    .default([]),
});
export type PayloadsJson = z.infer<typeof PayloadsJson>;

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
const base64 = (value: Uint8Array) => Buffer.from(value).toString('base64');

export function payloadsFromJson(body: PayloadsJson): Payload[] {
  return body.payloads.map((payload) => ({
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, bytes(value)])),
    data: bytes(payload.data ?? ''),
  }));
}

export function payloadsToJson(payloads: Payload[]): PayloadsJson {
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, base64(value)])),
      data: base64(payload.data ?? new Uint8Array()),
    })),
  };
}
