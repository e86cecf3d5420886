/**
 * The sandbox's state records. Plain data: the API layer renders them as AWS XML, the data plane and the
 * reconciler read them, and only World (world.ts) and the lifecycle engine change them.
 * Field names follow the AWS API shapes (camelCased) so serialisers stay one-to-one.
 */

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

export type LifecycleState = 'Pending' | 'Pending:Wait' | 'Pending:Proceed' | 'InService' | 'Terminating' | 'Terminating:Wait' | 'Terminating:Proceed' | 'Terminated' | 'Standby';

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
  type: 'application';
  ipAddressType: 'ipv4' | 'dualstack';
  /**
   * One node per enabled AZ, each in one subnet, each answering on its own loopback address (`nodeAddress`,
   * 127.x.y.z: every 127/8 address is local on Linux), as each ALB node has its own IP that the load
   * balancer's DNS name resolves to ("Availability Zones for your Application Load Balancer", ELB user guide).
   */
  availabilityZones: { zoneName: string; subnetId: string; nodeAddress: string }[];
  securityGroups: string[];
}

export interface HealthCheckSettings {
  protocol: 'HTTP' | 'HTTPS';
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
  protocol: 'HTTP' | 'HTTPS';
  port: number;
  vpcId: string;
  targetType: 'instance';
  healthCheck: HealthCheckSettings;
  loadBalancerArns: string[];
  /** e.g. deregistration_delay.timeout_seconds → "300". */
  attributes: Map<string, string>;
}

/**
 * A listener or rule action (ELBv2 API Reference, "Action"). A forward keeps its groups as ForwardConfig
 * does (weights 0–999); `targetGroupArn` is set when it was given as the plain TargetGroupArn form, which
 * DescribeListeners/DescribeRules then echo beside ForwardConfig.
 */
export type ListenerAction =
  | { type: 'forward'; order?: number; targetGroupArn?: string; targetGroups: { targetGroupArn: string; weight: number }[]; stickiness?: { enabled: boolean; durationSeconds?: number } }
  | { type: 'redirect'; order?: number; redirect: RedirectConfig }
  | { type: 'fixed-response'; order?: number; fixedResponse: { statusCode: string; contentType?: string; messageBody?: string } }
  | { type: 'authenticate-oidc' | 'authenticate-cognito'; order?: number; authenticate: AuthenticateConfig };

/**
 * AuthenticateOidcConfig / AuthenticateCognitoConfig, as given (`fields`: the element name → value, e.g.
 * Issuer, AuthorizationEndpoint, UserPoolDomain; ClientSecret is kept but never shown back, as AWS does).
 */
export interface AuthenticateConfig {
  fields: Record<string, string>;
  extraParams: Record<string, string>;
  onUnauthenticatedRequest: 'deny' | 'allow' | 'authenticate';
  sessionCookieName: string;
}

/** RedirectConfig; absent parts keep the request's own (`#{protocol}`, `#{host}`, `#{port}`, `/#{path}`, `#{query}`). */
export interface RedirectConfig {
  protocol: string;
  port: string;
  host: string;
  path: string;
  query: string;
  statusCode: 'HTTP_301' | 'HTTP_302';
}

export type RuleConditionField = 'host-header' | 'path-pattern' | 'http-header' | 'query-string' | 'http-request-method' | 'source-ip';

/**
 * A rule condition (ELBv2 API Reference, "RuleCondition"). `values` holds the strings matched (for
 * query-string: the `key=value` pairs as `{ key?, value }` in `queryPairs` instead); `legacyValues` records
 * that the condition came in the old `Values` form (host-header/path-pattern), which AWS echoes back.
 */
export interface RuleCondition {
  field: RuleConditionField;
  values: string[];
  httpHeaderName?: string;
  queryPairs?: { key?: string; value: string }[];
  legacyValues?: boolean;
}

/** A listener rule; the default rule is not stored here but derived from the listener's default actions. */
export interface ListenerRule {
  ruleArn: string;
  listenerArn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: ListenerAction[];
}

/**
 * A server certificate the sandbox holds for HTTPS listeners, as ACM would (the sandbox has no ACM API: its
 * CA issues these, see tls/). The ARN has ACM's shape; CreateListener takes it in Certificates.
 */
export interface SandboxCertificate {
  certificateArn: string;
  domainName: string;
  certPem: string;
  keyPem: string;
}

export interface Listener {
  listenerArn: string;
  loadBalancerArn: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  defaultActions: ListenerAction[];
  /** ARN of the listener's default rule (DescribeRules lists it last, Priority 'default', IsDefault true). */
  defaultRuleArn: string;
  /** HTTPS: the default certificate first, then any others the listener offers by SNI. */
  certificateArns?: string[];
  sslPolicy?: string;
}

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
