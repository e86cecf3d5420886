/**
 * DescribeNetworkInterfaces: what else lives in a subnet. chaos-ec2 asks it before blackholing a subnet,
 * because a NACL cuts off every interface there, not just the group's instances: ALB nodes (requester
 * amazon-elb) and other teams' interfaces (an RDS database, say) lose their network too.
 */
import type { NetworkInterface } from '../world/types.js';
import { syncNetworkInterfaces } from '../world/network-interfaces.js';
import type { World } from '../world/world.js';
import { ApiError } from './errors.js';
import { applyFilters, byCreation, dryRunGate, isEc2Id, nextToken, notFound, page, tagSet, type FilterFields } from './ec2-common.js';
import { privateDnsName } from './ec2-instances.js';
import type { Handler } from './router.js';
import { el, list, node } from './xml.js';

const ENI_FILTERS = (world: World): FilterFields<NetworkInterface> => ({
  'network-interface-id': (n) => n.networkInterfaceId,
  'subnet-id': (n) => n.subnetId,
  'vpc-id': (n) => n.vpcId,
  'availability-zone': (n) => n.availabilityZone,
  description: (n) => n.description,
  'interface-type': (n) => n.interfaceType,
  'requester-id': (n) => n.requesterId,
  'requester-managed': (n) => String(n.requesterId !== undefined),
  status: (n) => n.status,
  'owner-id': () => world.accountId,
  'mac-address': (n) => n.macAddress,
  'private-ip-address': (n) => n.privateIpAddress,
  'addresses.private-ip-address': (n) => n.privateIpAddress,
  'private-dns-name': (n) => privateDnsName(world, n.privateIpAddress),
  'association.public-ip': (n) => n.association?.publicIp,
  'association.ip-owner-id': (n) => n.association?.ipOwnerId,
  'source-dest-check': () => 'true',
  'attachment.attachment-id': (n) => n.attachment?.attachmentId,
  'attachment.instance-id': (n) => n.attachment?.instanceId,
  'attachment.instance-owner-id': (n) => n.attachment?.instanceOwnerId,
  'attachment.device-index': (n) => (n.attachment ? String(n.attachment.deviceIndex) : undefined),
  'attachment.status': (n) => (n.attachment ? 'attached' : undefined),
  'attachment.delete-on-termination': (n) => (n.attachment ? String(n.attachment.deleteOnTermination) : undefined),
});

function eniXml(world: World, n: NetworkInterface): string {
  const dns = privateDnsName(world, n.privateIpAddress);
  const a = n.attachment;
  const assoc = n.association ? node('association', el('publicIp', n.association.publicIp), el('publicDnsName', n.association.publicDnsName), el('ipOwnerId', n.association.ipOwnerId)) : '';
  return (
    el('networkInterfaceId', n.networkInterfaceId) +
    el('subnetId', n.subnetId) +
    el('vpcId', n.vpcId) +
    el('availabilityZone', n.availabilityZone) +
    el('description', n.description) +
    el('ownerId', world.accountId) +
    el('requesterId', n.requesterId) +
    el('requesterManaged', n.requesterId !== undefined) +
    el('status', n.status) +
    el('macAddress', n.macAddress) +
    el('privateIpAddress', n.privateIpAddress) +
    el('privateDnsName', dns) +
    el('sourceDestCheck', true) +
    assoc +
    '<groupSet/>' +
    (a
      ? node(
          'attachment',
          el('attachmentId', a.attachmentId),
          el('instanceId', a.instanceId),
          el('instanceOwnerId', a.instanceOwnerId),
          el('deviceIndex', a.deviceIndex),
          el('networkCardIndex', 0),
          el('status', 'attached'),
          el('attachTime', a.attachTime),
          el('deleteOnTermination', a.deleteOnTermination),
        )
      : '') +
    tagSet(world, n.networkInterfaceId) +
    list('privateIpAddressesSet', [n], () => assoc + el('privateIpAddress', n.privateIpAddress) + el('privateDnsName', dns) + el('primary', true), 'item') +
    '<ipv6AddressesSet/>' +
    el('interfaceType', n.interfaceType)
  );
}

const describeNetworkInterfaces: Handler = (p, { world }) => {
  const ids = p.list('NetworkInterfaceId');
  // "You cannot specify this parameter and the network interface IDs parameter in the same request."
  if (ids.length && p.str('MaxResults') !== undefined) {
    throw new ApiError('InvalidParameterCombination', 'The parameter NetworkInterfaceIds cannot be used with the parameter maxResults');
  }
  const bad = ids.find((id) => !isEc2Id('eni', id));
  if (bad !== undefined) throw new ApiError('InvalidNetworkInterfaceID.Malformed', `Invalid id: "${bad}" (expecting "eni-...")`);
  syncNetworkInterfaces(world);
  const missing = ids.filter((id) => !world.networkInterfaces.has(id));
  if (missing.length) throw notFound('InvalidNetworkInterfaceID.NotFound', 'networkInterface', missing);
  const base = ids.length ? [...new Set(ids)].map((id) => world.networkInterfaces.get(id)!) : [...world.networkInterfaces.values()];
  const matched = applyFilters(base, p, ENI_FILTERS(world), (n) => world.tagsOf(n.networkInterfaceId));
  const { page: items, next } = page(matched, p, (n) => byCreation(world, n.networkInterfaceId));
  dryRunGate(p);
  return list('networkInterfaceSet', items, (n) => eniXml(world, n), 'item') + nextToken(next);
};

export const NETWORK_INTERFACE_HANDLERS: Record<string, Handler> = {
  DescribeNetworkInterfaces: describeNetworkInterfaces,
};
