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
