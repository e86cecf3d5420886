/**
 * Network interfaces, as AWS shows them in a subnet: every instance that is not terminated has its primary
 * interface (device 0, the instance's private IP, deleted with the instance), every Application Load
 * Balancer has one requester-managed interface per enabled AZ subnet, and the control plane can add
 * "foreign" ones that belong to neither (another team's database in the same subnet). chaos-ec2 reads
 * them to see what else a subnet-wide fault would hit.
 *
 * Instance and load-balancer interfaces are derived, not stored by the code that launches or deletes:
 * `syncNetworkInterfaces` brings the map in step with the instances and load balancers before anything
 * reads it, so their ids and IPs stay stable from one call to the next without touching those engines.
 */
import { randomBytes } from 'node:crypto';
import type { LoadBalancer, NetworkInterface, Subnet } from './types.js';
import type { World } from './world.js';

function mac(): string {
  // 02: a locally administered unicast address, as EC2's are.
  return ['02', ...randomBytes(5).toString('hex').match(/../g)!].join(':');
}

/** `app/<name>/<id>`, the part of an ALB ARN that ELB puts in its interfaces' descriptions. */
export function loadBalancerResource(lb: LoadBalancer): string {
  return lb.loadBalancerArn.slice(lb.loadBalancerArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
}

function ownerKey(eni: NetworkInterface): string {
  return eni.owner.kind === 'instance' ? eni.owner.instanceId : eni.owner.kind === 'elb' ? `${eni.owner.loadBalancerArn} ${eni.subnetId}` : eni.networkInterfaceId;
}

/** Adds the interfaces of new instances and load balancer nodes; drops those whose owner has gone. */
export function syncNetworkInterfaces(world: World): void {
  const wanted = new Set<string>();
  const have = new Map([...world.networkInterfaces.values()].map((e) => [ownerKey(e), e]));
  for (const inst of world.instances.values()) {
    // AWS deletes the primary interface with the instance (DeleteOnTermination=true); stopped instances keep theirs.
    if (inst.state === 'terminated') continue;
    wanted.add(inst.instanceId);
    if (have.has(inst.instanceId)) continue;
    const eni: NetworkInterface = {
      networkInterfaceId: world.newId('eni'),
      owner: { kind: 'instance', instanceId: inst.instanceId },
      subnetId: inst.subnetId,
      vpcId: inst.vpcId,
      availabilityZone: inst.availabilityZone,
      description: '',
      interfaceType: 'interface',
      status: 'in-use',
      macAddress: mac(),
      privateIpAddress: inst.privateIpAddress,
      attachment: {
        attachmentId: world.newId('eni-attach'),
        attachTime: inst.launchTime,
        deviceIndex: 0,
        deleteOnTermination: true,
        instanceId: inst.instanceId,
        instanceOwnerId: world.accountId,
      },
    };
    world.networkInterfaces.set(eni.networkInterfaceId, eni);
  }
  for (const lb of world.loadBalancers.values()) {
    for (const node of lb.availabilityZones) {
      const key = `${lb.loadBalancerArn} ${node.subnetId}`;
      wanted.add(key);
      const subnet = world.subnets.get(node.subnetId);
      if (have.has(key) || !subnet) continue;
      world.networkInterfaces.set(...elbInterface(world, lb, subnet, node.nodeAddress));
    }
  }
  for (const eni of world.networkInterfaces.values()) {
    if (eni.owner.kind !== 'foreign' && !wanted.has(ownerKey(eni))) world.networkInterfaces.delete(eni.networkInterfaceId);
  }
}

/**
 * An ALB node's interface as ELB creates it: interface type `interface`, description `ELB app/<name>/<id>`,
 * requester `amazon-elb`, attached at device 1 to an instance the customer cannot see (no instance id, owner
 * amazon-elb). The node's address is what the load balancer's DNS name resolves to: for an internet-facing
 * load balancer that is the interface's public IP (`Association.PublicIp`, owner amazon-elb) beside a
 * VPC-private one; for an internal one it is the private IP itself ("Internal load balancers": "The DNS name
 * of an internal load balancer is publicly resolvable to the private IP addresses of the nodes",
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html).
 * The sandbox's node addresses are loopback addresses (world/loopback.ts), where its proxies really listen.
 */
function elbInterface(world: World, lb: LoadBalancer, subnet: Subnet, nodeAddress: string): [string, NetworkInterface] {
  const internal = lb.scheme === 'internal';
  const eni: NetworkInterface = {
    networkInterfaceId: world.newId('eni'),
    owner: { kind: 'elb', loadBalancerArn: lb.loadBalancerArn },
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    description: `ELB ${loadBalancerResource(lb)}`,
    interfaceType: 'interface',
    requesterId: 'amazon-elb',
    status: 'in-use',
    macAddress: mac(),
    privateIpAddress: internal ? nodeAddress : world.allocateIp(subnet),
    ...(internal ? {} : { association: { publicIp: nodeAddress, ipOwnerId: 'amazon-elb' } }),
    attachment: {
      attachmentId: world.newId('eni-attach'),
      attachTime: lb.createdTime,
      deviceIndex: 1,
      deleteOnTermination: false,
      instanceOwnerId: 'amazon-elb',
    },
  };
  return [eni.networkInterfaceId, eni];
}

export interface ForeignInterfaceSpec {
  subnetId: string;
  description?: string;
  interfaceType?: string;
  requesterId?: string;
  status?: 'available' | 'in-use';
}

/** Adds an interface that belongs to no instance or load balancer of the sandbox (control plane only). */
export function addForeignInterface(world: World, spec: ForeignInterfaceSpec): NetworkInterface {
  const subnet = world.subnets.get(spec.subnetId);
  if (!subnet) throw new Error(`no such subnet: ${spec.subnetId}`);
  const status = spec.status ?? 'in-use';
  const eni: NetworkInterface = {
    networkInterfaceId: world.newId('eni'),
    owner: { kind: 'foreign' },
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    description: spec.description ?? '',
    interfaceType: spec.interfaceType ?? 'interface',
    ...(spec.requesterId ? { requesterId: spec.requesterId } : {}),
    status,
    macAddress: mac(),
    privateIpAddress: world.allocateIp(subnet),
    ...(status === 'in-use'
      ? {
          attachment: {
            attachmentId: world.newId('eni-attach'),
            attachTime: new Date(world.now()),
            deviceIndex: 1,
            deleteOnTermination: false,
            instanceOwnerId: spec.requesterId ?? world.accountId,
          },
        }
      : {}),
  };
  world.networkInterfaces.set(eni.networkInterfaceId, eni);
  world.emit({ type: 'network-interface', change: 'created', networkInterfaceId: eni.networkInterfaceId, subnetId: eni.subnetId, owner: 'foreign' });
  return eni;
}

/** Removes a foreign interface; false when there is none by that id (derived ones go with their owner). */
export function deleteForeignInterface(world: World, networkInterfaceId: string): boolean {
  const eni = world.networkInterfaces.get(networkInterfaceId);
  if (!eni || eni.owner.kind !== 'foreign') return false;
  world.networkInterfaces.delete(networkInterfaceId);
  world.emit({ type: 'network-interface', change: 'deleted', networkInterfaceId, subnetId: eni.subnetId, owner: 'foreign' });
  return true;
}
