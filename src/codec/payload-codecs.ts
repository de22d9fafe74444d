/** The payload codecs a process runs with, from its environment: the encryption codec when keys are configured. */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { createEncryptionCodec } from './encryption-codec.js';
import { payloadKeysFromEnv } from './env-keys.js';

export function payloadCodecsFromEnv(env: NodeJS.ProcessEnv = process.env): PayloadCodec[] {
  const keys = payloadKeysFromEnv(env);
  return keys ? [createEncryptionCodec(keys)] : [];
}

/** Data converter options for clients and workers; undefined keeps the SDK's default (no codec). */
export function dataConverterFor(payloadCodecs: PayloadCodec[] | undefined): DataConverter | undefined {
  return payloadCodecs && payloadCodecs.length > 0 ? { payloadCodecs } : undefined;
}
