/**
 * The sandbox's state records. Plain data: the API layer renders them as AWS XML, the data plane and the
 * reconciler read them, and only World (world.ts) and the lifecycle engine change them.
 * Field names follow the AWS API shapes (camelCased) so serialisers stay one-to-one.
 */

import type { LifecycleHook, WarmedState, WarmPool } from './hook-types.js';

export type { LifecycleHook, LifecycleTransition, WarmedState, WarmInstance, WarmPool } from './hook-types.js';

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** EC2 state codes, as DescribeInstances reports them. */
export const INSTANCE_STATE_CODE: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export interface AvailabilityZone {
  zoneName: string;
  zoneId: string;
  regionName: string;
}

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  isDefault: boolean;
}

export interface Subnet {
  subnetId: string;
  vpcId: string;
  cidrBlock: string;
  availabilityZone: string;
  availabilityZoneId: string;
  /** Next host number handed out inside the CIDR (private IPs are cosmetic but unique). */
  nextHost: number;
}

export interface NetworkAclEntry {
  ruleNumber: number;
  /** '-1' = all protocols, '6' = TCP, '17' = UDP, '1' = ICMP. */
  protocol: string;
  ruleAction: 'allow' | 'deny';
  egress: boolean;
  cidrBlock?: string;
  ipv6CidrBlock?: string;
  portRange?: { from: number; to: number };
}

export interface NetworkAcl {
  networkAclId: string;
  vpcId: string;
  isDefault: boolean;
  entries: NetworkAclEntry[];
}

/** Every subnet has exactly one association; ReplaceNetworkAclAssociation swaps it for a new id. */
export interface NetworkAclAssociation {
  associationId: string;
  networkAclId: string;
  subnetId: string;
}

export interface Instance {
  instanceId: string;
  imageId: string;
  instanceType: string;
  state: InstanceStateName;
  stateTransitionReason: string;
  stateReason?: { code: string; message: string };
  launchTime: Date;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  /** When the instance reached `terminated` (ms since epoch); it stays visible for a while after. */
  terminatedAt?: number;
  /** The Auto Scaling group that launched it, if any (also tagged aws:autoscaling:groupName). */
  asgName?: string;
  launchTemplate?: { launchTemplateId: string; launchTemplateName: string; version: string };
  /** Data plane: the loopback port of the instance's HTTP server while it is serving. */
  port?: number;
  /** Fault knob: the application is broken (its /health answers 500), so it never turns healthy. */
  appBroken?: boolean;
  /**
   * 'spot' for a Spot Instance; absent for On-Demand, as DescribeInstances reports InstanceLifecycle
   * (EC2 API Reference, Instance). Spot Instances of a one-time request cannot be stopped.
   */
  instanceLifecycle?: 'spot';
  /** Root device: 'ebs' (default) or 'instance-store'; instance-store-backed instances cannot be stopped. */
  rootDeviceType?: 'ebs' | 'instance-store';
}

export type LifecycleState =
  'Pending' | 'Pending:Wait' | 'Pending:Proceed' | 'InService' | 'Terminating' | 'Terminating:Wait' | 'Terminating:Proceed' | 'Terminated' | 'Standby' | WarmedState;

export interface AsgInstance {
  instanceId: string;
  asgName: string;
  availabilityZone: string;
  lifecycleState: LifecycleState;
  healthStatus: 'Healthy' | 'Unhealthy';
  instanceType: string;
  protectedFromScaleIn: boolean;
  /** ms since epoch when the instance entered InService (grace period counts from launch). */
  launchedAt: number;
  launchTemplate?: { launchTemplateId: string; launchTemplateName: string; version: string };
  /**
   * Capacity units this member counts toward desired (its instance type's WeightedCapacity in the group's
   * mixed instances policy); absent = no weights = 1 unit, and DescribeAutoScalingGroups omits it.
   */
  weightedCapacity?: number;
}

export interface AutoScalingGroup {
  name: string;
  arn: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  defaultCooldown: number;
  availabilityZones: string[];
  /** Subnet ids, in the order given (VPCZoneIdentifier is their comma-joined form). */
  subnetIds: string[];
  healthCheckType: 'EC2' | 'ELB';
  healthCheckGracePeriod: number;
  targetGroupARNs: string[];
  /** Classic Load Balancers (LoadBalancerNames, or traffic sources of type elb); absent = none. */
  loadBalancerNames?: string[];
  createdTime: Date;
  /** Process name → suspension reason. */
  suspendedProcesses: Map<string, string>;
  terminationPolicies: string[];
  launchTemplate?: { launchTemplateId: string; launchTemplateName: string; version: string };
  launchConfigurationName?: string;
  imageId: string;
  instanceType: string;
  /** Tags with PropagateAtLaunch, by key. */
  tags: Map<string, { value: string; propagateAtLaunch: boolean }>;
  /** PutLifecycleHook's hooks, by name (autoscaling/hooks.ts); absent = none. */
  lifecycleHooks?: Map<string, LifecycleHook>;
  /** PutWarmPool's pool and its warmed instances (autoscaling/warm-pool.ts); absent = none. */
  warmPool?: WarmPool;
  /** Multiple instance types, optionally weighted (autoscaling/capacity-units.ts); absent = one type. */
  mixedInstancesPolicy?: MixedInstancesPolicy;
  /** The unit of desired/min/max: 'units' (AWS's default; absent here) or, with attribute-based selection, vcpu / memory-mib. */
  desiredCapacityType?: 'units' | 'vcpu' | 'memory-mib';
}

export type ActivityStatusCode =
  | 'PendingSpotBidPlacement'
  | 'WaitingForSpotInstanceRequestId'
  | 'WaitingForSpotInstanceId'
  | 'WaitingForInstanceId'
  | 'PreInService'
  | 'InProgress'
  | 'WaitingForELBConnectionDraining'
  | 'MidLifecycleAction'
  | 'WaitingForInstanceWarmup'
  | 'Successful'
  | 'Failed'
  | 'Cancelled';

export interface ScalingActivity {
  activityId: string;
  asgName: string;
  asgArn: string;
  description: string;
  cause: string;
  startTime: Date;
  endTime?: Date;
  statusCode: ActivityStatusCode;
  statusMessage?: string;
  progress: number;
  /** JSON string, e.g. {"Subnet ID":"subnet-…","Availability Zone":"us-east-1a"}. */
  details: string;
}

export interface LaunchTemplate {
  launchTemplateId: string;
  launchTemplateName: string;
  imageId: string;
  instanceType: string;
  /** LaunchTemplateData.InstanceMarketOptions.MarketType: 'spot' launches Spot Instances. */
  marketType?: 'spot';
  createTime: Date;
  latestVersionNumber: number;
  defaultVersionNumber: number;
}

export interface LoadBalancer {
  loadBalancerArn: string;
  loadBalancerName: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  createdTime: Date;
  scheme: 'internet-facing' | 'internal';
  vpcId: string;
  state: 'provisioning' | 'active' | 'failed';
  /** 'network': a Network Load Balancer (NLB); see dataplane/nlb-proxy.ts. */
  type: 'application' | 'network';
  ipAddressType: 'ipv4' | 'dualstack';
  /**
   * Load balancer attributes (Describe/ModifyLoadBalancerAttributes, api/elbv2-nlb-attributes.ts): for an NLB
   * `load_balancing.cross_zone.enabled` ("false" by default). Absent on ALBs, whose cross-zone is always on.
   */
  attributes?: Map<string, string>;
  /**
   * One node per enabled AZ, each in one subnet, each answering on its own loopback address (`nodeAddress`,
   * 127.x.y.z: every 127/8 address is local on Linux), as each ALB node has its own IP that the load
   * balancer's DNS name resolves to ("Availability Zones for your Application Load Balancer", ELB user guide).
   */
  availabilityZones: { zoneName: string; subnetId: string; nodeAddress: string }[];
  securityGroups: string[];
}

export interface HealthCheckSettings {
  /** TCP: a connect-only check, Network Load Balancer target groups only. */
  protocol: 'HTTP' | 'HTTPS' | 'TCP';
  /** 'traffic-port' or a port number as a string. */
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher: string;
  enabled: boolean;
}

export interface TargetGroup {
  targetGroupArn: string;
  targetGroupName: string;
  /** HTTP/HTTPS: Application Load Balancer groups; the others: Network Load Balancer groups. */
  protocol: 'HTTP' | 'HTTPS' | 'TCP' | 'TLS' | 'UDP' | 'TCP_UDP';
  port: number;
  vpcId: string;
  targetType: 'instance';
  healthCheck: HealthCheckSettings;
  loadBalancerArns: string[];
  /** e.g. deregistration_delay.timeout_seconds → "300". */
  attributes: Map<string, string>;
}

export type { AuthenticateConfig, Listener, ListenerAction, ListenerRule, RedirectConfig, RuleCondition, RuleConditionField, SandboxCertificate } from './listener-types.js';

export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unhealthy.draining' | 'unused' | 'draining' | 'unavailable';

export type TargetHealthReason =
  | 'Elb.RegistrationInProgress'
  | 'Elb.InitialHealthChecking'
  | 'Target.ResponseCodeMismatch'
  | 'Target.Timeout'
  | 'Target.FailedHealthChecks'
  | 'Target.NotRegistered'
  | 'Target.NotInUse'
  | 'Target.DeregistrationInProgress'
  | 'Target.InvalidState'
  | 'Target.HealthCheckDisabled'
  | 'Elb.InternalError';

/** Human descriptions ELBv2 attaches to each reason code. */
export const TARGET_HEALTH_DESCRIPTION: Record<TargetHealthReason, string> = {
  'Elb.RegistrationInProgress': 'Target registration is in progress',
  'Elb.InitialHealthChecking': 'Initial health checks in progress',
  'Target.ResponseCodeMismatch': 'Health checks failed with these codes: [502]',
  'Target.Timeout': 'Request timed out',
  'Target.FailedHealthChecks': 'Health checks failed',
  'Target.NotRegistered': 'Target is not registered to the target group',
  'Target.NotInUse': 'Target group is not configured to receive traffic from the load balancer',
  'Target.DeregistrationInProgress': 'Target deregistration is in progress',
  'Target.InvalidState': 'Target is in the stopped or terminated state',
  'Target.HealthCheckDisabled': 'Health checks are disabled',
  'Elb.InternalError': 'Health checks failed due to an internal error',
};

export interface TargetRegistration {
  targetGroupArn: string;
  targetId: string;
  port: number;
  availabilityZone?: string;
  state: TargetHealthState;
  reason?: TargetHealthReason;
  description?: string;
  /** Consecutive health-check results, for the thresholds. */
  consecutiveOk: number;
  consecutiveFail: number;
  registeredAt: number;
  /** While draining: when the target is removed from the group (ms since epoch). */
  drainingUntil?: number;
}

/**
 * An elastic network interface. Instances' primary interfaces and ALB nodes' interfaces are derived from
 * the instances and load balancers (world/network-interfaces.ts keeps them in step); `foreign` ones are
 * added through the control plane to stand for another workload in the subnet (an RDS database, say).
 */
export interface NetworkInterface {
  networkInterfaceId: string;
  owner: { kind: 'instance'; instanceId: string } | { kind: 'elb'; loadBalancerArn: string } | { kind: 'foreign' };
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  description: string;
  interfaceType: string;
  /** Set for interfaces an AWS service created for you (amazon-elb, amazon-rds, …). */
  requesterId?: string;
  status: 'available' | 'in-use';
  macAddress: string;
  privateIpAddress: string;
  /** An Elastic/public IP on the interface (ELB nodes of an internet-facing load balancer: their public address). */
  association?: { publicIp: string; ipOwnerId: string; publicDnsName?: string };
  attachment?: {
    attachmentId: string;
    attachTime: Date;
    deviceIndex: number;
    deleteOnTermination: boolean;
    instanceId?: string;
    instanceOwnerId: string;
  };
}

/**
 * CreateAutoScalingGroup's MixedInstancesPolicy as the sandbox keeps it (Auto Scaling API reference,
 * MixedInstancesPolicy / LaunchTemplateOverrides / InstancesDistribution): the launch template, the
 * instance types in priority order with their optional weights, and the distribution echoed as given.
 */
export interface MixedInstancesPolicy {
  launchTemplate: { launchTemplateId: string; launchTemplateName: string; version: string };
  overrides: { instanceType: string; weightedCapacity?: number }[];
  /** InstancesDistribution members as sent (OnDemandAllocationStrategy → value), rendered back verbatim. */
  instancesDistribution: Map<string, string>;
}

/** A CloudWatch alarm's state (CloudWatch API reference, MetricAlarm.StateValue). */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
