/** What `cutover dev` and `cutover demo` print about the running stack. */
import type { DevStack } from '../dev/stack.js';
import { DEFAULT_UI_URL } from './ui-link.js';

const EXAMPLE_ADDRESSES = { production: 'http://127.0.0.1:4010', sandbox: 'http://127.0.0.1:4011', receiver: 'http://127.0.0.1:4020' };

function onExamplePorts(stack: DevStack): boolean {
  return (
    stack.production.url === EXAMPLE_ADDRESSES.production &&
    stack.sandbox.url === EXAMPLE_ADDRESSES.sandbox &&
    stack.receiver.url === EXAMPLE_ADDRESSES.receiver
  );
}

/** `warnAboutExamplePlan`: say so when plans/example.yaml would not reach this stack (the demo rewrites it itself). */
export function stackSummary(stack: DevStack, { warnAboutExamplePlan = true } = {}): string[] {
  const credentials = (label: string, sim: DevStack['production'], fromEnvironment: boolean) =>
    fromEnvironment
      ? `  ${label.padEnd(10)} ${sim.url}   credentials from the PAYCA_${sim.mode.toUpperCase()}_* variables (not shown)`
      : `  ${label.padEnd(10)} ${sim.url}   x-client-id ${sim.credentials.clientId}, x-client-secret ${sim.credentials.clientSecret} (simulator-only fakes)`;
  const exportHint =
    stack.temporal.address === '127.0.0.1:7233'
      ? '  other terminals reach it with the default settings'
      : `  other terminals: export TEMPORAL_ADDRESS=${stack.temporal.address}${stack.temporal.uiUrl === DEFAULT_UI_URL ? '' : ` CUTOVER_UI_URL=${stack.temporal.uiUrl}`}`;
  return [
    `Temporal     ${stack.temporal.address} (namespace ${stack.temporal.namespace}), Web UI ${stack.temporal.uiUrl}`,
    exportHint,
    'PayCA simulators:',
    credentials('production', stack.production, stack.credentialsFromEnvironment.production),
    credentials('sandbox', stack.sandbox, stack.credentialsFromEnvironment.sandbox),
    `Webhooks     ${stack.receiver.url}`,
    `Schedule     sandbox-settlement-replay (${stack.sandboxSchedule})`,
    ...(stack.room
      ? [
          `Room         ${stack.room.url}   the cutover room: sign in as ${stack.room.accounts.join(', ')}`,
          `             through the development identity provider at ${stack.room.issuer} (for this machine only: no password)`,
        ]
      : []),
    `Worker       ${stack.workerRunning ? 'running in this process' : 'not started (--no-worker): run `cutover worker`'}`,
    ...(!warnAboutExamplePlan || onExamplePorts(stack)
      ? []
      : ['Note         plans/example.yaml points at ports 4010, 4011 and 4020; start cutovers from a copy that uses the addresses above']),
  ];
}
