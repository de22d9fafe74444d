/** An Ed25519 key pair for the signed-answer suites, as `cutover keygen` writes one. */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `name`.pem (the private key, PKCS#8, owner-only) into `dir`; returns it and the raw public key the plan lists. */
export function writeKeyPair(dir: string, name: string): { file: string; publicKeyBase64: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const file = join(dir, `${name}.pem`);
  writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return { file, publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64') };
}
