/**
 * A throwaway CA with server and client certificates, made by the openssl CLI (found by `test-tools.ts`) in a temporary
 * directory, for suites that connect over TLS and mTLS. Leaf certificates are X.509 v3 with CA:FALSE,
 * because the worker's TLS stack (rustls) refuses anything else.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testToolPath } from './test-tools.js';

export interface IssuedFiles {
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
}

export class OpensslPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'cutover-pki-'));

  createCa(name: string): IssuedFiles {
    this.openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
    return this.files(name);
  }

  /** A leaf certificate signed by `ca`: a server one for `names` (DNS names or IPv4), or a client one. */
  issue(name: string, ca: string, usage: { server: string[] } | { client: true }): IssuedFiles {
    const extensions = ['-addext', 'basicConstraints=critical,CA:FALSE'];
    if ('server' in usage) {
      const san = usage.server.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
      extensions.push('-addext', `subjectAltName=${san}`, '-addext', 'extendedKeyUsage=serverAuth');
    } else {
      extensions.push('-addext', 'extendedKeyUsage=clientAuth');
    }
    this.openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      ...extensions,
    ]);
    return this.files(name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private files(name: string): IssuedFiles {
    const certPath = join(this.dir, `${name}.crt`);
    const keyPath = join(this.dir, `${name}.key`);
    return { certPath, keyPath, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  }

  private openssl(args: string[]): void {
    execFileSync(testToolPath('openssl'), args, { cwd: this.dir, stdio: 'pipe' });
  }
}
