/** `cutover keygen --out FILE`: an approver's Ed25519 key pair for signed answers. */
import { Command } from 'commander';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { CutoverError } from '../../errors.js';
import { parsePerson, parseText } from '../arguments.js';
import { examples } from '../help.js';
import { say } from '../output.js';

export function keygenCommand(): Command {
  return new Command('keygen')
    .description('make an Ed25519 key pair for signing your approvals: the private key stays with you, the public key goes in the plan')
    .requiredOption('--out <file>', 'where to write the private key (PEM, readable by you only); never overwritten')
    .option('--as <who>', 'your person id, to print the plan line ready to paste')
    .option(
      '--room',
      "make the cutover room's key instead: the room reads it from $CUTOVER_ROOM_SIGNING_KEY_FILE, the plan pins its public key",
    )
    .addHelpText(
      'after',
      examples('cutover keygen --out ~/.cutover/erin.pem --as erin', 'cutover keygen --room --out /etc/cutover-room/signing-key.pem'),
    )
    .action((options: { out: string; as?: string; room?: boolean }) => {
      const file = parseText(options.out, '--out');
      const who = options.as === undefined ? 'YOUR-ID' : parsePerson(options.as);
      if (existsSync(file)) {
        throw new CutoverError('SIGNING_KEY_INVALID', `${file} already exists; keygen never overwrites a key. Choose another --out`);
      }
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
      const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
      if (options.room) {
        say(`the room's private key written to ${file}; give it to the room only, as CUTOVER_ROOM_SIGNING_KEY_FILE=${file}`);
        say('public key, for the plan:');
        say(`identity:\n  roomPublicKey: ${raw}\n  require: signed`);
        return;
      }
      say(`private key written to ${file}; keep it to yourself and sign with \`--key ${file}\``);
      say('public key, for the plan:');
      say(`signing:\n  publicKeys:\n    ${who}: ${raw}`);
    });
}
