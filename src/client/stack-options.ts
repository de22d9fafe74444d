/** The port and data flags `cutover dev` and `cutover demo` share, and how they become stack options. */
import type { Command } from 'commander';
import { payloadCodecsFromEnv } from '../codec/payload-codecs.js';
import { DEV_STACK_DEFAULTS } from '../dev/defaults.js';
import type { DevStackOptions } from '../dev/stack.js';
import type { CutoverPlan } from '../plan/schema.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';
import { parsePort } from './arguments.js';
import { DEV_ROOM_SIGNING_KEY_FILE } from '../dev/defaults.js';
import { readRoomSigningKey, roomSigningKeyFromEnv, type RoomSigningKey } from '../signing/room-key.js';

export interface StackFlags {
  dataDir: string;
  temporalPort: string;
  uiPort: string;
  simPort: string;
  sandboxSimPort: string;
  receiverPort: string;
  roomPort: string;
  room: boolean;
}

export function addStackFlags(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'where the Temporal dev server keeps its SQLite file and log', DEV_STACK_DEFAULTS.dataDir)
    .option('--temporal-port <n>', 'Temporal gRPC port (0 picks a free one)', String(DEV_STACK_DEFAULTS.temporalPort))
    .option('--ui-port <n>', 'Temporal Web UI port', String(DEV_STACK_DEFAULTS.uiPort))
    .option('--sim-port <n>', 'production PayCA simulator port', String(DEV_STACK_DEFAULTS.productionSimPort))
    .option('--sandbox-sim-port <n>', 'sandbox PayCA simulator port', String(DEV_STACK_DEFAULTS.sandboxSimPort))
    .option('--receiver-port <n>', 'webhook receiver port', String(DEV_STACK_DEFAULTS.receiverPort))
    .option('--room-port <n>', 'cutover room port (0 picks a free one)', String(DEV_STACK_DEFAULTS.roomPort))
    .option('--no-room', 'do not start the cutover room and its development identity provider');
}

export function stackOptionsFrom(flags: StackFlags): DevStackOptions {
  return {
    dataDir: flags.dataDir,
    temporalPort: parsePort(flags.temporalPort, '--temporal-port'),
    uiPort: parsePort(flags.uiPort, '--ui-port'),
    productionSimPort: parsePort(flags.simPort, '--sim-port'),
    sandboxSimPort: parsePort(flags.sandboxSimPort, '--sandbox-sim-port'),
    receiverPort: parsePort(flags.receiverPort, '--receiver-port'),
    // The stack's worker and client, the CLI and a separate `cutover worker` must all see the same keys.
    payloadCodecs: payloadCodecsFromEnv(),
  };
}

/** The room for the stack, with the plan's people as the development provider's accounts; none without people or with --no-room. */
export function roomOptionsFrom(
  flags: StackFlags,
  plan: Pick<CutoverPlan, 'people'>,
  launchReport: (status: CutoverStatus, generatedAt: Date) => string,
): DevStackOptions['room'] {
  if (!flags.room || !plan.people || Object.keys(plan.people).length === 0) return undefined;
  return { people: plan.people, port: parsePort(flags.roomPort, '--room-port'), launchReport, signingKey: localRoomSigningKey() };
}

/** The local room signs with the room key configured, else the development key the example plan pins. */
export function localRoomSigningKey(): RoomSigningKey {
  return roomSigningKeyFromEnv() ?? readRoomSigningKey(DEV_ROOM_SIGNING_KEY_FILE);
}
