#!/usr/bin/env node
// The `cutover` command. The CLI is TypeScript compiled to dist/; this file only loads it and exits
// with the code it answers, so long-lived handles (gRPC channels, timers) never keep a finished command alive.
// It exits only once stdout and stderr have taken everything written: a pipe holds 64 KiB, and a reader
// slower than the command would otherwise get a cut answer and a zero exit code.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/src/client/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('error: the cutover CLI is not built yet; run `npm run build` (or `npm run setup && npm run build`) first\n');
  process.exit(1);
}
const { main } = createRequire(import.meta.url)(entry);
const code = await main(process.argv);
// A reader that went away (`| head`) has all it wanted; that is not the command's failure.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
const drained = (stream) => new Promise((done) => (stream.writableLength === 0 ? done() : stream.write('', () => done())));
await Promise.all([drained(process.stdout), drained(process.stderr)]);
process.exit(code);
