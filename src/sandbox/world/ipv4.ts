/**
 * IPv4 addresses as 32-bit unsigned numbers: the one conversion the sandbox's CIDR checks (API validation,
 * NACL rule matching) and its address allocation share.
 */

/** `a.b.c.d` → its number; NaN when it is not a dotted-quad IPv4 address. */
export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return NaN;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** A number → `a.b.c.d`. */
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
