#!/usr/bin/env node
// The `cutover` command. The CLI is TypeScript compiled to dist/; this file only loads it and exits
// with the code it answers, so long-lived handles (gRPC channels, timers) never keep a finished command alive.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/src/client/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('error: the cutover CLI is not built yet; run `npm run build` (or `npm run setup && npm run build`) first\n');
  process.exit(1);
}
const { main } = createRequire(import.meta.url)(entry);
process.exit(await main(process.argv));
