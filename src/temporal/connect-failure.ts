/**
 * Turns a failed connection into a reason a person can act on: the address, the TLS handshake, the
 * credentials or the namespace. The worker's native connection names the cause in its error; the CLI's
 * gRPC client only says it missed its deadline, so for that one a plain TCP or TLS handshake with the
 * same settings finds out which step fails.
 */
import { connect as connectTcp, isIP } from 'node:net';
import { inspect } from 'node:util';
import { connect as connectTls, type ConnectionOptions as TlsOptions } from 'node:tls';
import { TemporalConnectError, type TemporalConnectCause } from '../errors.js';
import type { ConnectionSettings } from './connection-settings.js';

const PROBE_TIMEOUT_MS = 3_000;
const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

interface Diagnosis {
  cause: TemporalConnectCause;
  detail: string;
}

const AUTH_PATTERN = /authentication credentials|unauthenticated|unauthorized|permission denied|permission_denied|not authorized/i;
const TLS_PATTERN =
  /InvalidCertificate|InvalidContentType|InvalidMessage|CertificateRequired|fatal alert|HandshakeFailure|handshake|certificate|\bssl\b|\btls\b|wrong version number/i;
const ADDRESS_PATTERN =
  /tcp connect error|dns error|Connection refused|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|timed out|invalid uri|invalid address/i;
const ADDRESS_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

/** Plain words for the Rust core's and OpenSSL's terse causes, each keeping the original token to search for. */
const PLAIN_REASONS: [RegExp, string][] = [
  [/Connection refused|ECONNREFUSED/, 'connection refused (nothing listens on that port)'],
  [/dns error|ENOTFOUND|EAI_AGAIN|failed to lookup address/, 'the host name does not resolve (dns error)'],
  [
    /UnknownIssuer|unable to verify|self[- ]signed certificate/,
    "the server's certificate is not signed by the configured CA (UnknownIssuer)",
  ],
  [
    /NotValidForName|does not match certificate's altnames/,
    "the server's certificate is not valid for the name used (NotValidForName); set TEMPORAL_TLS_SERVER_NAME to a name on it",
  ],
  [/InvalidContentType|wrong version number/, 'the server did not answer with TLS (InvalidContentType): it may not have TLS on'],
  [/CertificateRequired|certificate required/, 'the server requires a client certificate (CertificateRequired)'],
  [/Expired|certificate has expired/, 'a certificate has expired (Expired)'],
  [/UnsupportedCertVersion/, 'a certificate is not X.509 v3 (UnsupportedCertVersion)'],
];

function plainReason(text: string): string {
  return PLAIN_REASONS.find(([pattern]) => pattern.test(text))?.[1] ?? text;
}

function messagesOf(err: unknown): { text: string; grpcCodes: number[] } {
  const parts: string[] = [];
  const grpcCodes: number[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) parts.push(current.message);
    else parts.push(typeof current === 'string' ? current : inspect(current));
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number') grpcCodes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return { text: parts.join(': '), grpcCodes };
}

/** The cause named in the error itself, when it names one. */
function classifyConnectError(err: unknown, settings: Pick<ConnectionSettings, 'tls'>): Diagnosis | undefined {
  const { text, grpcCodes } = messagesOf(err);
  if (grpcCodes.includes(GRPC_UNAUTHENTICATED) || grpcCodes.includes(GRPC_PERMISSION_DENIED) || AUTH_PATTERN.test(text)) {
    return { cause: 'auth', detail: text };
  }
  if (TLS_PATTERN.test(text)) return { cause: 'tls', detail: text };
  if (ADDRESS_PATTERN.test(text)) return { cause: 'address', detail: text };
  // A plaintext connection that the server drops once gRPC starts is what a TLS-only server does.
  if (!settings.tls && /transport error|broken pipe|connection reset/i.test(text)) {
    return { cause: 'tls', detail: 'the server closed the plaintext connection as gRPC began (broken pipe)' };
  }
  return undefined;
}

function splitAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return match ? { host: match[1] ?? address, port: Number(match[2]) } : { host: address, port: 7233 };
}

const asBuffer = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes));

function tlsOptions(settings: ConnectionSettings, host: string, port: number): TlsOptions {
  const tls = typeof settings.connectionOptions.tls === 'object' ? settings.connectionOptions.tls : undefined;
  const servername = tls?.serverNameOverride ?? (isIP(host) ? undefined : host);
  return {
    host,
    port,
    servername,
    ca: asBuffer(tls?.serverRootCACertificate),
    cert: asBuffer(tls?.clientCertPair?.crt),
    key: asBuffer(tls?.clientCertPair?.key),
    ALPNProtocols: ['h2'],
  };
}

const HTTP2_PREFACE = Buffer.concat([
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  // An empty SETTINGS frame: length 0, type 4, no flags, stream 0.
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
]);
const HTTP2_SETTINGS_FRAME = 4;

/** OpenSSL's "…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…" down to its reason. */
function opensslReason(message: string): string {
  return /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1] ?? message;
}

function notHttp2(settings: ConnectionSettings): Diagnosis {
  return settings.tls
    ? {
        cause: 'tls',
        detail: 'the server ended the connection after the TLS handshake; it may require a client certificate (mTLS) it trusts',
      }
    : { cause: 'tls', detail: 'the server does not speak plaintext HTTP/2 on this port; it may require TLS' };
}

/** Does what the gRPC client does up to the first HTTP/2 byte: resolve, connect, and handshake when TLS is on. */
function probeConnection(settings: ConnectionSettings): Promise<Diagnosis | undefined> {
  const { host, port } = splitAddress(settings.address);
  return new Promise((resolve) => {
    let settled = false;
    const socket = settings.tls ? connectTls(tlsOptions(settings, host, port)) : connectTcp({ host, port });
    const finish = (diagnosis: Diagnosis | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(diagnosis);
    };
    const timer = setTimeout(() => finish({ cause: 'address', detail: `no answer within ${PROBE_TIMEOUT_MS / 1000}s` }), PROBE_TIMEOUT_MS);
    // TLS 1.3 servers refuse a missing client certificate only after the handshake, so the probe goes on to
    // HTTP/2's opening: a server that answers with its SETTINGS frame speaks gRPC's transport.
    socket.once(settings.tls ? 'secureConnect' : 'connect', () => socket.write(HTTP2_PREFACE));
    socket.once('data', (bytes: Buffer) => {
      if (bytes.length >= 4 && bytes[3] === HTTP2_SETTINGS_FRAME) finish(undefined);
      else finish(notHttp2(settings));
    });
    socket.once('close', () => finish(notHttp2(settings)));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const addressFault = err.code !== undefined && ADDRESS_CODES.has(err.code) && !(settings.tls && err.code === 'ECONNRESET');
      finish({ cause: addressFault ? 'address' : settings.tls ? 'tls' : 'address', detail: opensslReason(err.message) });
    });
  });
}

function messageFor(settings: ConnectionSettings, { cause, detail }: Diagnosis): string {
  // Only transport causes have terse tokens to explain; a server's own refusal is already in words.
  detail = (cause === 'address' || cause === 'tls' ? plainReason(detail) : detail).trim().replace(/\.+$/, '');
  const where = `Temporal at ${settings.address} (namespace ${settings.namespace}; settings from ${settings.source})`;
  switch (cause) {
    case 'address':
      return `cannot reach ${where}: ${detail}. Check TEMPORAL_ADDRESS (host:port) and that the server runs and is reachable from here; locally, start one with \`cutover dev\`.`;
    case 'tls':
      return settings.tls
        ? `TLS handshake with ${where} failed: ${detail}. Check TEMPORAL_TLS_SERVER_CA_CERT_PATH (the CA that signed the server's certificate), TEMPORAL_TLS_SERVER_NAME (a name on that certificate) and, for mTLS, TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH; a server without TLS (such as \`cutover dev\`) needs TLS off: unset TEMPORAL_TLS and TEMPORAL_API_KEY or set TEMPORAL_TLS=false.`
        : `${where} seems to expect TLS, and TLS is off here: ${detail}. Set TEMPORAL_TLS=true (with TEMPORAL_TLS_SERVER_CA_CERT_PATH for a private CA), or TEMPORAL_API_KEY for Temporal Cloud, which turns TLS on.`;
    case 'namespace':
      return `${where} has no namespace ${settings.namespace}: ${detail}. Check TEMPORAL_NAMESPACE (on Temporal Cloud: NAME.ACCOUNT), or create it (\`temporal operator namespace create -n ${settings.namespace}\`).`;
    case 'auth':
      return `${where} refused the credentials: ${detail}. Check TEMPORAL_API_KEY (current, not expired, granted on the namespace) or the client certificate the namespace trusts (TEMPORAL_TLS_CLIENT_CERT_PATH), and TEMPORAL_NAMESPACE (on Temporal Cloud: NAME.ACCOUNT).`;
  }
}

/** The address takes connections (and TLS, when on) but no gRPC answer came back. */
function answeredButNotGrpc(settings: ConnectionSettings, err: unknown): Diagnosis {
  const text = messagesOf(err).text;
  return settings.tls
    ? { cause: 'address', detail: `${text} (the port completes a TLS handshake but does not answer gRPC: is it Temporal's frontend port?)` }
    : {
        cause: 'tls',
        detail: `${text} (the port takes plaintext connections but does not answer gRPC: the server may require TLS, or it is not Temporal's frontend port)`,
      };
}

/**
 * Connected is not enough: a worker on a namespace the server lacks fails later with a bare gRPC status, so
 * both connections ask for the namespace first. On failure the connection is closed and the reason thrown.
 */
export async function requireNamespace(
  settings: ConnectionSettings,
  describe: () => Promise<unknown>,
  close: () => Promise<void>,
): Promise<void> {
  try {
    await describe();
  } catch (err) {
    await close().catch(() => undefined);
    const { text, grpcCodes } = messagesOf(err);
    if (grpcCodes.includes(GRPC_NOT_FOUND) || /namespace .*not found|NamespaceNotFound/i.test(text)) {
      throw new TemporalConnectError('namespace', settings.address, messageFor(settings, { cause: 'namespace', detail: text }));
    }
    throw err;
  }
}

export async function connectFailure(settings: ConnectionSettings, err: unknown): Promise<TemporalConnectError> {
  if (err instanceof TemporalConnectError) return err;
  const diagnosis = classifyConnectError(err, settings) ?? (await probeConnection(settings)) ?? answeredButNotGrpc(settings, err);
  return new TemporalConnectError(diagnosis.cause, settings.address, messageFor(settings, diagnosis));
}
