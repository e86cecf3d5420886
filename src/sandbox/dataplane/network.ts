/**
 * Network ACL evaluation, as VPC does it, so the data plane can tell whether a packet would get through.
 * Pure: reads the World, changes nothing. Used by the load balancer (client → node, node → target) and by
 * the health checker (node → target).
 *
 * AWS facts this follows (VPC user guide, "Network ACLs"):
 * - NACLs are stateless: the reply is evaluated on its own, on an ephemeral port, in the other direction.
 * - Rules are evaluated lowest number first; the first rule that matches decides; `*` (32767) denies the rest.
 * - They filter traffic crossing a subnet's boundary only; traffic inside one subnet is never filtered.
 */
import type { NetworkAcl, NetworkAclEntry } from '../world/types.js';
import { intToIp, ipToInt } from '../world/ipv4.js';
import type { World } from '../world/world.js';

/** Somewhere traffic starts or ends: a subnet member (instance, LB node) or a client outside the VPC. */
export interface Endpoint {
  ip: string;
  /** Absent for clients outside the VPC (the load probe). */
  subnetId?: string;
}

/** Where the probe's requests appear to come from (TEST-NET-2, never a real host). */
export const PUBLIC_CLIENT: Endpoint = { ip: '198.51.100.7' };

/** A port in the Linux ephemeral range, which replies travel to (NACL rules must allow it for replies). */
export const EPHEMERAL_PORT = 49152;

const TCP = '6';

export function cidrContains(cidr: string, ip: string): boolean {
  const [base = '', bitsRaw = '32'] = cidr.split('/');
  const bits = Number(bitsRaw);
  const a = ipToInt(base);
  const b = ipToInt(ip);
  if (Number.isNaN(a) || Number.isNaN(b) || !(bits >= 0 && bits <= 32)) return false;
  if (bits === 0) return true;
  const mask = (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

function entryMatches(e: NetworkAclEntry, remoteIp: string, port: number): boolean {
  // IPv4 only: an entry with only an IPv6 CIDR never matches IPv4 traffic.
  if (!e.cidrBlock || !cidrContains(e.cidrBlock, remoteIp)) return false;
  if (e.protocol === '-1') return true;
  if (e.protocol !== TCP) return false;
  // For TCP, AWS requires a port range; an entry without one matches no port.
  return !!e.portRange && port >= e.portRange.from && port <= e.portRange.to;
}

/**
 * Does this NACL let TCP traffic through in one direction? `remoteIp` is the other end, `port` the
 * destination port of the packet.
 */
export function naclAllows(acl: NetworkAcl, egress: boolean, remoteIp: string, port: number): boolean {
  const rules = acl.entries.filter((e) => e.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const e of rules) {
    if (entryMatches(e, remoteIp, port)) return e.ruleAction === 'allow';
  }
  return false; // the implicit `*` rule
}

/** One direction across a subnet boundary: out of `from`'s subnet, into `to`'s subnet. */
function oneWay(world: World, from: Endpoint, to: Endpoint, port: number): boolean {
  if (from.subnetId) {
    const acl = world.naclOfSubnet(from.subnetId);
    // Every real subnet has an association; a subnet without one is treated as the default (allow-all) ACL.
    if (acl && !naclAllows(acl, true, to.ip, port)) return false;
  }
  if (to.subnetId) {
    const acl = world.naclOfSubnet(to.subnetId);
    if (acl && !naclAllows(acl, false, from.ip, port)) return false;
  }
  return true;
}

/**
 * Can `from` open a TCP connection to `to` on `port` and get its replies back? Both the request's path
 * (source egress, destination ingress on `port`) and the reply's path (destination egress, source ingress
 * on an ephemeral port) must pass, since NACLs keep no connection state.
 */
export function reachable(world: World, from: Endpoint, to: Endpoint, port: number): boolean {
  if (from.subnetId && from.subnetId === to.subnetId) return true;
  return oneWay(world, from, to, port) && oneWay(world, to, from, EPHEMERAL_PORT);
}

/** The address a load balancer node uses inside its subnet (cosmetic, but inside the subnet's CIDR). */
export function nodeIp(world: World, subnetId: string): string {
  const [cidrBase = '10.255.255.0', bits = '24'] = (world.subnets.get(subnetId)?.cidrBlock ?? '10.255.255.0/24').split('/');
  // Near the top of the range, away from the instance addresses World.allocateIp hands out from the bottom.
  const size = 2 ** (32 - Number(bits));
  return intToIp((ipToInt(cidrBase) + Math.max(1, size - 6)) >>> 0);
}
