/**
 * The cutover room on the local stack: the room itself and, for it to sign people in, the development
 * identity provider whose accounts are the plan's people, so a newcomer signs in as lara or erin with one
 * click. The provider is for the local stack only and says so on every page; the room is the real one.
 */
import type { Client } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { startDevelopmentProvider, type DevelopmentAccount } from '../identity/development-provider.js';
import type { CutoverPlan } from '../plan/schema.js';
import { startRoom } from '../room/server.js';
import type { RoomSigningKey } from '../signing/room-key.js';
import type { CutoverStatus } from '../workflows/cutover-state.js';

export interface LocalRoomOptions {
  /** Whose accounts the development provider holds: the plan's people. */
  people: NonNullable<CutoverPlan['people']>;
  /** 0 picks a free one. */
  port?: number;
  launchReport?: (status: CutoverStatus, generatedAt: Date) => string;
  /** The room's key, for its signed statements of who answered. */
  signingKey?: RoomSigningKey;
}

export interface LocalRoom {
  url: string;
  /** The development provider's issuer. */
  issuer: string;
  /** The accounts one can sign in as, by id. */
  accounts: string[];
  close(): Promise<void>;
}

/** One account per person: the plan's subject as the account id where it names one, else the person id. */
export function developmentAccounts(people: LocalRoomOptions['people']): DevelopmentAccount[] {
  return Object.entries(people).map(([name, identity]) => ({
    id: identity.subject ?? name,
    email: identity.email ?? `${name}@development.invalid`,
    name,
  }));
}

/** `port` is claimed already; the room is reached as localhost, the name the provider returns browsers to. */
export async function startLocalRoom(
  client: Client,
  options: { host: string; port: number; temporalUiUrl: string; log: (line: string) => void } & Pick<
    LocalRoomOptions,
    'people' | 'launchReport' | 'signingKey'
  >,
): Promise<LocalRoom> {
  const publicUrl = `http://localhost:${options.port}`;
  const accounts = developmentAccounts(options.people);
  const roomClient = { clientId: 'cutover-room', clientSecret: randomBytes(16).toString('hex'), redirectUris: [`${publicUrl}/callback`] };
  const provider = await startDevelopmentProvider({ accounts, clients: [roomClient], host: options.host, log: options.log });
  try {
    const room = await startRoom({
      client,
      signIn: {
        issuer: provider.issuer,
        clientId: roomClient.clientId,
        clientSecret: roomClient.clientSecret,
        sessionKey: randomBytes(32),
      },
      host: options.host,
      port: options.port,
      publicUrl,
      temporalUiUrl: options.temporalUiUrl,
      launchReport: options.launchReport,
      signingKey: options.signingKey,
      log: options.log,
    });
    return {
      url: room.url,
      issuer: provider.issuer,
      accounts: accounts.map((account) => account.id),
      async close() {
        await room.close();
        await provider.close();
      },
    };
  } catch (err) {
    await provider.close();
    throw err;
  }
}
