/** `cutover sim`: one PayCA simulator in the foreground, for trying the client or a worker by hand. */
import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { parsePort } from '../arguments.js';
import { examples } from '../help.js';
import { listenForInterrupt } from '../interrupt.js';
import { say } from '../output.js';

const DEFAULT_PORTS = { production: 4010, sandbox: 4011 } as const;

export function simCommand(): Command {
  return new Command('sim')
    .description('run a PayCA simulator until Ctrl-C (simulator-only fake credentials are printed)')
    .option('--mode <mode>', 'sandbox or production', 'production')
    .option('--port <n>', 'port to listen on (default 4010 production, 4011 sandbox; 0 picks a free one)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addHelpText('after', examples('cutover sim', 'cutover sim --mode sandbox --port 4011'))
    .action(async (options: { mode: string; port?: string; host: string }) => {
      if (options.mode !== 'sandbox' && options.mode !== 'production') {
        throw new UsageError(`--mode ${JSON.stringify(options.mode)} is not valid: must be sandbox or production`);
      }
      const mode = options.mode;
      const port = options.port === undefined ? DEFAULT_PORTS[mode] : parsePort(options.port, '--port');
      const { startSimulator } = await import('../../simulator/server.js');
      const interrupt = listenForInterrupt();
      try {
        const sim = await startSimulator({ mode, host: options.host, port });
        say(`PayCA ${mode} simulator on ${sim.url}`);
        say(`  x-client-id:     ${sim.credentials.clientId}`);
        say(`  x-client-secret: ${sim.credentials.clientSecret}   (simulator-only fake)`);
        say(`  admin API:       ${sim.url}/_sim/counters, /_sim/faults, /_sim/jobs/{name}`);
        say('Ctrl-C stops it.');
        await interrupt.received;
        await sim.close();
        say('simulator stopped');
      } finally {
        interrupt.dispose();
      }
    });
}
