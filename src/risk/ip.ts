import { isIP } from 'node:net';

/** IP addresses and CIDR ranges as numbers, for list matching. Pure. */

export interface IpRange {
  version: 4 | 6;
  /** the network's first address */
  base: bigint;
  bits: number;
}

function v4ToBigInt(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToBigInt(text: string): bigint {
  let address = text.toLowerCase();
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4Tail) {
    const n = v4ToBigInt(v4Tail[1]!);
    address = `${address.slice(0, -v4Tail[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups =
    tail === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...tailGroups];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

/** The address as a number with its family, or undefined when it is not an IP address. */
export function parseIp(text: string): { version: 4 | 6; value: bigint } | undefined {
  const version = isIP(text);
  if (version === 4) return { version, value: v4ToBigInt(text) };
  if (version === 6) {
    const value = v6ToBigInt(text);
    // an IPv4-mapped IPv6 address (::ffff:a.b.c.d) matches IPv4 entries
    if (value >> 32n === 0xffffn) return { version: 4, value: value & 0xffffffffn };
    return { version, value };
  }
  return undefined;
}

/** "10.0.0.0/8", "2001:db8::/32" or a single address; undefined when malformed. */
export function parseRange(text: string): IpRange | undefined {
  const [address = '', prefix, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIp(address);
  if (!ip) return undefined;
  const width = ip.version === 4 ? 32 : 128;
  const bits = prefix === undefined ? width : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
  if (bits < 0 || bits > width) return undefined;
  const mask = ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
  return { version: ip.version, base: ip.value & mask, bits };
}

export function rangeContains(range: IpRange, ip: { version: 4 | 6; value: bigint }): boolean {
  if (range.version !== ip.version) return false;
  const width = range.version === 4 ? 32 : 128;
  return ip.value >> BigInt(width - range.bits) === range.base >> BigInt(width - range.bits);
}
