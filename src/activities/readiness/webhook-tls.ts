/**
 * Readiness, runbook section 2 Infrastructure: "Production webhook endpoint deployed with TLS 1.2+" and
 * "Mutual TLS configured if required", checked against the live endpoint with node:tls.
 *
 * Findings come back as `problems` so the workflow can hold the item for its owner; only an endpoint this
 * worker cannot reach (or that does not answer in time) throws, as a retryable WebhookEndpointUnreachable.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as tls from 'node:tls';
import { FAILURE_TYPES } from '../../errors.js';

export interface WebhookTlsInput {
  /** The production webhook endpoint, https. */
  url: string;
  /** The certificate must stay valid for more than this many days from now. */
  minDaysValid: number;
  mutualTlsRequired: boolean;
  /** Per connection attempt; default 10 s. */
  timeoutMs?: number;
}

export interface WebhookCertificateEvidence {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** Whole days until validTo; negative once expired. */
  daysLeft: number;
  fingerprint256: string;
  altNames: string[];
}

/** `unverified`: mutual TLS is required but no TLS 1.2+ connection got far enough to test it. */
export type MutualTlsStatus = 'not-required' | 'enforced' | 'not-enforced' | 'unverified';

export interface WebhookTlsEvidence {
  /** Null when the endpoint refused every TLS 1.2+ handshake before sending its certificate. */
  negotiatedProtocol: string | null;
  cipher: string | null;
  /** Null when not probed (the URL is not https). */
  tls10Refused: boolean | null;
  tls11Refused: boolean | null;
  certificate: WebhookCertificateEvidence | null;
  mutualTls: MutualTlsStatus;
}

export interface WebhookTlsResult {
  url: string;
  host: string;
  port: number;
  passed: boolean;
  /** One sentence each: what failed and what to do about it. */
  problems: string[];
  evidence: WebhookTlsEvidence;
}

export interface WebhookTlsDeps {
  now?: () => Date;
  /** Extra CA certificates (PEM) trusted besides Node's bundled roots, e.g. a private CA in front of the endpoint. */
  caCertificates?: string[];
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DAY_MS = 86_400_000;
/** Enough of an HTTP answer to read the status line and a short error page. */
const MAX_RESPONSE_BYTES = 16_384;

export function createWebhookTlsActivities(deps: { now?: () => Date; caCertificates?: string[] } = {}) {
  return {
    async checkWebhookTls(input: WebhookTlsInput): Promise<WebhookTlsResult> {
      return checkWebhookTls(input, { ...deps, signal: activityCancellationSignal() });
    },
  };
}

function activityCancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    // Called directly (tests, scripts): there is no activity to be cancelled with.
    return undefined;
  }
}

export async function checkWebhookTls(input: WebhookTlsInput, deps: WebhookTlsDeps = {}): Promise<WebhookTlsResult> {
  const now = (deps.now ?? (() => new Date()))();
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw ApplicationFailure.create({
      type: FAILURE_TYPES.WEBHOOK_URL_INVALID,
      nonRetryable: true,
      message: `the webhook URL ${JSON.stringify(input.url)} is not a URL; put the endpoint's https URL in the plan`,
    });
  }
  // URL keeps IPv6 literals in brackets; sockets and certificate checks want the bare address.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port === '' ? 443 : Number(url.port);
  const problems: string[] = [];
  const evidence: WebhookTlsEvidence = {
    negotiatedProtocol: null,
    cipher: null,
    tls10Refused: null,
    tls11Refused: null,
    certificate: null,
    mutualTls: input.mutualTlsRequired ? 'unverified' : 'not-required',
  };
  const result = () => ({ url: input.url, host, port, passed: problems.length === 0, problems, evidence });

  if (url.protocol !== 'https:') {
    problems.push(`the webhook URL ${input.url} is not https; serve the endpoint over TLS 1.2 or later and put its https URL in the plan`);
    return result();
  }

  const target: Target = {
    host,
    port,
    // SNI carries host names only; an IP literal must not be sent as a server name.
    servername: isIP(host) ? undefined : host,
    // An explicit `ca` replaces Node's roots, so extra CAs are added to them rather than passed alone.
    ca: deps.caCertificates ? [...tls.rootCertificates, ...deps.caCertificates] : undefined,
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    signal: deps.signal,
  };
  const unreachable = (reason: string, cause?: Error) =>
    ApplicationFailure.create({
      type: FAILURE_TYPES.WEBHOOK_ENDPOINT_UNREACHABLE,
      nonRetryable: false,
      message: `could not check the webhook endpoint ${host}:${port}: ${reason}; check that it is deployed and reachable from the worker`,
      details: [{ url: input.url, host, port, reason }],
      cause,
    });

  // One connection without a client certificate serves both the TLS 1.2+ check and, when mutual TLS is
  // required, the proof that such a connection is refused.
  const main = await attempt(target, { minVersion: 'TLSv1.2' }, input.mutualTlsRequired ? httpRequest(url) : undefined);
  if (!main.connected) {
    throw unreachable(main.timedOut ? `no TCP connection within ${target.timeoutMs} ms` : describe(main.error), main.error);
  }
  if (!main.certificate) {
    if (main.timedOut) throw unreachable(`no TLS answer within ${target.timeoutMs} ms`);
    if (!isTlsRefusal(main.error)) throw unreachable(describe(main.error), main.error);
    problems.push(`the endpoint refused a TLS 1.2 or 1.3 handshake (${describe(main.error)}); enable TLS 1.2 and 1.3 on it`);
  } else if (main.secure && main.timedOut && !main.response && input.mutualTlsRequired) {
    throw unreachable(`no answer to an HTTP request within ${target.timeoutMs} ms`);
  }
  evidence.negotiatedProtocol = main.protocol;
  evidence.cipher = main.cipher;

  const [tls10, tls11] = await Promise.all([
    attempt(target, { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    attempt(target, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
  ]);
  for (const probe of [tls10, tls11]) {
    if (!probe.connected) throw unreachable(describe(probe.error), probe.error);
  }
  // A server that sent its certificate agreed to the version, even if it then ended the handshake (for
  // want of a client certificate, say); only a server that never got that far refused it.
  evidence.tls10Refused = !tls10.certificate;
  evidence.tls11Refused = !tls11.certificate;
  if (!evidence.tls10Refused) problems.push('the endpoint still accepts TLS 1.0; disable TLS versions below 1.2');
  if (!evidence.tls11Refused) problems.push('the endpoint still accepts TLS 1.1; disable TLS versions below 1.2');

  const served = [main, tls10, tls11].find((a) => a.certificate);
  if (served?.certificate) {
    evidence.certificate = certificateEvidence(served.certificate, now);
    problems.push(...certificateProblems(host, served, evidence.certificate, input.minDaysValid, now, target.ca));
  } else {
    problems.push('the endpoint never presented a certificate, so it could not be checked; fix the TLS set-up and re-run');
  }

  if (input.mutualTlsRequired) {
    const { status, problem } = mutualTlsVerdict(main);
    evidence.mutualTls = status;
    if (problem) problems.push(problem);
  } else if (main.certificate && !main.secure) {
    problems.push(
      `the endpoint ended the TLS handshake after sending its certificate (${describe(main.error)}), as servers that require a client certificate do, but the plan says mutual TLS is not required; stop requiring client certificates or mark mutual TLS as required and give PayCA its client certificate`,
    );
  }
  return result();
}

interface Target {
  host: string;
  port: number;
  servername?: string;
  ca?: string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

interface Attempt {
  /** TCP connected: any later failure is the server's answer rather than the network. */
  connected: boolean;
  /** The client finished the handshake. */
  secure: boolean;
  timedOut: boolean;
  /** Present once the server sent its certificate, i.e. agreed to the protocol version. */
  certificate?: tls.DetailedPeerCertificate;
  protocol: string | null;
  cipher: string | null;
  /** OpenSSL's chain verdict; known only when the handshake finished. */
  chainError: string | null;
  error?: Error & { code?: string };
  /** Raw bytes the server sent after the handshake, when a request was sent. */
  response?: Buffer;
}

/**
 * One connection. Resolves with what happened (refusals are findings, not errors); rejects only when the
 * check is cancelled.
 */
function attempt(target: Target, options: tls.ConnectionOptions, request?: string): Promise<Attempt> {
  return new Promise((resolve, reject) => {
    target.signal?.throwIfAborted();
    const outcome: Attempt = { connected: false, secure: false, timedOut: false, protocol: null, cipher: null, chainError: null };
    const chunks: Buffer[] = [];
    let received = 0;
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      servername: target.servername,
      ca: target.ca,
      // Verdicts are collected, not enforced, so that one run reports every problem; identity is checked
      // separately so that chainError speaks of the chain alone.
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
      ...options,
    });
    const capturePeer = () => {
      if (outcome.certificate) return;
      const peer = socket.getPeerCertificate(true);
      if (!peer?.raw) return;
      outcome.certificate = peer;
      outcome.protocol = socket.getProtocol();
      const cipher = socket.getCipher();
      outcome.cipher = cipher?.standardName ?? cipher?.name ?? null;
    };
    let done = false;
    const finish = (cancelled?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      target.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (cancelled !== undefined) {
        reject(cancelled instanceof Error ? cancelled : new Error('webhook TLS check cancelled', { cause: cancelled }));
        return;
      }
      if (request !== undefined && received > 0) outcome.response = Buffer.concat(chunks);
      resolve(outcome);
    };
    const onAbort = () => finish(target.signal?.reason ?? 'aborted');
    const timer = setTimeout(() => {
      outcome.timedOut = true;
      capturePeer();
      finish();
    }, target.timeoutMs);
    target.signal?.addEventListener('abort', onAbort, { once: true });

    socket.on('connect', () => {
      outcome.connected = true;
    });
    socket.on('secureConnect', () => {
      outcome.secure = true;
      capturePeer();
      outcome.chainError = socket.authorized ? null : String(socket.authorizationError);
      if (request === undefined) finish();
      else socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= MAX_RESPONSE_BYTES) finish();
    });
    socket.on('error', (err: Error & { code?: string }) => {
      // The server may have sent its certificate before ending the handshake; keep it.
      capturePeer();
      outcome.error = err;
      finish();
    });
    socket.on('close', () => finish());
  });
}

function httpRequest(url: URL): string {
  return [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    'User-Agent: payca-cutover-readiness',
    'Accept: */*',
    'Connection: close',
    '',
    '',
  ].join('\r\n');
}

/** OpenSSL reports alerts and protocol failures as ERR_SSL_*; anything else is the network. */
function isTlsRefusal(error: (Error & { code?: string }) | undefined): boolean {
  return error?.code?.startsWith('ERR_SSL_') ?? false;
}

function describe(error: (Error & { code?: string }) | undefined): string {
  if (!error) return 'the connection closed';
  return error.code ?? error.message;
}

function mutualTlsVerdict(main: Attempt): { status: MutualTlsStatus; problem?: string } {
  if (!main.certificate) {
    return {
      status: 'unverified',
      problem: 'mutual TLS could not be checked because no TLS 1.2+ connection got past the handshake; fix TLS first and re-run',
    };
  }
  // A TLS 1.2 server asks for the client certificate inside the handshake and ends it without one.
  if (!main.secure) return { status: 'enforced' };
  // Under TLS 1.3 the client finishes first and the refusal arrives as an alert or a reset instead of an answer.
  if (!main.response) return { status: 'enforced' };
  const text = main.response.toString('latin1');
  const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(text)?.[1];
  // Proxies that verify client certificates themselves (nginx `ssl_verify_client on`) finish the handshake
  // and answer 400 "No required SSL certificate was sent", or 495/496.
  if (status === '495' || status === '496' || (status?.startsWith('4') && /certificate/i.test(text))) {
    return { status: 'enforced' };
  }
  return {
    status: 'not-enforced',
    problem: `the endpoint answered ${status ? `HTTP ${status}` : 'a request'} without a client certificate; require and verify client certificates (mutual TLS) at the endpoint`,
  };
}

function certificateEvidence(peer: tls.DetailedPeerCertificate, now: Date): WebhookCertificateEvidence {
  const x509 = new X509Certificate(peer.raw);
  const validTo = new Date(x509.validTo);
  return {
    subject: x509.subject.split('\n').join(', '),
    issuer: x509.issuer.split('\n').join(', '),
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: validTo.toISOString(),
    daysLeft: Math.floor((validTo.getTime() - now.getTime()) / DAY_MS),
    fingerprint256: x509.fingerprint256,
    altNames: x509.subjectAltName ? x509.subjectAltName.split(', ') : [],
  };
}

function certificateProblems(
  host: string,
  served: Attempt,
  certificate: WebhookCertificateEvidence,
  minDaysValid: number,
  now: Date,
  trusted: string[] | undefined,
): string[] {
  const problems: string[] = [];
  const peer = served.certificate;
  if (!peer) return problems;

  if (tls.checkServerIdentity(host, peer)) {
    const names = certificate.altNames.length > 0 ? certificate.altNames.join(', ') : certificate.subject;
    problems.push(
      `the certificate is not valid for ${host} (it names ${names}); deploy a certificate whose subject alternative names include ${host}`,
    );
  }

  const beforeDates = problems.length;
  const validFrom = Date.parse(certificate.validFrom);
  const validTo = Date.parse(certificate.validTo);
  if (validFrom > now.getTime()) {
    problems.push(
      `the certificate is not valid until ${certificate.validFrom}; deploy a certificate that is valid now (or fix the server's clock)`,
    );
  }
  if (validTo <= now.getTime()) {
    problems.push(`the certificate expired on ${certificate.validTo}; renew it and deploy the new certificate`);
  } else if (validTo - now.getTime() <= minDaysValid * DAY_MS) {
    problems.push(
      `the certificate expires on ${certificate.validTo}, ${certificate.daysLeft} days left, within the required ${minDaysValid} days; renew it before go-live`,
    );
  }
  const dateProblem = problems.length > beforeDates;

  const chainError = served.secure ? served.chainError : verifyChain(peer, trusted ?? [...tls.rootCertificates]);
  // Expiry is already reported in plainer words above.
  const dateOnly = chainError === 'CERT_HAS_EXPIRED' || chainError === 'CERT_NOT_YET_VALID';
  if (chainError && !(dateOnly && dateProblem)) {
    const roots = trusted ? 'the public CAs Node trusts or the configured extra CAs' : 'the public CAs Node trusts';
    problems.push(`the certificate chain does not verify against ${roots} (${chainError}); serve the full chain up to a trusted CA`);
  }
  return problems;
}

/**
 * Chain verdict when the server ended the handshake before the client finished it (a TLS 1.2 server that
 * wants a client certificate): OpenSSL's verdict is not exposed then, so check the signatures along the chain
 * Node assembled from the server's certificates and the trust store, up to a trusted certificate.
 */
function verifyChain(peer: tls.DetailedPeerCertificate, trusted: string[]): string | null {
  const trustedFingerprints = new Set(trusted.map((pem) => new X509Certificate(pem).fingerprint256));
  let current = peer;
  // Real chains are a handful deep; the bound only stops a malformed, cyclic chain.
  for (let depth = 0; depth < 10; depth++) {
    const cert = new X509Certificate(current.raw);
    if (trustedFingerprints.has(cert.fingerprint256)) return null;
    const issuer = current.issuerCertificate as tls.DetailedPeerCertificate | undefined;
    if (!issuer?.raw || issuer.raw.equals(current.raw)) {
      return depth === 0 ? 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' : 'SELF_SIGNED_CERT_IN_CHAIN';
    }
    const issuerCert = new X509Certificate(issuer.raw);
    if (!cert.checkIssued(issuerCert) || !cert.verify(issuerCert.publicKey)) return 'CERT_SIGNATURE_FAILURE';
    current = issuer;
  }
  return 'CERT_CHAIN_TOO_LONG';
}
