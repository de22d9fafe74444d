/** `cutover room`: the cutover room, a web application for the people of a cutover, until Ctrl-C. */
import { Command } from 'commander';
import { parsePort } from '../arguments.js';
import { examples } from '../help.js';
import { listenForInterrupt } from '../interrupt.js';
import { say } from '../output.js';
import { uiBaseUrl } from '../ui-link.js';

export function roomCommand(): Command {
  return new Command('room')
    .description('serve the cutover room: people sign in with the identity provider and follow and answer their cutovers in a browser')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '8290')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addHelpText(
      'after',
      `${examples('cutover room', 'cutover room --host 0.0.0.0 --port 8290')}
Temporal is reached as by every command (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS, profiles).
Sign-in comes from CUTOVER_ROOM_OIDC_ISSUER, CUTOVER_ROOM_OIDC_CLIENT_ID, CUTOVER_ROOM_OIDC_CLIENT_SECRET[_FILE]
and CUTOVER_ROOM_SESSION_KEY[_FILE] (32 bytes, base64); CUTOVER_ROOM_PUBLIC_URL is where browsers reach it
(the provider returns to <url>/callback), CUTOVER_ROOM_ALLOWED_HOSTS the other names it answers to, and
CUTOVER_ROOM_SESSION_HOURS how long a sign-in lasts (8). People see the cutovers whose plan lists them
under people. See docs/room.md.
`,
    )
    .action(async (options: { port: string; host: string }) => {
      const port = parsePort(options.port, '--port');
      const [{ roomSettingsFromEnv }, { startRoom }, { connectClient }, { renderLaunchReportMarkdown }] = await Promise.all([
        import('../../room/settings.js'),
        import('../../room/server.js'),
        import('../../temporal/connection.js'),
        import('../format/launch-report.js'),
      ]);
      const settings = roomSettingsFromEnv();
      const { client, target } = await connectClient();
      const interrupt = listenForInterrupt();
      try {
        const room = await startRoom({
          client,
          signIn: settings.signIn,
          host: options.host,
          port,
          publicUrl: settings.publicUrl,
          allowedHosts: settings.allowedHosts,
          sessionHours: settings.sessionHours,
          signingKey: settings.signingKey,
          temporalUiUrl: uiBaseUrl(),
          launchReport: renderLaunchReportMarkdown,
          log: say,
        });
        say(`cutover room on ${room.url} for ${target.namespace} at ${target.address}; sign-in with ${settings.signIn.issuer}`);
        say('Ctrl-C stops it.');
        await interrupt.received;
        await room.close();
        say('cutover room stopped');
      } finally {
        interrupt.dispose();
        await client.connection.close();
      }
    });
}
