import { isIPv6 } from 'node:net';

/**
 * A client's address as people read it: an IPv4 client of a server listening on `::` (a
 * dual-stack socket) comes as `::ffff:192.0.2.1`, which is written as `192.0.2.1`, the way
 * the same client shows when the server listens on an IPv4 address. Anything else as it is.
 */
export function clientAddress(ip: string): string {
  return /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)?.[1] ?? ip;
}

/**
 * What a per-client-address limit counts: an IPv4 address as it is, an IPv6 address by its
 * /64. One IPv6 host is usually given a whole /64 (SLAAC, RFC 4291 §2.5.1 interface ids), so
 * counting single IPv6 addresses would give one client 2^64 fresh budgets. An IPv4 address
 * written the IPv6 way (`::ffff:192.0.2.1`, as a dual-stack socket reports it) counts as the
 * IPv4 address.
 */
export function clientNetwork(ip: string): string {
  const address = clientAddress(ip);
  if (address !== ip || !isIPv6(ip)) return address;
  const groups = ipv6Groups(ip);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, without leading zeros, `::` and a zone expanded. */
function ipv6Groups(ip: string): string[] {
  let address = ip.split('%')[0] ?? '';
  // A trailing dotted quad (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) is the last two groups.
  const quad = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    address =
      address.slice(0, quad.index) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left = '', right] = address.split('::');
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const groups =
    right === undefined
      ? head
      : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return groups.map((group) => parseInt(group, 16).toString(16));
}
