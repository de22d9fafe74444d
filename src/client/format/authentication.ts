/** How an answer was authenticated, in the words status and the launch report use. */
import { shortHex } from '../../signing/approval-statement.js';
import type { Authentication } from '../../workflows/cutover-state.js';

export function authenticationText(how: Authentication): string {
  switch (how.via) {
    case 'room':
      return `room: ${how.subject} at ${how.issuer}`;
    case 'key':
      return `signed, key ${shortHex(how.publicKey)}`;
    case 'name':
      return 'name only';
  }
}
