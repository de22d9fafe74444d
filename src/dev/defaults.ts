import { join } from 'node:path';
import { PROJECT_ROOT } from '../temporal/binaries.js';

/** Where the local stack listens by default: the addresses plans/example.yaml points at. */
export const DEV_STACK_DEFAULTS = {
  dataDir: '.data',
  host: '127.0.0.1',
  namespace: 'default',
  temporalPort: 7233,
  uiPort: 8233,
  productionSimPort: 4010,
  sandboxSimPort: 4011,
  receiverPort: 4020,
  roomPort: 8290,
} as const;

/**
 * The development room's private key, which the example plan pins: it proves nothing about who answered, and a
 * real plan pins its own room's key (`cutover keygen --room`).
 */
export const DEV_ROOM_SIGNING_KEY_FILE = join(PROJECT_ROOT, 'plans', 'dev', 'room-signing-key.pem');
