/**
 * Which host names a service answers to. A page whose own name was rebound to a service's address (DNS
 * rebinding) sends its own name as Host; answering only the names the service was given refuses it.
 */

/** Names a request on loopback may be addressed to; a service adds the names it is reached by. */
const LOOPBACK_HOST_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The host name a request was addressed to, without port or IPv6 brackets. */
export function hostNameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  try {
    return new URL(`http://${header}`).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return undefined;
  }
}

/** Loopback's names, the listening address unless it is a wildcard, and the names given (the public URL's, extra ones). */
export function allowedHostNames(listenHost: string, named: (string | undefined)[]): Set<string> {
  return new Set(
    [
      ...LOOPBACK_HOST_NAMES,
      ...(listenHost !== '0.0.0.0' && listenHost !== '::' ? [listenHost] : []),
      ...named.filter((name): name is string => !!name),
    ].map((name) => name.replace(/^\[|\]$/g, '').toLowerCase()),
  );
}
