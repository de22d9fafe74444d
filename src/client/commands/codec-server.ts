/** `cutover codec-server`: the remote codec endpoint for the Temporal UI, until Ctrl-C. */
import { Command } from 'commander';
import {
  DEFAULT_CODEC_SERVER_PORT as DEFAULT_PORT,
  DEFAULT_UI_ORIGIN as DEFAULT_UI_URL,
  startCodecServer,
  type CodecAccess,
  type CodecAuthentication,
} from '../../codec/codec-server.js';
import { CodecConfigError, UsageError } from '../../errors.js';
import { signInSettingsFromEnv, signInVariables } from '../../identity/sign-in-settings.js';
import { isLoopbackHost } from '../../net/loopback.js';
import { parsePort } from '../arguments.js';
import { examples } from '../help.js';
import { listenForInterrupt } from '../interrupt.js';
import { say, warn } from '../output.js';

const CODEC_SIGN_IN_PREFIX = 'CUTOVER_CODEC';

/** Browsers send the origin without a path, so a UI URL such as http://localhost:8233/namespaces is cut to its origin. */
function parseOrigin(value: string, option = '--cors-origin'): string {
  if (value === '*') {
    throw new UsageError(
      `--cors-origin '*' would let a page on any site decrypt payloads: give the Temporal UI's address, e.g. ${DEFAULT_UI_URL}`,
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${option} ${JSON.stringify(value)} is not a URL, e.g. ${DEFAULT_UI_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`${option} ${JSON.stringify(value)} must be an http(s) URL`);
  return url.origin;
}

function describeAccess(entry: CodecAccess): string {
  const who = entry.who
    ? `${entry.who.email ?? entry.who.subject} (subject ${entry.who.subject}, ${entry.who.via})`
    : entry.refused
      ? 'refused'
      : 'anyone (no sign-in)';
  const where = `from ${entry.remoteAddress ?? '?'}${entry.origin ? ` origin ${entry.origin}` : ''}`;
  return `${entry.at} ${entry.path} ${entry.status} ${entry.payloads} payload(s) by ${who} ${where}${entry.refused ? `: ${entry.refused}` : ''}`;
}

/** Sign-in from the environment, or, asked for with --no-auth, none on loopback. */
function authenticationFor(auth: boolean, host: string): CodecAuthentication {
  const names = signInVariables(CODEC_SIGN_IN_PREFIX);
  if (!auth) {
    if (!isLoopbackHost(host.replace(/^\[|\]$/g, ''))) {
      throw new UsageError(
        `--no-auth lets anyone who reaches the port decrypt, so it is for loopback only, not --host ${host}: configure sign-in with ${names.issuer} and the rest`,
      );
    }
    return { kind: 'none-on-loopback' };
  }
  const settings = signInSettingsFromEnv(CODEC_SIGN_IN_PREFIX);
  if (!settings) {
    throw new CodecConfigError(
      `the codec server lets only signed-in people decode: set ${names.issuer}, ${names.clientId}, ${names.clientSecret} (or _FILE) and ${names.sessionKey} (or _FILE), or pass --no-auth to run it without sign-in on loopback`,
    );
  }
  return { kind: 'sign-in', settings };
}

export function codecServerCommand(): Command {
  return new Command('codec-server')
    .description('serve /encode and /decode for the Temporal UI, so engineers read encrypted payloads in clear')
    .option('--port <n>', `port to listen on (0 picks a free one)`, String(DEFAULT_PORT))
    .option('--host <host>', 'address to listen on (anyone who reaches it can decrypt: keep it private)', '127.0.0.1')
    .option('--allowed-host <name...>', 'host names requests may be addressed to besides loopback (the name people reach it by)')
    .option('--public-url <url>', 'where browsers reach it, for the return from sign-in (default: the listening address)')
    .option('--no-auth', 'serve without sign-in: anyone who reaches the port can decrypt, so loopback only')
    .option(
      '--cors-origin <url...>',
      'the Temporal UI origin(s) allowed to call it from a browser (default: $CUTOVER_UI_URL or http://localhost:8233)',
    )
    .addHelpText(
      'after',
      `${examples(
        'CUTOVER_PAYLOAD_KEYS=k2:… cutover codec-server --no-auth',
        'cutover codec-server --port 8081 --host 0.0.0.0 --public-url https://codec.internal.example --cors-origin https://temporal.internal.example',
      )}
Keys come from CUTOVER_PAYLOAD_KEYS or CUTOVER_PAYLOAD_KEYS_FILE, as for the worker. Sign-in comes from
CUTOVER_CODEC_OIDC_ISSUER, CUTOVER_CODEC_OIDC_CLIENT_ID, CUTOVER_CODEC_OIDC_CLIENT_SECRET[_FILE],
CUTOVER_CODEC_SESSION_KEY[_FILE] (32 bytes, base64) and, to accept the UI's bearer tokens,
CUTOVER_CODEC_OIDC_AUDIENCE; people sign in at <public url>/login. Point the UI at it:
its "Codec Server" setting (the data encoder icon), TEMPORAL_CODEC_ENDPOINT for a UI server, or
\`temporal server start-dev --ui-codec-endpoint http://localhost:${DEFAULT_PORT}\`.
`,
    )
    .action(
      async (options: { port: string; host: string; auth: boolean; publicUrl?: string; corsOrigin?: string[]; allowedHost?: string[] }) => {
        const port = parsePort(options.port, '--port');
        const authentication = authenticationFor(options.auth, options.host);
        const publicUrl = options.publicUrl === undefined ? undefined : parseOrigin(options.publicUrl, '--public-url');
        const origins = (options.corsOrigin ?? [process.env.CUTOVER_UI_URL || DEFAULT_UI_URL])
          .flatMap((value) => value.split(','))
          .map((value) => parseOrigin(value.trim()));
        const { payloadCodecsFromEnv } = await import('../../codec/payload-codecs.js');
        const codecs = payloadCodecsFromEnv();
        if (codecs.length === 0) {
          throw new CodecConfigError(
            'the codec server has no keys: set CUTOVER_PAYLOAD_KEYS or CUTOVER_PAYLOAD_KEYS_FILE as for the worker',
          );
        }
        const interrupt = listenForInterrupt();
        try {
          if (authentication.kind === 'none-on-loopback') {
            warn(
              'warning: --no-auth: anyone who can reach this port on this machine can decrypt and encrypt payloads; there is no sign-in',
            );
          }
          const server = await startCodecServer({
            codecs,
            authentication,
            host: options.host,
            port,
            publicUrl,
            log: say,
            corsOrigins: origins,
            allowedHosts: options.allowedHost?.flatMap((value) => value.split(',')).map((value) => value.trim()),
            accessLog: (entry) => say(describeAccess(entry)),
          });
          say(`codec server on ${server.url} (POST /encode, POST /decode, GET /health); browsers allowed from ${origins.join(', ')}`);
          if (authentication.kind === 'sign-in') {
            const bearer = authentication.settings.audience ? `, or bearer tokens for ${authentication.settings.audience}` : '';
            say(
              `sign-in with ${authentication.settings.issuer}: people sign in at ${new URL('/login', publicUrl ?? server.url).href}${bearer}`,
            );
          }
          say('Ctrl-C stops it.');
          await interrupt.received;
          await server.close();
          say('codec server stopped');
        } finally {
          interrupt.dispose();
        }
      },
    );
}
