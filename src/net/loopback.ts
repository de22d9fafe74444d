/**
 * Host names that reach this machine only: `localhost`, 127.0.0.0/8 and `::1`. Plain http and credentials
 * may go there (the local stack); anything else could be on a network someone else can read.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost') return true;
  if (host === '[::1]' || host === '::1') return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}
