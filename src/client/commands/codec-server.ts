/** `cutover codec-server`: the remote codec endpoint for the Temporal UI, until Ctrl-C. */
import { Command } from 'commander';
import { DEFAULT_CODEC_SERVER_PORT as DEFAULT_PORT, DEFAULT_UI_ORIGIN as DEFAULT_UI_URL, startCodecServer } from '../../codec/codec-server.js';
import { CodecConfigError, UsageError } from '../../errors.js';
import { parsePort } from '../arguments.js';
import { examples } from '../help.js';
import { listenForInterrupt } from '../interrupt.js';
import { say } from '../output.js';

/** Browsers send the origin without a path, so a UI URL such as http://localhost:8233/namespaces is cut to its origin. */
function parseOrigin(value: string): string {
  if (value === '*') {
    throw new UsageError(`--cors-origin '*' would let a page on any site decrypt payloads: give the Temporal UI's address, e.g. ${DEFAULT_UI_URL}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--cors-origin ${JSON.stringify(value)} is not a URL: give the Temporal UI's address, e.g. ${DEFAULT_UI_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--cors-origin ${JSON.stringify(value)} must be an http(s) URL`);
  return url.origin;
}

export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description('serve /encode and /decode for the Temporal UI, so engineers read encrypted payloads in clear')
    .option('--port <n>', `port to listen on (0 picks a free one)`, String(DEFAULT_PORT))
    .option('--host <host>', 'address to listen on (anyone who reaches it can decrypt: keep it private)', '127.0.0.1')
    .option('--allowed-host <name...>', 'host names requests may be addressed to besides loopback (the name people reach it by)')
    .option(
      '--cors-origin <url...>',
      'the Temporal UI origin(s) allowed to call it from a browser (default: $CUTOVER_UI_URL or http://localhost:8233)',
    )
    .addHelpText(
      'after',
      `${examples(
        'CUTOVER_PAYLOAD_KEYS=k2:… cutover codec-server',
        'cutover codec-server --port 8081 --host 0.0.0.0 --cors-origin https://temporal.internal.example',
      )}
Keys come from CUTOVER_PAYLOAD_KEYS or CUTOVER_PAYLOAD_KEYS_FILE, as for the worker. Point the UI at it:
its "Codec Server" setting (the data encoder icon), TEMPORAL_CODEC_ENDPOINT for a UI server, or
\`temporal server start-dev --ui-codec-endpoint http://localhost:${DEFAULT_PORT}\`.
`,
    )
    .action(async (options: { port: string; host: string; corsOrigin?: string[]; allowedHost?: string[] }) => {
      const port = parsePort(options.port, '--port');
      const origins = (options.corsOrigin ?? [process.env.CUTOVER_UI_URL || DEFAULT_UI_URL])
        .flatMap((value) => value.split(','))
        .map((value) => parseOrigin(value.trim()));
      const { payloadCodecsFromEnv } = await import('../../codec/payload-codecs.js');
      const codecs = payloadCodecsFromEnv();
      if (codecs.length === 0) {
        throw new CodecConfigError('the codec server has no keys: set CUTOVER_PAYLOAD_KEYS or CUTOVER_PAYLOAD_KEYS_FILE as for the worker');
      }
      const interrupt = listenForInterrupt();
      try {
        const server = await startCodecServer({
          codecs,
          host: options.host,
          port,
          corsOrigins: origins,
          allowedHosts: options.allowedHost?.flatMap((value) => value.split(',')).map((value) => value.trim()),
          accessLog: (entry) =>
            say(`${entry.at} ${entry.path} ${entry.status} ${entry.payloads} payload(s) from ${entry.remoteAddress ?? '?'}${entry.origin ? ` origin ${entry.origin}` : ''}`),
        });
        say(`codec server on ${server.url} (POST /encode, POST /decode, GET /health); browsers allowed from ${origins.join(', ')}`);
        say('Ctrl-C stops it.');
        await interrupt.received;
        await server.close();
        say('codec server stopped');
      } finally {
        interrupt.dispose();
      }
    });
}
