/**
 * Where the probe connects: every address of the probe host, as a population of real clients spread over a
 * load balancer's nodes would reach them.
 *
 * An ALB/NLB DNS name answers with one or more addresses per enabled AZ (its nodes), TTL 60 s. One undici
 * Pool resolves once and tends to put every connection on the first address, so an AZ outage would read as
 * 0 % or 100 % impact by luck. The probe resolves ALL addresses (A and AAAA), keeps one pool per address and
 * re-resolves every minute; `--resolve HOST:PORT:ADDR[,ADDR…]` (curl's convention) pins them instead.
 */
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';

/** Pinned addresses keyed `host:port` (host lower-cased, IPv6 addresses without brackets). */
export type ResolveMap = Map<string, string[]>;

/** A look-up of every address of a name (dns.promises.lookup with all: true in production). */
export type Lookup = (hostname: string) => Promise<string[]>;

export const systemLookup: Lookup = async (hostname) => {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return [...new Set(found.map((a) => a.address))];
};

// A DNS name (labels of letters, digits, hyphens, underscores) or an IPv4 literal; curl's HOST has no port.
const HOST = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?$/;

/**
 * Parses `--resolve` values: each `HOST:PORT:ADDR[,ADDR…]`, IPv6 addresses in brackets (`[2001:db8::1]`).
 * Several entries may share one value, separated by whitespace (how an experiment file lists them).
 * Throws an Error whose message is the one-line usage problem.
 */
export function parseResolve(values: readonly string[]): ResolveMap {
  const out: ResolveMap = new Map();
  for (const entry of values.flatMap((v) => v.split(/\s+/)).filter(Boolean)) {
    const bad = (why: string): Error => new Error(`'${entry}' ${why} (expected HOST:PORT:ADDR[,ADDR…], IPv6 in brackets)`);
    const first = entry.indexOf(':');
    const second = first < 0 ? -1 : entry.indexOf(':', first + 1);
    if (first <= 0 || second < 0) throw bad('is not HOST:PORT:ADDR');
    const host = entry.slice(0, first).toLowerCase();
    const portText = entry.slice(first + 1, second);
    const addrText = entry.slice(second + 1);
    if (!HOST.test(host)) throw bad(`has no valid host name`);
    const port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw bad('needs a port from 1 to 65535');
    const addrs = addrText.split(',').map((a) => a.trim());
    if (addrs.length === 0 || addrs.some((a) => a === '')) throw bad('needs at least one address');
    const parsed = addrs.map((a) => {
      const v6 = /^\[(.+)\]$/.exec(a);
      if (v6) {
        if (isIP(v6[1] as string) !== 6) throw bad(`has '${a}', which is not an IPv6 address`);
        return (v6[1] as string).toLowerCase();
      }
      if (isIP(a) === 6) throw bad(`has IPv6 address '${a}' without brackets`);
      if (isIP(a) !== 4) throw bad(`has '${a}', which is not an IP address`);
      return a;
    });
    const key = `${host.replace(/\.$/, '')}:${port}`;
    out.set(key, [...new Set([...(out.get(key) ?? []), ...parsed])]);
  }
  return out;
}

/** The `--resolve` text of a map (for messages and the report). */
export function formatResolve(map: ResolveMap): string[] {
  return [...map].map(([key, addrs]) => `${key}:${addrs.map((a) => (isIP(a) === 6 ? `[${a}]` : a)).join(',')}`);
}

/** The pinned addresses for `host:port`, if any. */
export function pinned(map: ResolveMap | undefined, host: string, port: number): string[] | undefined {
  return map?.get(
    `${host
      .toLowerCase()
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '')}:${port}`,
  );
}

/** A URL's port, or the scheme's default. */
export function portOf(u: URL): number {
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** Host name without IPv6 brackets, as net.connect and isIP take it. */
export const bare = (hostname: string): string => hostname.replace(/^\[|\]$/g, '');
