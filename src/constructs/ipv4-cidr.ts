/** An IPv4 CIDR block as numbers: `first` is the network address as an unsigned 32-bit integer. */
export interface Ipv4Cidr {
  readonly first: number;
  readonly last: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`; returns undefined for anything that is not a canonical IPv4 CIDR block (host bits
 * set, octet > 255, prefix > 32), because clouds reject those at deploy time, long after synth.
 */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | undefined {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255) || prefixLength > 32) return undefined;
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const size = 2 ** (32 - prefixLength);
  if (address % size !== 0) return undefined;
  return { first: address, last: address + size - 1, prefixLength };
}

/** True when two blocks share at least one address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}
