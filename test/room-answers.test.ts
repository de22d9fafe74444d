import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AnswerFormError, messageFor } from '../src/room/answer.js';
import { roomSettingsFromEnv } from '../src/room/settings.js';
import type { Viewer } from '../src/room/viewer.js';

const erin: Viewer = {
  name: 'erin',
  roles: ['engineering'],
  identity: { issuer: 'https://login.acme.example', subject: 'u-1', email: 'erin@acme.example', via: 'session' },
};

describe('the room turns forms into messages', () => {
  it('sends as the signed-in person, whatever name the form carries', () => {
    const message = messageFor(erin, { action: 'approve', stage: 'go-live', by: 'lara', note: ' smoke tests green ', _extra: 'x' });
    assert.deepEqual(message, { kind: 'approve', args: { stage: 'go-live', by: 'erin', note: 'smoke tests green' } });
  });

  it('leaves out empty optional fields and reads a watch extension as a duration', () => {
    assert.deepEqual(messageFor(erin, { action: 'approve', stage: 'go-live', note: '', authorizationId: '  ' }).args, {
      stage: 'go-live',
      by: 'erin',
    });
    assert.deepEqual(messageFor(erin, { action: 'extend-watch', extendBy: '12h', reason: 'late alert' }).args, {
      by: 'erin',
      extendByMs: 12 * 3_600_000,
      reason: 'late alert',
    });
  });

  it('refuses a form the CLI would refuse, saying why, before anything is sent', () => {
    const refused = (fields: Record<string, unknown>, says: RegExp) =>
      assert.throws(
        () => messageFor(erin, fields),
        (err: unknown) => err instanceof AnswerFormError && says.test(err.message),
      );
    refused({ action: 'approve', stage: 'launch' }, /stage|option|expected/i);
    refused({ action: 'reject', stage: 'go-live', reason: '  ' }, /write why you reject/);
    refused(
      { action: 'complete-item', item: 'secrets-in-vault', evidence: 'x'.repeat(2_001) },
      /evidence is 2,001 characters; the limit is 2,000/,
    );
    refused({ action: 'extend-watch', extendBy: 'soon', reason: 'r' }, /positive duration/);
    refused({ action: 'abort', reason: 'r' }, /no action the room knows/);
  });
});

describe('the room settings', () => {
  const sessionKey = randomBytes(32).toString('base64');
  const base = {
    CUTOVER_ROOM_OIDC_ISSUER: 'https://login.acme.example',
    CUTOVER_ROOM_OIDC_CLIENT_ID: 'cutover-room',
    CUTOVER_ROOM_OIDC_CLIENT_SECRET: 's3cret',
    CUTOVER_ROOM_SESSION_KEY: sessionKey,
  };

  it('needs sign-in, naming the variables and none of their values', () => {
    assert.throws(
      () => roomSettingsFromEnv({}),
      /CUTOVER_ROOM_OIDC_ISSUER, CUTOVER_ROOM_OIDC_CLIENT_ID, CUTOVER_ROOM_OIDC_CLIENT_SECRET \(or _FILE\) and CUTOVER_ROOM_SESSION_KEY/,
    );
    assert.throws(
      () => roomSettingsFromEnv({ ...base, CUTOVER_ROOM_SESSION_KEY: 'short' }),
      (err: Error) => /32 random bytes/.test(err.message) && !err.message.includes('s3cret'),
    );
  });

  it('reads the public URL, allowed hosts and session hours', () => {
    const settings = roomSettingsFromEnv({
      ...base,
      CUTOVER_ROOM_PUBLIC_URL: 'https://room.acme.example',
      CUTOVER_ROOM_ALLOWED_HOSTS: 'room.internal, room-2.internal',
      CUTOVER_ROOM_SESSION_HOURS: '4',
    });
    assert.equal(settings.publicUrl, 'https://room.acme.example');
    assert.deepEqual(settings.allowedHosts, ['room.internal', 'room-2.internal']);
    assert.equal(settings.sessionHours, 4);
    assert.equal(settings.signIn.sessionKey.length, 32);
    assert.throws(() => roomSettingsFromEnv({ ...base, CUTOVER_ROOM_SESSION_HOURS: '72' }), /at most 24/);
    assert.throws(() => roomSettingsFromEnv({ ...base, CUTOVER_ROOM_PUBLIC_URL: 'room.acme.example' }), /http\(s\) address/);
  });
});
